"""Call distributions and their runs (``/call-distributions``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from conveyor.api.schemas.common import Id, Input, LongText, Name, Output, Update
from conveyor.domain.call_distribution_runs import RunTrigger
from conveyor.domain.call_distributions import (
    DEFAULT_PER_MANAGER,
    DEFAULT_SCHEDULE,
    DEFAULT_TIMEZONE,
    DEFAULT_TITLE,
    MAX_DEADLINE_DAYS,
    MAX_FILTERS,
    MAX_PER_MANAGER,
    MAX_QUIET_DAYS,
    MAX_TITLE,
)
from conveyor.domain.call_rounds import SkipReason
from conveyor.engines.recurrence import MAX_EXPRESSION

Cron = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_EXPRESSION),
    Field(description="Cron, five fields on the timezone's clock: '0 9 * * mon' is Mondays 09:00"),
]
Timezone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    Field(description="IANA timezone of the schedule, e.g. Europe/Moscow or Europe/Samara"),
]
ColumnCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=63)]
FilterText = Annotated[str, StringConstraints(max_length=300)]
ManagersWhere = Annotated[
    dict[ColumnCode, FilterText],
    Field(
        max_length=MAX_FILTERS,
        description="Which elements are managers: column code -> value, as the list's "
        'element filters read it (e.g. {"status": "active"}); an empty value means none',
    ),
]
PerManager = Annotated[
    int, Field(ge=1, le=MAX_PER_MANAGER, description="Companies each present manager gets a run")
]
QuietDays = Annotated[
    int,
    Field(
        ge=1, le=MAX_QUIET_DAYS, description="Only companies nobody talked to for this many days"
    ),
]
TitleTemplate = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE),
    Field(description="The call task's title; {company} is the company's name"),
]
DeadlineDays = Annotated[
    int,
    Field(
        ge=0,
        le=MAX_DEADLINE_DAYS,
        description="Due this many working days later on the manager's schedule; "
        "0: at the end of the working day the calls are given",
    ),
]


class DistributionCreate(Input):
    name: Name
    managers_list_id: Id = Field(description="The list whose elements name the managers")
    schedule: Cron = DEFAULT_SCHEDULE
    timezone: Timezone = DEFAULT_TIMEZONE
    enabled: bool = True
    employee_column: ColumnCode = Field(
        default="employee", description="The list's employee column naming each manager"
    )
    managers_where: ManagersWhere = Field(default_factory=dict)
    per_manager: PerManager = DEFAULT_PER_MANAGER
    company_responsible_id: Id | None = Field(
        default=None, description="Only the companies this employee is responsible for"
    )
    quiet_days: QuietDays | None = None
    task_title: TitleTemplate = DEFAULT_TITLE
    task_description: LongText = ""
    deadline_working_days: DeadlineDays = 0
    creator_id: Id | None = Field(
        default=None, description="Who sets the call tasks; by default whoever defines this"
    )


class DistributionUpdate(Update):
    NOT_NULL = (
        "name",
        "managers_list_id",
        "schedule",
        "timezone",
        "enabled",
        "employee_column",
        "managers_where",
        "per_manager",
        "task_title",
        "task_description",
        "deadline_working_days",
        "creator_id",
    )

    name: Name | None = None
    managers_list_id: Id | None = None
    schedule: Cron | None = None
    timezone: Timezone | None = None
    enabled: bool | None = None
    employee_column: ColumnCode | None = None
    managers_where: ManagersWhere | None = None
    per_manager: PerManager | None = None
    company_responsible_id: Id | None = None
    quiet_days: QuietDays | None = None
    task_title: TitleTemplate | None = None
    task_description: LongText | None = None
    deadline_working_days: DeadlineDays | None = None
    creator_id: Id | None = None


class DistributionPublic(Output):
    id: int
    name: str
    schedule: str
    timezone: str
    enabled: bool
    managers_list_id: int
    employee_column: str
    managers_where: dict[str, str]
    per_manager: int
    company_responsible_id: int | None
    quiet_days: int | None
    task_title: str
    task_description: str
    deadline_working_days: int
    creator_id: int
    company_cursor: int | None = Field(
        description="The last company given; the next run starts after it"
    )
    manager_cursor: int | None = Field(
        description="The list element of the last manager dealt to; the next run starts after it"
    )
    next_run_at: datetime | None = Field(description="The next scheduled run; null while disabled")
    created_at: datetime
    updated_at: datetime


class GivenPublic(Output):
    employee_id: int
    companies: int
    deadline: datetime | None


class SkippedPublic(Output):
    employee_id: int
    reason: SkipReason
    absence_kind: str | None
    until: date | None = Field(description="The absence's last day")


class RunPublic(Output):
    id: int
    distribution_id: int
    occurrence: datetime = Field(description="The scheduled time served, or when run by hand")
    trigger: RunTrigger
    actor_id: int | None = Field(description="Who ran it by hand; null for the schedule")
    ran_at: datetime
    companies_given: int
    given: list[GivenPublic] = Field(description="Per present manager, in dealing order")
    skipped: list[SkippedPublic] = Field(description="Managers left out, and why")
    company_cursor_before: int | None
    company_cursor_after: int | None
    manager_cursor_before: int | None
    manager_cursor_after: int | None
    wrapped: bool = Field(description="Reached the last company and went on from the first")
    error: str | None = Field(
        description="Why the run gave nothing, when the definition no longer fits the data"
    )
