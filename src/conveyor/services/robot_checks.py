"""What a robot refers to, checked on save: its stage, the people, stages, fields and rules
its action names, the date field its timing follows, its condition and its text templates
(the newer actions' references: ``robot_action_checks``).

Every refusal names the input field at fault (``action.to.1``, ``action.stage_id``...);
a condition's or a template's refusal carries the line and column, so a robot in storage
is valid as saved.
"""

from __future__ import annotations

from functools import lru_cache

from conveyor.domain.distribution_rules import RESPONSIBLE as RULE_SETS_RESPONSIBLE
from conveyor.domain.distribution_rules import RuleEntity
from conveyor.domain.errors import InvalidValue, NotFound, StageNotInPipeline
from conveyor.domain.pipelines import EntityType, Stage
from conveyor.domain.robot_params import ActionKind
from conveyor.domain.robots import Robot
from conveyor.engines.automation import Template, compile_template
from conveyor.engines.expressions import Expression
from conveyor.services import robot_action_checks
from conveyor.services.distribution_rule_checks import check_expression
from conveyor.services.references import active_employee, check_links
from conveyor.storage.unit_of_work import UnitOfWork

#: The action parameters that are templates, per action.
TEMPLATES = {
    ActionKind.NOTIFY: ("text",),
    ActionKind.CONTROL: ("text",),
    ActionKind.CREATE_TASK: ("title", "description"),
    ActionKind.CREATE_ITEM: ("title",),
    ActionKind.SEND_EMAIL: ("subject", "text"),
    ActionKind.SEND_SMS: ("text",),
}


def robot_names(entity_type: EntityType) -> frozenset[str]:
    """The names a robot's condition and templates may read."""
    return frozenset({entity_type.value, "contact", "company", "responsible"})


def check_robot(uow: UnitOfWork, robot: Robot) -> Stage:
    """Refuse the robot unless it is valid and everything it names exists and fits (inside
    ``uow``); returns its stage. Sets ``pipeline_id`` from the stage."""
    stage = uow.stages.get(robot.stage_id, field="stage_id")
    pipeline = uow.pipelines.get(stage.pipeline_id)
    if pipeline.entity_type is not robot.entity_type:
        raise StageNotInPipeline(
            f"Stage {stage.id} is in a {pipeline.entity_type.value} pipeline, "
            f"not a {robot.entity_type.value} one",
            field="stage_id",
        )
    robot.pipeline_id = stage.pipeline_id
    robot.check()
    if robot.condition is not None:
        condition(robot.condition, robot.entity_type)
    for name in TEMPLATES.get(robot.action, ()):
        template(robot.params[name], robot.entity_type, f"action.{name}")
    robot_action_checks.check_timing_field(uow, robot)
    _check_references(uow, robot)
    return stage


@lru_cache(maxsize=512)
def condition(text: str, entity_type: EntityType) -> Expression:
    """A robot's condition, compiled once per process (``InvalidExpression`` naming
    ``condition`` and the position)."""
    return check_expression(text, RuleEntity(entity_type.value), field="condition")


@lru_cache(maxsize=1024)
def template(text: str, entity_type: EntityType, field: str) -> Template:
    """A robot's text template, compiled once per process."""
    return compile_template(text, names=robot_names(entity_type), field=field)


def _check_references(uow: UnitOfWork, robot: Robot) -> None:
    params = robot.params
    action = robot.action
    if action in (ActionKind.NOTIFY, ActionKind.SEND_EMAIL, ActionKind.SEND_SMS):
        robot_action_checks.check_recipients(uow, robot)
    elif action is ActionKind.CREATE_ITEM:
        robot_action_checks.check_create_item(uow, robot)
    elif action in (ActionKind.ADD_CO_EXECUTORS, ActionKind.SHIFT_DEADLINE):
        robot_action_checks.check_task_people(uow, robot)
    elif action is ActionKind.WEBHOOK:
        robot_action_checks.check_webhook(uow, robot)
    elif action is ActionKind.CONTROL:
        if params["employee_id"] is not None:
            active_employee(uow, params["employee_id"], field="action.employee_id")
    elif action is ActionKind.CREATE_TASK:
        for name in ("responsible", "creator"):
            if isinstance(params[name], int):
                active_employee(uow, params[name], field=f"action.{name}")
    elif action is ActionKind.CHANGE_STAGE:
        target = uow.stages.get(params["stage_id"], field="action.stage_id")
        if target.pipeline_id != robot.pipeline_id:
            raise StageNotInPipeline(
                f"Stage {target.id} is not in the robot's pipeline {robot.pipeline_id}",
                field="action.stage_id",
            )
    elif action is ActionKind.SET_FIELD:
        _check_field_value(uow, robot)
    elif action is ActionKind.CHANGE_RESPONSIBLE:
        if params["employee_id"] is not None:
            active_employee(uow, params["employee_id"], field="action.employee_id")
        else:
            rule = uow.distribution_rules.get(params["rule_id"], field="action.rule_id")
            if rule.entity_type.value != robot.entity_type.value:
                raise InvalidValue(
                    f"Rule {rule.id} distributes {rule.entity_type.value}s, "
                    f"not {robot.entity_type.value}s",
                    field="action.rule_id",
                )
            if rule.target_field != RULE_SETS_RESPONSIBLE:
                raise InvalidValue(
                    f"Rule {rule.id} sets the field '{rule.target_field}', not the responsible",
                    field="action.rule_id",
                )


def _check_field_value(uow: UnitOfWork, robot: Robot) -> None:
    """The field is a custom field of the robot's items and the value fits it (stored
    normalised: "42" for a number field is kept as 42)."""
    code = robot.params["field"]
    definitions = uow.custom_fields.of(robot.entity_type)
    definition = definitions.get(code)
    if definition is None:
        raise InvalidValue(
            f"'{code}' is not a custom field of {robot.entity_type.value}s", field="action.field"
        )
    try:
        value = definition.normalize(robot.params["value"])
        check_links(uow, definitions, {code: value}, prefix="fields")
    except InvalidValue as error:
        raise InvalidValue(error.message, field="action.value") from None
    except NotFound as error:
        raise NotFound(error.entity, error.entity_id, field="action.value") from None
    robot.params = {**robot.params, "value": value}
