"""Communication controls and their checks (``/communication-controls``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from conveyor.api.schemas.call_distributions import Cron, Timezone
from conveyor.api.schemas.common import Id, Input, LongText, Name, Output, Update
from conveyor.domain.communication_controls import (
    DEFAULT_DEADLINE_DAYS,
    DEFAULT_DEAL_TITLE,
    DEFAULT_SCHEDULE,
    DEFAULT_SILENT_DAYS,
    DEFAULT_TASK_TITLE,
    MAX_DEADLINE_DAYS,
    MAX_SILENT_DAYS,
    MAX_TITLE,
)

SilentDays = Annotated[
    int,
    Field(
        ge=1,
        le=MAX_SILENT_DAYS,
        description="A company nobody communicated with for this many days is acted on",
    ),
]
TitleTemplate = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE),
    Field(description="{company} is the company's name"),
]
DeadlineDays = Annotated[
    int,
    Field(
        ge=0,
        le=MAX_DEADLINE_DAYS,
        description="The task is due this many working days later on its responsible's "
        "calendar; 0: at the end of that working day",
    ),
]


class ControlCreate(Input):
    name: Name
    pipeline_id: Id = Field(description="The deal pipeline the service deals open in")
    stage_id: Id | None = Field(
        default=None, description="The stage they open in; by default the pipeline's first"
    )
    enabled: bool = True
    silent_days: SilentDays = DEFAULT_SILENT_DAYS
    deal_title: TitleTemplate = DEFAULT_DEAL_TITLE
    task_title: TitleTemplate = DEFAULT_TASK_TITLE
    task_description: LongText = ""
    deadline_working_days: DeadlineDays = DEFAULT_DEADLINE_DAYS
    creator_id: Id | None = Field(
        default=None, description="Who sets the tasks; by default whoever defines this"
    )
    schedule: Cron = DEFAULT_SCHEDULE
    timezone: Timezone | None = Field(
        default=None, description="The schedule's timezone; by default the organization's"
    )


class ControlUpdate(Update):
    NOT_NULL = (
        "name",
        "pipeline_id",
        "enabled",
        "silent_days",
        "deal_title",
        "task_title",
        "task_description",
        "deadline_working_days",
        "creator_id",
        "schedule",
        "timezone",
    )

    name: Name | None = None
    pipeline_id: Id | None = None
    stage_id: Id | None = None
    enabled: bool | None = None
    silent_days: SilentDays | None = None
    deal_title: TitleTemplate | None = None
    task_title: TitleTemplate | None = None
    task_description: LongText | None = None
    deadline_working_days: DeadlineDays | None = None
    creator_id: Id | None = None
    schedule: Cron | None = None
    timezone: Timezone | None = None


class ControlPublic(Output):
    id: int
    name: str
    enabled: bool
    silent_days: int
    pipeline_id: int
    stage_id: int | None = Field(description="null: the pipeline's first stage")
    deal_title: str
    task_title: str
    task_description: str
    deadline_working_days: int
    creator_id: int
    schedule: str
    timezone: str
    next_run_at: datetime | None = Field(description="The next scheduled run; null while disabled")
    version: int
    created_at: datetime
    updated_at: datetime


class CheckPublic(Output):
    id: int
    control_id: int
    company_id: int
    last_communication_at: datetime | None = Field(
        description="The company's last communication when checked; null: never any"
    )
    item_id: int | None = Field(description="The deal opened; null when none could be")
    task_id: int | None = Field(description="The task set; null when nobody was responsible")
    detail: str = Field(description="What was done, in words")
    checked_at: datetime


class ControlRunPublic(Output):
    control_id: int
    ran_at: datetime
    silent_since: datetime = Field(
        description="Companies with no communication since this moment were silent"
    )
    checks: list[CheckPublic] = Field(description="The companies acted on, by id")
    continues: bool = Field(
        description="More silent companies remain; a job goes on with them in a minute"
    )
