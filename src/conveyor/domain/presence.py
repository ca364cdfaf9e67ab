"""Presence: is an employee available for work at a moment, and if not, why.

The decision is pure: the service gathers the employee, the absences around the date and
the last time-clock entry, and this module decides. Working hours (the employee's work
schedule and holiday calendar) are NOT considered yet; a later change adds them as a
reason of their own rather than this module guessing them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from conveyor.domain.absences import Absence
from conveyor.domain.employees import Employee
from conveyor.domain.workdays import UNCLOSED, DayState, WorkdayEntry, local_day


class AwayReason(enum.StrEnum):
    DISMISSED = "dismissed"
    ABSENCE = "absence"


@dataclass(frozen=True, kw_only=True)
class Presence:
    """The answer for one employee at one moment.

    ``day`` is the employee's local date at ``at``; ``day_state`` is the time clock's state
    as known at ``at`` (``None``: no working day opened), informative only: a closed day
    does not make someone absent, an absence or a dismissal does.
    """

    employee_id: int
    at: datetime
    day: date
    present: bool
    reasons: tuple[AwayReason, ...]
    absence: Absence | None
    day_state: DayState | None


def decide_presence(
    employee: Employee,
    *,
    at: datetime,
    absences: Iterable[Absence],
    last_entry: WorkdayEntry | None,
) -> Presence:
    """Whether ``employee`` is present at ``at`` (timezone-aware).

    ``absences`` may hold any of the employee's absences; the one covering the local date
    counts. ``last_entry`` is their latest time-clock entry at or before ``at``.
    """
    assert employee.id is not None
    day = local_day(at, employee.timezone)
    reasons: list[AwayReason] = []
    if _dismissed_at(employee, at):
        reasons.append(AwayReason.DISMISSED)
    covering = sorted(
        (a for a in absences if a.employee_id == employee.id and a.covers(day)),
        key=lambda a: a.starts_on,
    )
    absence = covering[0] if covering else None
    if absence is not None:
        reasons.append(AwayReason.ABSENCE)
    return Presence(
        employee_id=employee.id,
        at=at,
        day=day,
        present=not reasons,
        reasons=tuple(reasons),
        absence=absence,
        day_state=day_state_at(last_entry, day),
    )


def day_state_at(last_entry: WorkdayEntry | None, day: date) -> DayState | None:
    """The time clock's state on local date ``day`` given the latest entry before the moment.

    A day still running counts whatever its date (a night shift crosses midnight); a
    closed day counts only on its own date; otherwise no day is opened yet (``None``).
    """
    if last_entry is None:
        return None
    if last_entry.state in UNCLOSED or last_entry.day == day:
        return last_entry.state
    return None


def _dismissed_at(employee: Employee, at: datetime) -> bool:
    # Before the recorded dismissal the employee was still with us.
    if employee.is_active:
        return False
    return employee.dismissed_at is None or employee.dismissed_at <= at
