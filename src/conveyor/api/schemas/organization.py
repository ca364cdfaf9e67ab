"""The organization's own settings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from conveyor.api.schemas.common import Id, Output, Update

OrganizationName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Timezone = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class OrganizationUpdate(Update):
    NOT_NULL = ("name", "timezone", "task_remind_hours")

    name: OrganizationName | None = None
    timezone: Timezone | None = Field(
        default=None, description="IANA timezone, e.g. Europe/Moscow or Asia/Yekaterinburg"
    )
    schedule_id: Id | None = Field(
        default=None, description="The default work schedule; null: five-day week, RU calendar"
    )
    task_remind_hours: int | None = Field(
        default=None,
        description="Hours before a task's deadline its people are reminded, unless the task "
        "says otherwise; 0: no such reminder",
    )


class OrganizationPublic(Output):
    name: str
    timezone: str = Field(
        description="Where time is counted for nobody in particular (robots on an item "
        "without a responsible)"
    )
    schedule_id: int | None
    task_remind_hours: int
    updated_at: datetime | None
