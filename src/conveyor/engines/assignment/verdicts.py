"""What the decision says: who was chosen and, for every candidate, why kept or dropped."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import NamedTuple

from conveyor.engines.assignment.settings import Strategy
from conveyor.engines.assignment.snapshots import WorkItem

# A strategy's ordering of kept candidates: the smallest key wins. Its parts depend on the
# strategy (see ``strategies``) but always end with the employee id, so keys never tie.
RankKey = tuple[int | Decimal | float, ...]

NO_DETAILS: Mapping[str, str] = MappingProxyType({})


class Reason(enum.StrEnum):
    """Why a candidate was dropped (the first filter that failed), or ``KEPT``."""

    DISMISSED = "dismissed"
    EXCLUDED = "excluded"
    DEPARTMENT_HEAD = "department_head"
    EXTERNAL_NOT_ALLOWED = "external_not_allowed"
    PREVIOUS_OWNER = "previous_owner"
    LACKS_SKILL = "lacks_skill"
    ABSENT = "absent"
    DAY_NOT_OPEN = "day_not_open"
    OUTSIDE_HOURS = "outside_hours"
    AT_CAPACITY = "at_capacity"
    KEPT = "kept"


class Verdict(NamedTuple):
    """One candidate's outcome, with their load at that moment.

    ``details`` holds the reason's particulars as strings (``kind``/``until`` for an
    absence, ``state`` for the day, ``skill``), ready for the message templates.
    ``capacity_points`` is the cap that applied (``None``: no cap). ``rank`` is the
    strategy's key for kept candidates; ``away_from`` is set when look-ahead ranked them
    after everyone else because an absence starts on that day, before the work is done.

    A named tuple rather than a frozen dataclass: a decision over a thousand employees
    builds a thousand verdicts, and a frozen dataclass costs four times as much to build.
    """

    employee_id: int
    name: str
    kept: bool
    reason: Reason
    load_points: Decimal
    load_count: int
    capacity_points: Decimal | None
    details: Mapping[str, str] = NO_DETAILS
    rank: RankKey | None = None
    away_from: date | None = None

    def as_data(self) -> dict[str, object]:
        """A JSON-able record (points as strings, so they stay exact)."""
        return {
            "employee_id": self.employee_id,
            "name": self.name,
            "kept": self.kept,
            "reason": self.reason.value,
            "details": dict(self.details),
            "load_points": str(self.load_points),
            "load_count": self.load_count,
            "capacity_points": None if self.capacity_points is None else str(self.capacity_points),
            "rank": None if self.rank is None else [str(part) for part in self.rank],
            "away_from": None if self.away_from is None else self.away_from.isoformat(),
        }


@dataclass(frozen=True, kw_only=True, slots=True)
class Decision:
    """The outcome for one item: ``chosen_id`` (``None``: nobody is free, the item waits).

    ``verdicts`` are ordered by employee id, whatever the order the candidates came in.
    For round robin, the next decision's cursor is ``next_cursor``.
    """

    item: WorkItem
    strategy: Strategy
    decided_at: datetime
    chosen_id: int | None
    verdicts: tuple[Verdict, ...]
    round_robin_cursor: int | None = None

    @property
    def chosen(self) -> Verdict | None:
        if self.chosen_id is None:
            return None
        return next(v for v in self.verdicts if v.employee_id == self.chosen_id)

    @property
    def kept(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.kept)

    @property
    def dropped(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if not v.kept)

    @property
    def next_cursor(self) -> int | None:
        """Where round robin continues: after the chosen one, or where it was if nobody."""
        return self.round_robin_cursor if self.chosen_id is None else self.chosen_id

    def verdict_for(self, employee_id: int) -> Verdict:
        return next(v for v in self.verdicts if v.employee_id == employee_id)

    def as_data(self) -> dict[str, object]:
        """A JSON-able record of the whole decision, for storing and for the API."""
        return {
            "item_id": self.item.item_id,
            "entity": self.item.entity,
            "weight": str(self.item.weight),
            "strategy": self.strategy.value,
            "decided_at": self.decided_at.isoformat(),
            "chosen_id": self.chosen_id,
            "round_robin_cursor": self.round_robin_cursor,
            "verdicts": [v.as_data() for v in self.verdicts],
        }
