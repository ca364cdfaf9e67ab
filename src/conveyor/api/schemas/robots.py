"""Robots (``/robots``) and their runs (``/deals/{id}/robot-runs``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, JsonValue, PlainValidator, StringConstraints, WithJsonSchema

from conveyor.api.schemas.common import Id, Input, Name, Output, Update
from conveyor.domain.robot_params import (
    MAX_DESCRIPTION,
    MAX_FIELDS,
    MAX_PROCESS,
    MAX_RECIPIENTS,
    MAX_TASK_DAYS,
    MAX_TEXT,
    MAX_TITLE,
    PERSON_WORDS,
    ActionKind,
)
from conveyor.domain.robot_recipients import CONTACT_EMAIL, CONTACT_PHONE, MAX_POSITION, WITHIN
from conveyor.domain.robot_runs import Reason, RunState
from conveyor.domain.robots import MAX_ROBOTS_PER_STAGE, Robot, TimeUnit, TimingKind
from conveyor.engines.expressions import MAX_LENGTH

Condition = Annotated[str, StringConstraints(max_length=MAX_LENGTH)]
PERSON = "'responsible', 'head' (of the responsible's department) or an employee id"


def _person(value: Any) -> str | int:
    """A word or an employee id; strictly: ``true`` is not employee 1, ``"7"`` not 7."""
    if isinstance(value, str) and value in PERSON_WORDS:
        return value
    if type(value) is int and 0 < value < 2**63:
        return value
    raise ValueError(f"Expected {PERSON}")


Person = Annotated[
    str | int,
    PlainValidator(_person),
    WithJsonSchema({"anyOf": [{"enum": sorted(PERSON_WORDS)}, {"type": "integer", "minimum": 1}]}),
]
RECIPIENT = (
    f'{PERSON}, a position ({{"position": "Chief accountant"}}, with "within": '
    '"department" to keep to the responsible\'s departments and those below), or, for an '
    f"email or an SMS, the contact's own address ('{CONTACT_EMAIL}', '{CONTACT_PHONE}')"
)


def _recipient(value: Any) -> str | int | dict[str, str]:
    """A person, a contact's address word or a position; the action checks which it takes."""
    if isinstance(value, str) and value in (CONTACT_EMAIL, CONTACT_PHONE):
        return value
    if isinstance(value, dict):
        if "position" not in value or not set(value) <= {"position", "within"}:
            raise ValueError('A position is {"position": "<name>", "within": "department"}')
        if not all(isinstance(v, str) for v in value.values()):
            raise ValueError("A position's name and its 'within' are text")
        return dict(value)
    return _person(value)


Recipient = Annotated[
    str | int | dict[str, str],
    PlainValidator(_recipient),
    WithJsonSchema(
        {
            "anyOf": [
                {"enum": sorted(PERSON_WORDS | {CONTACT_EMAIL, CONTACT_PHONE})},
                {"type": "integer", "minimum": 1},
                {
                    "type": "object",
                    "properties": {
                        "position": {"type": "string", "maxLength": MAX_POSITION},
                        "within": {"enum": sorted(WITHIN)},
                    },
                    "required": ["position"],
                    "additionalProperties": False,
                },
            ]
        }
    ),
]


class TimingIn(Input):
    kind: TimingKind = Field(
        default=TimingKind.IMMEDIATELY,
        description="immediately; after N units of elapsed time; after_working: N units of "
        "working time on the responsible's schedule and holiday calendar; at_field, "
        "before_field, after_field: at, N units before or N units after the moment a date "
        "field of the item holds (a date alone is 00:00 in the responsible's timezone; a "
        "moment already past acts at once; the robot follows the field while it waits)",
    )
    amount: Annotated[int, Field(ge=0, le=525600)] = 0
    unit: TimeUnit | None = None
    working_hours_only: bool = Field(
        default=False,
        description="Put off to the responsible's next working moment when due outside hours",
    )
    field: Annotated[str, StringConstraints(max_length=63)] | None = Field(
        default=None,
        description="at_field, before_field, after_field: the code of a date or datetime "
        "custom field of the item, or created_at",
    )
    working: bool = Field(
        default=False,
        description="before_field, after_field: the amount counts working time on the "
        "responsible's schedule and calendar",
    )


class TimingChange(TimingIn):
    """A new timing, sent whole: ``kind`` is required, and what is left out takes its default
    (no amount, no unit, any hour), not the robot's current value."""

    kind: TimingKind = Field(
        description="immediately, after, after_working, at_field, before_field or "
        "after_field (required: the timing is replaced whole, as on creation)"
    )


class ActionIn(Input):
    """The action and its parameters; each kind takes only its own (see each parameter).
    Texts are templates: ``{deal.title}``, ``{contact.name}``, ``{responsible.name}``..."""

    kind: ActionKind
    to: Annotated[list[Recipient], Field(max_length=MAX_RECIPIENTS)] | None = Field(
        default=None, description=f"notify, send_email, send_sms: whom, each {RECIPIENT}"
    )
    text: Annotated[str, StringConstraints(max_length=MAX_TEXT)] | None = Field(
        default=None,
        description="notify, control, send_email, send_sms: the message (a template)",
    )
    subject: Annotated[str, StringConstraints(max_length=MAX_TITLE)] | None = Field(
        default=None, description="send_email: the subject (a template)"
    )
    employee_id: Id | None = Field(
        default=None,
        description="control: a named person to tell instead of the head; "
        "change_responsible: the employee to hand the item to",
    )
    rule_id: Id | None = Field(
        default=None,
        description="change_responsible: the assignment rule that picks the new responsible",
    )
    title: Annotated[str, StringConstraints(max_length=MAX_TITLE)] | None = Field(
        default=None,
        description="create_task, create_item: the new task's or item's title (a template)",
    )
    description: Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION)] | None = Field(
        default=None, description="create_task: the task's text (a template)"
    )
    responsible: Person | None = Field(
        default=None,
        description=f"create_task, create_item: who does it, {PERSON} (default: responsible)",
    )
    creator: Person | None = Field(
        default=None, description=f"create_task: who set it, {PERSON} (default: responsible)"
    )
    deadline_working_days: Annotated[int, Field(ge=0, le=MAX_TASK_DAYS)] | None = Field(
        default=None,
        description="create_task: deadline in working days of the task's responsible "
        "(0: the end of the working day)",
    )
    requires_acceptance: bool | None = Field(
        default=None, description="create_task: the creator accepts the result"
    )
    stage_id: Id | None = Field(
        default=None,
        description="change_stage: the stage to move to; create_item: the new item's stage "
        "(default: its pipeline's first)",
    )
    field: Annotated[str, StringConstraints(max_length=63)] | None = Field(
        default=None, description="set_field: the code of the custom field"
    )
    value: JsonValue = Field(default=None, description="set_field: its new value (null clears)")
    entity_type: Literal["lead", "deal"] | None = Field(
        default=None, description="create_item: what to create"
    )
    pipeline_id: Id | None = Field(
        default=None, description="create_item: the pipeline (of that type) to create it in"
    )
    copy_clients: bool | None = Field(
        default=None, description="create_item: give it the item's contact and company (default)"
    )
    fields: Annotated[dict[str, JsonValue], Field(max_length=MAX_FIELDS)] | None = Field(
        default=None, description="create_item: custom values of the new item, by code"
    )
    employees: Annotated[list[Person], Field(max_length=MAX_RECIPIENTS)] | None = Field(
        default=None, description=f"add_co_executors: whom to add, each {PERSON}"
    )
    task_robot_id: Id | None = Field(
        default=None,
        description="add_co_executors, shift_deadline: only the open tasks this create_task "
        "robot made for the item (default: every open task linked to the item)",
    )
    amount: Annotated[int, Field(ge=1, le=8760)] | None = Field(
        default=None, description="shift_deadline: how much later"
    )
    unit: Literal["hours", "days"] | None = Field(
        default=None, description="shift_deadline: hours or days (default: days)"
    )
    working: bool | None = Field(
        default=None,
        description="shift_deadline: count working time on the task responsible's schedule "
        "and calendar (default), or plain time",
    )
    webhook_id: Id | None = Field(
        default=None,
        description="webhook: the registered webhook (POST /webhooks) whose URL is called and "
        "whose secret signs the call",
    )
    url: Annotated[str, StringConstraints(max_length=2000)] | None = Field(
        default=None, description="webhook: another URL to call, signed the same way"
    )
    process: Annotated[str, StringConstraints(max_length=MAX_PROCESS)] | None = Field(
        default=None,
        description="start_process: the process's key (recorded as ProcessStartRequested; "
        "nothing starts processes yet)",
    )

    def params(self) -> dict[str, Any]:
        """The parameters sent, for the kind to check (``value`` counts when ``field`` is)."""
        sent = self.model_dump(exclude_unset=True, exclude={"kind"})
        if "field" in sent and "value" not in sent:
            sent["value"] = None
        return sent


class RobotFields(Input):
    enabled: bool = True
    condition: Condition | None = Field(
        default=None,
        description='When the robot acts, e.g. `contact.vip and deal.equipment_type == "special"`'
        " (checked when it is due)",
    )
    timing: TimingIn = Field(default_factory=TimingIn)


class RobotCreate(RobotFields):
    name: Name
    stage_id: Id
    action: ActionIn
    position: Annotated[int, Field(ge=0, le=MAX_ROBOTS_PER_STAGE)] | None = Field(
        default=None, description="Place in the stage's list, 0 first (default: last)"
    )


class RobotUpdate(Update):
    NOT_NULL = ("name", "enabled", "timing", "action")

    name: Name | None = None
    enabled: bool | None = None
    condition: Condition | None = None
    timing: TimingChange | None = Field(
        default=None, description="The whole new timing, ``kind`` first (see the route)"
    )
    action: ActionIn | None = Field(
        default=None, description="The whole new action: its ``kind`` and its parameters"
    )


class Reorder(Input):
    stage_id: Id
    robot_ids: Annotated[list[Id], Field(max_length=MAX_ROBOTS_PER_STAGE)]


class TimingOut(Output):
    kind: TimingKind
    amount: int
    unit: TimeUnit | None
    working_hours_only: bool
    field: str | None
    working: bool


class RobotPublic(Output):
    id: int
    entity_type: str
    pipeline_id: int
    stage_id: int
    position: int
    name: str
    enabled: bool
    condition: str | None
    timing: TimingOut
    action: dict[str, Any] = Field(description="``kind`` and the action's parameters")
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, robot: Robot) -> RobotPublic:
        return cls(
            id=robot.id or 0,
            entity_type=robot.entity_type.value,
            pipeline_id=robot.pipeline_id,
            stage_id=robot.stage_id,
            position=robot.position,
            name=robot.name,
            enabled=robot.enabled,
            condition=robot.condition,
            timing=TimingOut.model_validate(robot.timing.as_data()),
            action={"kind": robot.action.value, **robot.params},
            version=robot.version,
            created_at=robot.created_at,
            updated_at=robot.updated_at,
        )


class RobotRunPublic(Output):
    id: int
    robot_id: int
    robot_version: int
    robot_name: str
    item_id: int
    stage_id: int
    stage_entered_at: datetime
    state: RunState
    due_at: datetime
    created_at: datetime
    finished_at: datetime | None
    reason: Reason | None = Field(description="Why it ended so, as a stable code")
    detail: str | None = Field(description="The reason in words, or what the action did")
    data: dict[str, Any]
