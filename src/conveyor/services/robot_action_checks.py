"""What the newer robot actions and the field timings refer to, checked on save (inside the
caller's unit of work): recipients by position, the pipeline, stage and values of an item
to create, the ``create_task`` robot whose tasks are changed, the webhook called, the date
field followed.

Every refusal names the input field at fault (``action.to.1.position``,
``action.fields.equipment_type``, ``timing.field``), so a stored robot was valid when saved.
"""

from __future__ import annotations

from conveyor.domain.custom_fields import missing_required, normalize_fields
from conveyor.domain.errors import ConveyorError, InvalidValue, NotFound, StageNotInPipeline
from conveyor.domain.pipelines import EntityType
from conveyor.domain.robot_params import ActionKind
from conveyor.domain.robot_recipients import Position
from conveyor.domain.robots import BUILT_IN_DATES, Robot
from conveyor.services.references import active_employee, check_links
from conveyor.services.robot_recipients import holders
from conveyor.services.robot_timing import DATE_TYPES
from conveyor.storage.unit_of_work import UnitOfWork


def check_timing_field(uow: UnitOfWork, robot: Robot) -> None:
    """A field timing follows a date or datetime custom field of the robot's items, or one
    of the dates every item has."""
    timing = robot.timing
    if not timing.follows_field or timing.field in BUILT_IN_DATES:
        return
    code = timing.field
    definition = uow.custom_fields.of(robot.entity_type).get(code or "")
    built_in = ", ".join(sorted(BUILT_IN_DATES))
    if definition is None:
        raise InvalidValue(
            f"'{code}' is not a field of {robot.entity_type.value}s: name a date or datetime "
            f"custom field, or {built_in}",
            field="timing.field",
        )
    if definition.type not in DATE_TYPES:
        raise InvalidValue(
            f"Field '{code}' holds {definition.type.value} values, not dates",
            field="timing.field",
        )


def check_recipients(uow: UnitOfWork, robot: Robot) -> None:
    """Employees named exist and work here; a position named is held by someone now (a
    typo would otherwise reach nobody, silently, for ever)."""
    for index, recipient in enumerate(robot.params["to"]):
        where = f"action.to.{index}"
        if isinstance(recipient, dict):
            # Anyone in the company will do here: the item (and its departments) comes later.
            position = Position(name=Position.of(recipient).name)
            if not holders(uow, position):
                raise InvalidValue(
                    f"No active employee holds the position «{position.name}»",
                    field=f"{where}.position",
                )
        elif isinstance(recipient, int):
            active_employee(uow, recipient, field=where)


def check_create_item(uow: UnitOfWork, robot: Robot) -> None:
    """The pipeline is one of the new item's type, the stage one of its stages, the values
    fit the type's custom fields (stored normalised) and fill those required at the stage."""
    params = robot.params
    entity_type = EntityType(params["entity_type"])
    pipeline = uow.pipelines.get(params["pipeline_id"], field="action.pipeline_id")
    if pipeline.entity_type is not entity_type:
        raise InvalidValue(
            f"Pipeline {pipeline.id} is a {pipeline.entity_type.value} pipeline, "
            f"not a {entity_type.value} one",
            field="action.pipeline_id",
        )
    assert pipeline.id is not None
    stages = uow.stages.of(pipeline.id)
    if params["stage_id"] is None:
        stage = stages[0]
    else:
        stage = uow.stages.get(params["stage_id"], field="action.stage_id")
        if stage.pipeline_id != pipeline.id:
            raise StageNotInPipeline(
                f"Stage {stage.id} is not in pipeline {pipeline.id}", field="action.stage_id"
            )
    if isinstance(params["responsible"], int):
        active_employee(uow, params["responsible"], field="action.responsible")
    definitions = uow.custom_fields.of(entity_type)
    try:
        values = normalize_fields(definitions, {}, params["fields"])
        check_links(uow, definitions, values, prefix="fields")
    except ConveyorError as error:
        raise _renamed(error) from None
    by_id = {s.id: s for s in stages if s.id is not None}
    for definition, threshold in missing_required(definitions, values, stage, by_id):
        raise InvalidValue(
            f"Field '{definition.name}' is required from stage '{threshold.name}' onward: "
            "give the new item its value",
            field=f"action.fields.{definition.code}",
        )
    robot.params = {**params, "fields": values}


def check_task_people(uow: UnitOfWork, robot: Robot) -> None:
    """The ``create_task`` robot named is one of this pipeline; the employees named exist
    and work here."""
    params = robot.params
    if robot.action is ActionKind.ADD_CO_EXECUTORS:
        for index, person in enumerate(params["employees"]):
            if isinstance(person, int):
                active_employee(uow, person, field=f"action.employees.{index}")
    task_robot_id = params["task_robot_id"]
    if task_robot_id is None:
        return
    maker = uow.robots.get(task_robot_id, field="action.task_robot_id")
    if maker.action is not ActionKind.CREATE_TASK:
        raise InvalidValue(
            f"Robot {task_robot_id} does not create tasks (it is a {maker.action.value} robot)",
            field="action.task_robot_id",
        )
    if maker.pipeline_id != robot.pipeline_id:
        raise InvalidValue(
            f"Robot {task_robot_id} is in another pipeline", field="action.task_robot_id"
        )


def check_webhook(uow: UnitOfWork, robot: Robot) -> None:
    uow.webhooks.get(robot.params["webhook_id"], field="action.webhook_id")


def _renamed(error: ConveyorError) -> ConveyorError:
    """A field's refusal (``fields.<code>``) as the action's (``action.fields.<code>``)."""
    where = f"action.{error.field}" if error.field else "action.fields"
    if isinstance(error, NotFound):
        return NotFound(error.entity, error.entity_id, field=where)
    return InvalidValue(error.message, field=where)
