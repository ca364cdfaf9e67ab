"""Day status, like a time clock: a working day is opened, paused, resumed and closed."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from conveyor.domain.errors import TransitionNotAllowed
from conveyor.domain.events import DomainEvent


class DayState(enum.StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class DayAction(enum.StrEnum):
    OPEN = "open"
    PAUSE = "pause"
    RESUME = "resume"
    CLOSE = "close"


# From which states each action may be taken, and the state it leads to.
# Reopening a closed day is allowed: people come back to finish something.
_TRANSITIONS: dict[DayAction, tuple[frozenset[DayState | None], DayState]] = {
    DayAction.OPEN: (frozenset({None, DayState.CLOSED}), DayState.OPEN),
    DayAction.PAUSE: (frozenset({DayState.OPEN}), DayState.PAUSED),
    DayAction.RESUME: (frozenset({DayState.PAUSED}), DayState.OPEN),
    DayAction.CLOSE: (frozenset({DayState.OPEN, DayState.PAUSED}), DayState.CLOSED),
}


@dataclass(kw_only=True)
class Workday:
    """One employee's working day on their local calendar date."""

    id: int | None = None
    employee_id: int
    day: date
    state: DayState | None = None
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    updated_at: datetime | None = None

    def apply(self, action: DayAction, *, now: datetime) -> DomainEvent:
        allowed_from, target = _TRANSITIONS[action]
        if self.state not in allowed_from:
            current = self.state.value if self.state else "not opened"
            raise TransitionNotAllowed(
                f"Cannot {action.value} the working day: it is {current}", field="action"
            )
        previous = self.state
        self.state = target
        self.updated_at = now
        if action is DayAction.OPEN:
            self.opened_at = self.opened_at or now
            self.closed_at = None
        elif action is DayAction.CLOSE:
            self.closed_at = now
        return DomainEvent(
            type="WorkdayChanged",
            entity="employee",
            entity_id=self.employee_id,
            occurred_at=now,
            payload={
                "day": self.day.isoformat(),
                "action": action.value,
                "from": previous.value if previous else None,
                "to": target.value,
            },
        )


@dataclass(kw_only=True)
class WorkdayEntry:
    """One line of the time-clock history."""

    id: int | None = None
    employee_id: int
    day: date
    action: DayAction
    state: DayState
    at: datetime
