"""Snapshot factories shared by the assignment decision tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.workdays import DayState
from conveyor.engines.assignment import CandidateSnapshot, CurrentAbsence, skill_tags

NOW = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
TODAY = NOW.date()


def person(employee_id: int, name: str | None = None, **changes: object) -> CandidateSnapshot:
    """A present, active, internal employee with an open day and no load, unless changed."""
    values: dict[str, object] = {
        "employee_id": employee_id,
        "name": name or f"Employee {employee_id}",
        "day_state": DayState.OPEN,
    }
    if "skills" in changes and isinstance(changes["skills"], tuple):
        changes["skills"] = skill_tags(*changes["skills"])
    if "load" in changes:
        changes["load_points"] = Decimal(str(changes.pop("load")))
    if "capacity" in changes:
        changes["capacity_points"] = Decimal(str(changes.pop("capacity")))
    values.update(changes)
    return CandidateSnapshot(**values)


def on_vacation(until: date) -> CurrentAbsence:
    return CurrentAbsence(kind=AbsenceKind.VACATION, until=until)
