"""Day status, like a time clock: a working day is opened, paused, resumed and closed."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from conveyor.domain.actors import Actor
from conveyor.domain.errors import (
    Conflict,
    Forbidden,
    InvalidValue,
    NaiveDatetime,
    TransitionNotAllowed,
)
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


#: States in which a working day is still running (not closed).
UNCLOSED = frozenset({DayState.OPEN, DayState.PAUSED})


def local_day(moment: datetime, timezone: str) -> date:
    """The calendar date on the wall clock of ``timezone`` at ``moment`` (timezone-aware)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetime("A timezone-aware date and time is required", field="at")
    try:
        # Also in UTC, as it will be stored and compared: year 9999 at -05:00 is not.
        moment.astimezone(UTC)
        return moment.astimezone(ZoneInfo(timezone)).date()
    except OverflowError:
        raise InvalidValue("The moment is out of the supported range", field="at") from None


def day_to_act_on(action: DayAction, *, today: date, unclosed: Workday | None) -> date:
    """Which working day a time-clock ``action`` applies to.

    A day still open or paused is the one every action applies to, even after local
    midnight: a night shift opened at 22:00 is paused and closed as that day. While it
    runs, opening another day is refused rather than closing the old one behind the
    user's back: the clock records only what people did, never an invented end time.
    Without a running day, the action applies to ``today`` (the local date).
    """
    if unclosed is None:
        return today
    if action is DayAction.OPEN and unclosed.day != today:
        state = unclosed.state.value if unclosed.state else "open"
        raise Conflict(
            f"The working day of {unclosed.day.isoformat()} is still {state}; "
            "close it before opening a new one",
            field="action",
        )
    return unclosed.day


def check_may_clock(actor: Actor, employee_id: int) -> None:
    """Employees run their own time clock; only an admin may do it for someone else."""
    if not actor.is_admin and actor.employee_id != employee_id:
        raise Forbidden("Only the employee themselves or an admin may change their working day")


def check_may_see_day(actor: Actor, employee_id: int) -> None:
    """Staff see everyone's day status; an external partner only their own."""
    if actor.is_external and actor.employee_id != employee_id:
        raise Forbidden("An external partner sees only their own working day and presence")
