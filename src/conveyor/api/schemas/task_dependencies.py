"""Dependencies between tasks: finish-to-start, with a lag in working time."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from conveyor.api.schemas.common import Id, Input, Output
from conveyor.domain.task_dependencies import MAX_LAG, LagUnit
from conveyor.domain.tasks import TaskStatus


class DependencyCreate(Input):
    predecessor_id: Id = Field(description="The task this one starts after")
    lag: int = Field(
        default=0,
        ge=0,
        le=max(MAX_LAG.values()),
        description="How long after the predecessor's finish this task may start, counted on "
        f"its responsible's working time (at most {MAX_LAG[LagUnit.WORKING_HOURS]} working "
        f"hours or {MAX_LAG[LagUnit.WORKING_DAYS]} working days)",
    )
    lag_unit: LagUnit = LagUnit.WORKING_HOURS


class LinkedTaskPublic(Output):
    """A task at the other end of a dependency."""

    task_id: int
    title: str
    status: TaskStatus
    start_at: datetime | None
    deadline: datetime | None
    completed_at: datetime | None
    lag: int
    lag_unit: LagUnit
    created_at: datetime = Field(description="When the dependency was made")


class ShiftPublic(Output):
    """A task moved later to start after a predecessor."""

    task_id: int
    after_id: int = Field(description="The predecessor whose finish plus lag it now starts at")
    start_from: datetime | None
    start_to: datetime
    deadline_from: datetime | None
    deadline_to: datetime | None


class DependenciesPublic(Output):
    task_id: int
    start_at: datetime | None
    deadline: datetime | None
    predecessors: list[LinkedTaskPublic] = Field(description="What it starts after")
    successors: list[LinkedTaskPublic] = Field(description="What starts after it")
    shifts: list[ShiftPublic] = Field(
        default_factory=list, description="The tasks the new dependency moved, in order"
    )
