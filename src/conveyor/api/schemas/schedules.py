"""Work schedules, calendar overrides, the effective calendar and working time."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from conveyor.api.schemas.common import Input, Name, Output, ShortText, Update
from conveyor.domain.work_schedules import MAX_ROTATION_DAYS, OverrideKind

# The week is checked by the domain (`check_week`), which names the field at fault
# (`week.wed`, `week.wed.0`); here it is only bounded in size.
Clock = Annotated[str, StringConstraints(max_length=15)]
Interval = Annotated[list[Clock], Field(max_length=4)]
WeekdayKey = Annotated[str, StringConstraints(max_length=20)]
Week = Annotated[
    dict[WeekdayKey, Annotated[list[Interval], Field(max_length=48)]],
    Field(
        max_length=14,
        description='Hours per weekday on the employee\'s wall clock: {"mon": [["09:00", '
        '"13:00"], ["14:00", "18:00"]], ...}; a weekday left out has no work; "24:00" ends '
        "a day at midnight",
        examples=[{d: [["09:00", "13:00"], ["14:00", "18:00"]] for d in ("mon", "tue")}],
    ),
]
Country = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=2, max_length=2),
    Field(description="ISO 3166 two-letter code of the official holiday calendar"),
]


class RotationIn(Input):
    """Shift work: `on` working days then `off` days off, repeating from `start`."""

    start: date = Field(description="A first working day of the cycle")
    on: int = Field(ge=1, le=MAX_ROTATION_DAYS)
    off: int = Field(ge=1, le=MAX_ROTATION_DAYS)


class ScheduleCreate(Input):
    name: Name
    country: Country = "RU"
    week: Week | None = Field(
        default=None, description="Left out: Monday-Friday 09:00-18:00, lunch 13:00-14:00"
    )
    rotation: RotationIn | None = None


class ScheduleUpdate(Update):
    NOT_NULL = ("name", "country", "week")

    name: Name | None = None
    country: Country | None = None
    week: Week | None = None
    rotation: RotationIn | None = None


class RotationPublic(Output):
    start: date
    on: int
    off: int


class SchedulePublic(Output):
    id: int
    name: str
    country: str
    week: dict[str, Any]
    rotation: RotationPublic | None


class OverrideCreate(Input):
    day: date
    kind: OverrideKind
    note: ShortText | None = None


class OverridePublic(Output):
    id: int
    day: date
    kind: OverrideKind
    note: str | None


class CalendarYearPublic(Output):
    year: int
    country: str | None
    holidays: list[date] = Field(description="Public holidays that are days off")
    extra_days_off: list[date] = Field(
        description="Other days off: transfers, observed holidays, company closures"
    )
    days_off: list[date] = Field(description="Every non-working date, weekends included")
    working_weekends: list[date]
    short_days: list[date] = Field(description="Working days one hour shorter")
    working_days: int
    hours_40h_week: int = Field(description="The hours norm of the year for a 40-hour week")
    overrides: list[OverridePublic] = Field(description="The company's overrides of the year")


class WorkingStatePublic(Output):
    employee_id: int
    at: datetime
    working: bool
    next_working_moment: datetime
    timezone: str = Field(description="The employee's timezone, whose wall clock the hours use")
    schedule_id: int | None = Field(description="None: the company default schedule")


class DeadlinePublic(Output):
    employee_id: int
    start: datetime
    days: int | None
    hours: float | None
    deadline: datetime


class WorkingHoursPublic(Output):
    employee_id: int
    from_: datetime = Field(serialization_alias="from")
    to: datetime
    hours: float
    seconds: int
