"""One round of a call distribution: who gets which companies, and where the next starts.

Pure: the service reads the managers, their presence and the companies; this module deals.

- **Managers** are dealt to in the list's order, round-robin, starting with the first present
  manager after the one who got the previous round's last company (``manager_cursor``, a
  list element id). So when companies run short, those left out this week are first next
  week, and someone added to the list since simply takes their place in the order.
- **Companies** are walked as a circle, by id: first those after ``company_cursor`` up to
  the end of the base, then, starting a new cycle, from the first company up to and
  including the cursor. A round takes at most ``per_manager`` x present managers companies
  and never reaches the same company twice, so each present manager gets at most
  ``per_manager``, and over the weeks each company comes round exactly once per cycle.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from conveyor.domain.working_time import WorkingTime


class SkipReason(enum.StrEnum):
    ABSENT = "absent"
    DISMISSED = "dismissed"


@dataclass(frozen=True, kw_only=True, slots=True)
class Manager:
    """A manager as the list holds them: the element (their place in the order) and who."""

    element_id: int
    employee_id: int


@dataclass(frozen=True, kw_only=True)
class SkippedManager:
    """A manager left out of a round, and why: away (``absence_kind`` until ``until``,
    inclusive) or dismissed."""

    employee_id: int
    reason: SkipReason
    absence_kind: str | None = None
    until: date | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "employee_id": self.employee_id,
            "reason": self.reason.value,
            "absence_kind": self.absence_kind,
            "until": None if self.until is None else self.until.isoformat(),
        }


def managers_in_order(elements: Iterable[tuple[int, object]]) -> list[Manager]:
    """Managers from (element id, employee value) pairs in list order: one per employee, at
    the place of their first element; elements without an employee are no one."""
    seen: set[int] = set()
    managers = []
    for element_id, employee in elements:
        if isinstance(employee, bool) or not isinstance(employee, int) or employee in seen:
            continue
        seen.add(employee)
        managers.append(Manager(element_id=element_id, employee_id=employee))
    return managers


@dataclass(frozen=True, kw_only=True)
class Segment:
    """Company ids above ``after`` and at most ``through``; ``None`` is unbounded."""

    after: int | None
    through: int | None


@dataclass(frozen=True, kw_only=True)
class Round:
    """The dealing of one run: the present managers in dealing order and the walk."""

    order: tuple[Manager, ...]
    per_manager: int
    company_cursor: int | None

    @classmethod
    def deal(
        cls,
        present: Sequence[Manager],
        *,
        per_manager: int,
        company_cursor: int | None,
        manager_cursor: int | None,
    ) -> Round:
        """``present`` in list order; dealing starts after ``manager_cursor``."""
        start = 0
        if manager_cursor is not None:
            start = next((i for i, m in enumerate(present) if m.element_id > manager_cursor), 0)
        order = tuple(present[start:]) + tuple(present[:start])
        return cls(order=order, per_manager=per_manager, company_cursor=company_cursor)

    @property
    def capacity(self) -> int:
        """How many companies the round may give at most."""
        return len(self.order) * self.per_manager

    def segments(self) -> tuple[Segment, ...]:
        """Where to read companies, in order: after the cursor, then round to it."""
        cursor = self.company_cursor
        if cursor is None:
            return (Segment(after=None, through=None),)
        return (Segment(after=cursor, through=None), Segment(after=None, through=cursor))

    def recipient(self, position: int) -> Manager:
        """Who gets the round's ``position``-th company (from 0)."""
        return self.order[position % len(self.order)]

    def counts(self, given: int) -> list[tuple[Manager, int]]:
        """How many of ``given`` companies each manager got, in dealing order."""
        managers = len(self.order)
        if not managers:
            return []
        whole, extra = divmod(given, managers)
        return [(m, whole + (i < extra)) for i, m in enumerate(self.order)]

    def manager_cursor_after(self, given: int, before: int | None) -> int | None:
        """The element of the manager who got the last company; ``before`` if none was given."""
        return before if given == 0 else self.recipient(given - 1).element_id


def call_deadline(working: WorkingTime, given_at: datetime, working_days: int) -> datetime:
    """When a call task given at ``given_at`` is due on the manager's working time.

    ``working_days`` > 0: that many working days later, as a person sets it
    (``WorkingTime.add_working_days``). 0: the end of the working day it is given on, or,
    when given after closing or on a day off, the end of the coming working day.
    """
    if working_days > 0:
        return working.add_working_days(given_at, working_days)
    spans = working.intervals_on(given_at.astimezone(working.schedule.zone).date())
    if spans and given_at < spans[-1][1]:
        return spans[-1][1].astimezone(given_at.tzinfo)
    # Outside hours one working day ends at the close of the coming working day.
    return working.add_working_days(given_at, 1)
