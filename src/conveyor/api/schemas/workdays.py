"""Day status (the time clock) and presence."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from conveyor.api.schemas.common import Input, Output
from conveyor.domain.absences import AbsenceKind
from conveyor.domain.presence import AwayReason
from conveyor.domain.workdays import DayAction, DayState


class WorkdayActionIn(Input):
    action: DayAction


class WorkdayPublic(Output):
    employee_id: int
    day: date = Field(description="The employee's local calendar date of this working day")
    state: DayState | None = Field(description="null: the day has not been opened")
    opened_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime | None


class WorkdayEntryPublic(Output):
    id: int
    day: date
    action: DayAction
    state: DayState = Field(description="The state the action led to")
    at: datetime


class PresenceAbsence(Output):
    id: int
    kind: AbsenceKind
    starts_on: date
    ends_on: date


class PresencePublic(Output):
    employee_id: int
    at: datetime
    day: date = Field(description="The employee's local date at `at`")
    present: bool = Field(
        description="False when dismissed or away; working hours are not considered yet"
    )
    reasons: list[AwayReason] = Field(description="Why the employee is not present")
    absence: PresenceAbsence | None
    day_state: DayState | None = Field(description="The time clock at `at`; null: not opened")
