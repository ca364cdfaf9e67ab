"""Distribution rules (``/assignment-rules``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer, StringConstraints

from conveyor.api.schemas.common import Id, Input, Name, Output, Update
from conveyor.domain.distribution_rules import (
    MAX_ESCALATION_MINUTES,
    MAX_LOOK_AHEAD_DAYS,
    MAX_POINTS,
    MAX_PRIORITY,
    RESPONSIBLE,
    RuleEntity,
    RuleStrategy,
)
from conveyor.engines.expressions import MAX_LENGTH

#: Points in: above 0, at most three decimals (what storage keeps exactly).
Points = Annotated[Decimal, Field(gt=0, le=MAX_POINTS, decimal_places=3, allow_inf_nan=False)]


def _number_as_text(value: Any) -> Any:
    """A weight sent as a JSON number is the constant expression it stands for; the service
    checks it like any weight (a number of points >= 0)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value)
    return value


#: The weight: a JSON number, or an expression text.
Weight = Annotated[
    str, BeforeValidator(_number_as_text), StringConstraints(min_length=1, max_length=MAX_LENGTH)
]
#: Points out, as JSON numbers (``2.5``, not ``"2.500"``).
PointsOut = Annotated[Decimal, PlainSerializer(float, return_type=float)]
ExpressionText = Annotated[str, StringConstraints(max_length=MAX_LENGTH)]
FieldCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=63)]
Priority = Annotated[int, Field(ge=-MAX_PRIORITY, le=MAX_PRIORITY)]
LookAhead = Annotated[int, Field(ge=0, le=MAX_LOOK_AHEAD_DAYS)]
Escalation = Annotated[int, Field(ge=1, le=MAX_ESCALATION_MINUTES)]
Ids = Annotated[list[Id], Field(max_length=500)]
Capacities = Annotated[dict[Id, Points], Field(max_length=500)]


class RuleFields(Input):
    """What both a new rule and a change may say (defaults are a new rule's)."""

    enabled: bool = True
    priority: Priority = 0
    condition: ExpressionText | None = None
    target_field: FieldCode = RESPONSIBLE
    employee_ids: Ids = Field(default_factory=list)
    department_ids: Ids = Field(default_factory=list)
    include_subdepartments: bool = True
    excluded_ids: Ids = Field(default_factory=list)
    exclude_heads: bool = False
    allow_external: bool = True
    respect_absences: bool = True
    respect_day_status: bool = False
    respect_working_hours: bool = False
    default_capacity_points: Points | None = None
    capacity_overrides: Capacities = Field(default_factory=dict)
    in_work_stage_ids: Ids = Field(default_factory=list)
    count_open_tasks: bool = False
    weight: Weight = Field(
        default="1",
        description="Points per item: a number, or an expression such as "
        '`5 if deal.equipment_type == "special" else 1`',
    )
    strategy: RuleStrategy = RuleStrategy.LEAST_LOADED
    skill_field: FieldCode | None = None
    never_previous_owner: bool = False
    look_ahead_days: LookAhead | None = None
    next_stage_id: Id | None = None
    escalate_after_minutes: Escalation | None = None
    queue_priority: ExpressionText | None = Field(
        default=None,
        description="Order of the waiting queue: an integer expression, higher first "
        "(e.g. `10 if contact.vip else 0`); then the longest waiting",
    )


class RuleCreate(RuleFields):
    name: Name
    entity_type: RuleEntity
    pipeline_id: Id | None = None
    trigger_stage_id: Id | None = None


class RuleUpdate(Update):
    NOT_NULL = (
        "name",
        "enabled",
        "priority",
        "target_field",
        "employee_ids",
        "department_ids",
        "include_subdepartments",
        "excluded_ids",
        "exclude_heads",
        "allow_external",
        "respect_absences",
        "respect_day_status",
        "respect_working_hours",
        "capacity_overrides",
        "in_work_stage_ids",
        "count_open_tasks",
        "weight",
        "strategy",
        "never_previous_owner",
    )

    name: Name | None = None
    pipeline_id: Id | None = None
    trigger_stage_id: Id | None = None
    enabled: bool | None = None
    priority: Priority | None = None
    condition: ExpressionText | None = None
    target_field: FieldCode | None = None
    employee_ids: Ids | None = None
    department_ids: Ids | None = None
    include_subdepartments: bool | None = None
    excluded_ids: Ids | None = None
    exclude_heads: bool | None = None
    allow_external: bool | None = None
    respect_absences: bool | None = None
    respect_day_status: bool | None = None
    respect_working_hours: bool | None = None
    default_capacity_points: Points | None = None
    capacity_overrides: Capacities | None = None
    in_work_stage_ids: Ids | None = None
    count_open_tasks: bool | None = None
    weight: Weight | None = None
    strategy: RuleStrategy | None = None
    skill_field: FieldCode | None = None
    never_previous_owner: bool | None = None
    look_ahead_days: LookAhead | None = None
    next_stage_id: Id | None = None
    escalate_after_minutes: Escalation | None = None
    queue_priority: ExpressionText | None = Field(
        default=None,
        description="Order of the waiting queue: an integer expression, higher first "
        "(e.g. `10 if contact.vip else 0`); then the longest waiting",
    )


class RulePublic(Output):
    id: int
    name: str
    enabled: bool
    version: int
    priority: int
    entity_type: RuleEntity
    pipeline_id: int | None
    trigger_stage_id: int | None
    condition: str | None
    target_field: str
    employee_ids: list[int]
    department_ids: list[int]
    include_subdepartments: bool
    excluded_ids: list[int]
    exclude_heads: bool
    allow_external: bool
    respect_absences: bool
    respect_day_status: bool
    respect_working_hours: bool
    default_capacity_points: PointsOut | None
    capacity_overrides: dict[int, PointsOut]
    in_work_stage_ids: list[int]
    count_open_tasks: bool
    weight: str = Field(description="The weight expression (a plain number is one)")
    strategy: RuleStrategy
    skill_field: str | None
    never_previous_owner: bool
    look_ahead_days: int | None
    next_stage_id: int | None
    escalate_after_minutes: int | None
    queue_priority: str | None
    created_at: datetime
    updated_at: datetime
