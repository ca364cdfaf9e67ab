"""Task robots (``/task-robots``) and their runs (``/tasks/{id}/robot-runs``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, PlainValidator, StringConstraints, WithJsonSchema

from conveyor.api.schemas.common import Id, Input, Name, Output, Update
from conveyor.domain.robot_params import MAX_RECIPIENTS, MAX_TEXT
from conveyor.domain.robot_runs import RunState
from conveyor.domain.robots import TimeUnit, TimingKind
from conveyor.domain.task_robot_params import TELL_WORDS, TaskActionKind
from conveyor.domain.task_robot_runs import Reason
from conveyor.domain.task_robots import DEADLINE, MAX_ROBOTS_PER_STATUS, TaskRobot
from conveyor.domain.tasks import TaskStatus
from conveyor.engines.expressions import MAX_LENGTH

Condition = Annotated[str, StringConstraints(max_length=MAX_LENGTH)]
PERSON = (
    "'responsible', 'creator', 'head' (of the responsible's department), 'co_executors', an "
    'employee id, or a position: {"position": "Chief accountant", "within": "company" | '
    '"department"}'
)
_PERSON_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"enum": sorted(TELL_WORDS)},
        {"type": "integer", "minimum": 1},
        {
            "type": "object",
            "properties": {
                "position": {"type": "string", "minLength": 1, "maxLength": 200},
                "within": {"enum": ["company", "department"]},
            },
            "required": ["position"],
            "additionalProperties": False,
        },
    ]
}


def _person(value: Any) -> Any:
    """A word, an employee id or a position, strictly: ``true`` is not employee 1, ``"7"``
    not 7. What each action accepts, and a position's parts, the action checks (naming
    ``action.to.<n>``)."""
    if isinstance(value, str | dict):
        return value
    if type(value) is int and 0 < value < 2**63:
        return value
    raise ValueError(f"Expected {PERSON}")


def _people(value: Any) -> Any:
    if isinstance(value, list):
        if len(value) > MAX_RECIPIENTS:
            raise ValueError(f"Name at most {MAX_RECIPIENTS} people")
        return [_person(item) for item in value]
    return _person(value)


People = Annotated[
    Any,
    PlainValidator(_people),
    WithJsonSchema(
        {"anyOf": [_PERSON_SCHEMA, {"type": "array", "items": _PERSON_SCHEMA, "maxItems": 20}]}
    ),
]


class TaskTimingIn(Input):
    kind: TimingKind = Field(
        default=TimingKind.IMMEDIATELY,
        description="immediately; after N units of elapsed time; after_working: N units of "
        "working time on the responsible's schedule and holiday calendar (both counted from "
        "the moment the task got its status); at_field, before_field, after_field: at, N "
        "units before or N units after the task's deadline (a deadline already past acts at "
        "once; the robot follows the deadline while it waits, and waits for one while the "
        "task has none)",
    )
    amount: Annotated[int, Field(ge=0, le=525600)] = 0
    unit: TimeUnit | None = None
    working_hours_only: bool = Field(
        default=False,
        description="Put off to the responsible's next working moment when due outside hours",
    )
    field: Literal["deadline"] | None = Field(
        default=None, description=f"at_field, before_field, after_field: '{DEADLINE}'"
    )
    working: bool = Field(
        default=False,
        description="before_field, after_field: the amount counts working time on the "
        "responsible's schedule and calendar",
    )


class TaskTimingChange(TaskTimingIn):
    """A new timing, sent whole: ``kind`` is required, and what is left out takes its
    default, not the robot's current value."""

    kind: TimingKind = Field(description="The timing's kind (required: it is replaced whole)")


class TaskActionIn(Input):
    """The action and its parameters; each kind takes only its own (see each parameter).
    Texts are templates: ``{task.title}``, ``{task.deadline}``, ``{responsible.name}``,
    ``{creator.name}``..."""

    kind: TaskActionKind
    to: People = Field(
        default=None,
        description=f"notify: whom to tell, a list of {PERSON}; change_responsible: ONE of "
        "an employee id, 'head', 'creator' or a position; add_co_executors: a list of "
        "employee ids, 'head', 'creator' or positions (every active holder)",
    )
    text: Annotated[str, StringConstraints(max_length=MAX_TEXT)] | None = Field(
        default=None, description="notify, control: the message (a template)"
    )
    employee_id: Id | None = Field(
        default=None, description="control: a named person to tell instead of the head"
    )
    amount: Annotated[int, Field(ge=1, le=24 * 365)] | None = Field(
        default=None, description="shift_deadline: by how much the deadline moves"
    )
    unit: Literal["hours", "days"] | None = Field(
        default=None, description="shift_deadline: hours or days (default: days)"
    )
    working: bool | None = Field(
        default=None,
        description="shift_deadline: in working time on the responsible's schedule and "
        "calendar (default: true) or plain time",
    )

    def params(self) -> dict[str, Any]:
        """The parameters sent, for the kind to check."""
        return self.model_dump(exclude_unset=True, exclude={"kind"})


class TaskRobotFields(Input):
    enabled: bool = True
    department_id: Id | None = Field(
        default=None,
        description="The scope: only tasks whose responsible is in this department or one "
        "below it when the task gets the status (default: every task)",
    )
    condition: Condition | None = Field(
        default=None,
        description='When the robot acts, e.g. `task.overdue and "pay" in lower(task.title)`'
        " (checked when it is due; reads task, responsible, company)",
    )
    timing: TaskTimingIn = Field(default_factory=TaskTimingIn)


class TaskRobotCreate(TaskRobotFields):
    name: Name
    status: TaskStatus
    action: TaskActionIn
    position: Annotated[int, Field(ge=0, le=MAX_ROBOTS_PER_STATUS)] | None = Field(
        default=None, description="Place in the status's list, 0 first (default: last)"
    )


class TaskRobotUpdate(Update):
    NOT_NULL = ("name", "enabled", "timing", "action")

    name: Name | None = None
    enabled: bool | None = None
    department_id: Id | None = Field(default=None, description="null: every task")
    condition: Condition | None = None
    timing: TaskTimingChange | None = Field(
        default=None, description="The whole new timing, ``kind`` first"
    )
    action: TaskActionIn | None = Field(
        default=None, description="The whole new action: its ``kind`` and its parameters"
    )


class TaskRobotsReorder(Input):
    status: TaskStatus
    robot_ids: Annotated[list[Id], Field(max_length=MAX_ROBOTS_PER_STATUS)]


class TaskTimingOut(Output):
    kind: TimingKind
    amount: int
    unit: TimeUnit | None
    working_hours_only: bool
    field: str | None
    working: bool


class TaskRobotPublic(Output):
    id: int
    status: TaskStatus
    position: int
    name: str
    enabled: bool
    department_id: int | None
    condition: str | None
    timing: TaskTimingOut
    action: dict[str, Any] = Field(description="``kind`` and the action's parameters")
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, robot: TaskRobot) -> TaskRobotPublic:
        return cls(
            id=robot.id or 0,
            status=robot.status,
            position=robot.position,
            name=robot.name,
            enabled=robot.enabled,
            department_id=robot.department_id,
            condition=robot.condition,
            timing=TaskTimingOut.model_validate(robot.timing.as_data()),
            action={"kind": robot.action.value, **robot.params},
            version=robot.version,
            created_at=robot.created_at,
            updated_at=robot.updated_at,
        )


class TaskRobotRunPublic(Output):
    id: int
    robot_id: int
    robot_version: int
    robot_name: str
    task_id: int
    status: TaskStatus
    status_changed_at: datetime
    state: RunState
    due_at: datetime | None = Field(description="null: waiting for the task's deadline")
    created_at: datetime
    finished_at: datetime | None
    reason: Reason | None = Field(description="Why it ended so, as a stable code")
    detail: str | None = Field(description="The reason in words, or what the action did")
    data: dict[str, Any]
