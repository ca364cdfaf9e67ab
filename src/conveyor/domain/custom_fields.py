"""Admin-defined custom fields on CRM records, optionally required from a stage onward."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from conveyor.domain.errors import InvalidValue, RequiredFieldMissing
from conveyor.domain.field_types import FieldType, is_empty, normalize_value
from conveyor.domain.pipelines import (
    PIPELINE_ENTITIES,
    EntityType,
    Pipeline,
    Stage,
    StageSemantics,
    reached,
)

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(kw_only=True)
class CustomField:
    id: int | None = None
    entity_type: EntityType
    code: str
    name: str
    type: FieldType
    options: list[str] = field(default_factory=list)
    list_id: int | None = None
    required_from_stage_id: int | None = None
    sort: int = 100

    def normalize(self, raw: Any) -> Any:
        return normalize_value(self.type, raw, where=f"fields.{self.code}", options=self.options)


def check_code(code: str, *, where: str = "code") -> str:
    if not _CODE.match(code):
        raise InvalidValue(
            "A code starts with a letter and has only lowercase letters, digits and _ (at most 63)",
            field=where,
        )
    return code


def check_definition(definition: CustomField) -> None:
    """A field's own settings must make sense before any value is checked against it."""
    check_code(definition.code)
    if definition.type is FieldType.ENUM:
        if not definition.options:
            raise InvalidValue("An enum field needs at least one option", field="options")
        if len(set(definition.options)) != len(definition.options):
            raise InvalidValue("Enum options must be unique", field="options")
    elif definition.options:
        raise InvalidValue("Only enum fields have options", field="options")
    if (definition.type is FieldType.LIST_ELEMENT) != (definition.list_id is not None):
        raise InvalidValue("A list-element field, and only it, names a list", field="list_id")


def normalize_fields(
    definitions: Mapping[str, CustomField], current: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    """Apply ``changes`` to ``current`` values, checking each against its definition.

    Unknown codes are refused; ``None`` removes a value.
    """
    result = dict(current)
    for code, raw in changes.items():
        definition = definitions.get(code)
        if definition is None:
            raise InvalidValue(f"Unknown field '{code}'", field=f"fields.{code}")
        value = definition.normalize(raw)
        if value is None:
            result.pop(code, None)
        else:
            result[code] = value
    return result


def check_required(
    definitions: Mapping[str, CustomField],
    values: Mapping[str, Any],
    stage: Stage,
    stages_by_id: Mapping[int, Stage],
) -> None:
    """Refuse an item at ``stage`` whose fields required by then are empty.

    Raises ``RequiredFieldMissing`` naming the first such field (by sort order).
    """
    missing = missing_required(definitions, values, stage, stages_by_id)
    if missing:
        definition, threshold = missing[0]
        raise RequiredFieldMissing(definition.code, definition.name, threshold.name)


def missing_required(
    definitions: Mapping[str, CustomField],
    values: Mapping[str, Any],
    stage: Stage,
    stages_by_id: Mapping[int, Stage],
) -> list[tuple[CustomField, Stage]]:
    """The fields required at ``stage`` that are empty in ``values``, each with the stage
    it is required from, by sort order. ``stages_by_id`` needs only the item's pipeline:
    a threshold in another pipeline never applies."""
    missing = []
    for definition in sorted(definitions.values(), key=lambda d: (d.sort, d.code)):
        if definition.required_from_stage_id is None:
            continue
        threshold = stages_by_id.get(definition.required_from_stage_id)
        if threshold is None or not reached(stage, threshold):
            continue
        if is_empty(values.get(definition.code)):
            missing.append((definition, threshold))
    return missing


def check_requirement(definition: CustomField, stage: Stage, pipeline: Pipeline) -> None:
    """A field may be required from ``stage`` only if it is a lead/deal field and the stage
    is an open stage of a pipeline of the same entity type."""
    where = "required_from_stage_id"
    if definition.entity_type not in PIPELINE_ENTITIES:
        raise InvalidValue("Only lead and deal fields can be required from a stage", field=where)
    if pipeline.id != stage.pipeline_id or pipeline.entity_type is not definition.entity_type:
        raise InvalidValue(
            f"Stage {stage.id} is not in a {definition.entity_type.value} pipeline", field=where
        )
    if stage.semantics is StageSemantics.FAILURE:
        # Failure stages are exempt from requirements (see reached()), so "required from
        # Lost" would read as a rule that the stages it names never enforce.
        raise InvalidValue("A field cannot be required from a failure stage", field=where)
