"""What a trigger refers to, checked on save: its stage, its condition and, for a field
trigger, the custom field and the value it waits for.

Every refusal names the input field at fault (``stage_id``, ``event.field``,
``event.value``...); a condition's refusal carries the line and column (the robots'
checker: triggers read the same context as robot conditions). A stored trigger was valid
when it was saved.
"""

from __future__ import annotations

from conveyor.domain.errors import InvalidValue, NotFound, StageNotInPipeline
from conveyor.domain.pipelines import Stage
from conveyor.domain.triggers import Trigger, TriggerEvent
from conveyor.services.references import check_links
from conveyor.services.robot_checks import condition
from conveyor.storage.unit_of_work import UnitOfWork


def check_trigger(uow: UnitOfWork, trigger: Trigger) -> Stage:
    """Refuse the trigger unless it is valid and everything it names exists and fits
    (inside ``uow``); returns its stage. Sets ``pipeline_id`` from the stage."""
    stage = uow.stages.get(trigger.stage_id, field="stage_id")
    pipeline = uow.pipelines.get(stage.pipeline_id)
    if pipeline.entity_type is not trigger.entity_type:
        raise StageNotInPipeline(
            f"Stage {stage.id} is in a {pipeline.entity_type.value} pipeline, "
            f"not a {trigger.entity_type.value} one",
            field="stage_id",
        )
    trigger.pipeline_id = stage.pipeline_id
    trigger.check()
    if not trigger.allow_backwards and uow.stages.of(stage.pipeline_id)[0].id == stage.id:
        raise InvalidValue(
            "Nothing comes before the first stage, so a trigger moving items forward to it "
            "would never move one: allow it to move items back, or choose a later stage",
            field="stage_id",
        )
    if trigger.condition is not None:
        condition(trigger.condition, trigger.entity_type)
    if trigger.event is TriggerEvent.FIELD_CHANGED:
        _check_field_value(uow, trigger)
    return stage


def _check_field_value(uow: UnitOfWork, trigger: Trigger) -> None:
    """The field is a custom field of the trigger's items and the value fits it (stored
    normalised: "42" for a number field is refused, 42 is kept as 42)."""
    code = trigger.params["field"]
    definitions = uow.custom_fields.of(trigger.entity_type)
    definition = definitions.get(code)
    if definition is None:
        raise InvalidValue(
            f"'{code}' is not a custom field of {trigger.entity_type.value}s",
            field="event.field",
        )
    try:
        value = definition.normalize(trigger.params["value"])
        check_links(uow, definitions, {code: value}, prefix="fields")
    except InvalidValue as error:
        raise InvalidValue(error.message, field="event.value") from None
    except NotFound as error:
        raise NotFound(error.entity, error.entity_id, field="event.value") from None
    trigger.params = {**trigger.params, "value": value}
