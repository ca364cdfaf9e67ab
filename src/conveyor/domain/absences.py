"""Absences: vacation, sick leave, business trip and other days away."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from conveyor.domain.errors import InvalidValue


class AbsenceKind(enum.StrEnum):
    VACATION = "vacation"
    SICK_LEAVE = "sick_leave"
    BUSINESS_TRIP = "business_trip"
    OTHER = "other"


@dataclass(kw_only=True)
class Absence:
    """An employee is away from ``starts_on`` to ``ends_on``, both days included."""

    id: int | None = None
    employee_id: int
    kind: AbsenceKind
    starts_on: date
    ends_on: date
    note: str | None = None

    def __post_init__(self) -> None:
        check_period(self.starts_on, self.ends_on)

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def check_period(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise InvalidValue("An absence cannot end before it starts", field="ends_on")
