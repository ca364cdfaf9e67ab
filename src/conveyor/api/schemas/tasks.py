"""Tasks and task counters."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from conveyor.api.schemas.common import Id, Input, LongText, Moment, Output, Title, Update
from conveyor.domain.tasks import MAX_REMIND_BEFORE_HOURS, TaskAction, TaskStatus

Comment = Annotated[str, StringConstraints(max_length=5000)]
MAX_MEMBERS = 50


AwareTime = Moment
MemberIds = Annotated[list[Id], Field(max_length=MAX_MEMBERS)]
RemindBeforeHours = Annotated[
    int,
    Field(
        ge=0,
        le=MAX_REMIND_BEFORE_HOURS,
        description="Hours before the deadline the responsible and the creator are reminded; "
        "0: no such reminder; null: the company's default (PATCH /organization task_remind_hours)",
    ),
]
PLANNED_START = "The planned start; a task that follows others starts after they finish"


class TaskCreate(Input):
    title: Title
    description: LongText = ""
    responsible_id: Id | None = Field(
        default=None,
        description="Omitted: the enabled task rules choose, by live workload (the creator "
        "holds the task while nobody is free); refused when no task rule takes it",
    )
    creator_id: Id | None = Field(
        default=None, description="Who sets the task; only an admin may name someone else"
    )
    co_executor_ids: MemberIds = Field(default_factory=list)
    observer_ids: MemberIds = Field(default_factory=list)
    deadline: AwareTime | None = None
    start_at: AwareTime | None = Field(default=None, description=PLANNED_START)
    remind_before_hours: RemindBeforeHours | None = None
    requires_acceptance: bool = Field(
        default=False, description="Completing puts the task under the creator's control"
    )
    item_id: Id | None = Field(default=None, description="The lead or deal the task is about")


class TaskUpdate(Update):
    """The creator may change every field; the responsible only the members."""

    NOT_NULL = (
        "title",
        "description",
        "responsible_id",
        "requires_acceptance",
        "co_executor_ids",
        "observer_ids",
    )

    title: Title | None = None
    description: LongText | None = None
    deadline: AwareTime | None = None
    start_at: AwareTime | None = Field(default=None, description=PLANNED_START)
    remind_before_hours: RemindBeforeHours | None = None
    responsible_id: Id | None = None
    requires_acceptance: bool | None = None
    item_id: Id | None = None
    co_executor_ids: MemberIds | None = None
    observer_ids: MemberIds | None = None


class TaskActionTaken(Input):
    action: TaskAction
    comment: Comment | None = Field(default=None, description="Required to return a task")


class TaskPublic(Output):
    id: int
    title: str
    description: str
    creator_id: int
    responsible_id: int
    co_executor_ids: list[int]
    observer_ids: list[int]
    status: TaskStatus
    deadline: datetime | None
    start_at: datetime | None = Field(description=PLANNED_START)
    remind_before_hours: int | None = Field(
        description="Hours before the deadline of the reminder; null: the company's default"
    )
    overdue: bool = Field(description="Past the deadline and still owed, at the time of reading")
    requires_acceptance: bool
    item_id: int | None
    company_id: int | None = Field(description="The company the task is about")
    created_at: datetime
    updated_at: datetime
    status_changed_at: datetime
    completed_at: datetime | None
    returned_at: datetime | None = Field(
        description="When the creator last returned the work it answers to; null once the "
        "task finishes (completed or declined)"
    )
    returned_by_id: int | None = Field(description="Who returned it")
    return_comment: str | None = Field(description="Why it was returned: what is to be redone")
    predecessor_ids: list[int] = Field(description="The tasks it starts after")
    successor_ids: list[int] = Field(description="The tasks that start after it")


class TaskCountersPublic(Output):
    employee_id: int
    period_from: datetime = Field(description="Start of the period of 'completed' (inclusive)")
    period_to: datetime = Field(description="End of the period of 'completed' (exclusive)")
    in_work: int = Field(description="Pending or in progress, as the responsible")
    overdue: int = Field(description="Past the deadline, pending, in progress or deferred")
    completed: int = Field(description="Completed within the period, as the responsible")
    deferred: int
    awaiting_control: int = Field(description="Done, waiting for the creator to accept")
    to_accept: int = Field(description="Created by them, waiting for their acceptance")
