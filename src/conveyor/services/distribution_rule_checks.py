"""What a distribution rule refers to, checked on save: stages, fields, people, expressions.

Every refusal names the input field at fault (``in_work_stage_ids.2``, ``weight``...), and
an expression's refusal carries its position, so a rule in storage is valid as saved.

An expression may read only what the records it sees hold (``services.assignment_attributes``:
the item's attributes and the custom fields defined for it): ``deal.nonexistent * 2`` is
refused rather than failing on every deal. That is checked when an expression is written or
changed; one saved before a custom field it reads was deleted does not block other changes to
its rule (disabling it, say): at assignment it fails, and the decision says so.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator

from conveyor.domain.distribution_rules import (
    MAX_POINTS,
    RESPONSIBLE,
    DistributionRule,
    RuleEntity,
)
from conveyor.domain.errors import (
    ExpressionFailed,
    InvalidExpression,
    InvalidValue,
    StageNotInPipeline,
)
from conveyor.domain.field_types import FieldType
from conveyor.domain.pipelines import EntityType
from conveyor.engines.expressions import Expression, Schema, compile_expression
from conveyor.services.assignment_attributes import expression_schema
from conveyor.storage.unit_of_work import UnitOfWork

#: Custom field types whose value can name a skill tag.
SKILL_FIELD_TYPES = frozenset({FieldType.ENUM, FieldType.STRING})


def expression_names(entity: RuleEntity) -> frozenset[str]:
    """The names a rule's condition and weight may read."""
    return frozenset({entity.value, "contact", "company", "responsible"})


def check_references(uow: UnitOfWork, rule: DistributionRule) -> None:
    """Refuse the rule unless everything it names exists and fits (inside ``uow``)."""
    rule.check()
    _check_stages(uow, rule)
    _check_fields(uow, rule)
    for name in ("employee_ids", "excluded_ids"):
        for index, employee_id in enumerate(getattr(rule, name)):
            uow.employees.get(employee_id, field=f"{name}.{index}")
    for employee_id in rule.capacity_overrides:
        uow.employees.get(employee_id, field=f"capacity_overrides.{employee_id}")
    for index, department_id in enumerate(rule.department_ids):
        uow.departments.get(department_id, field=f"department_ids.{index}")
    stored = None if rule.id is None else uow.distribution_rules.find(rule.id)
    schema: Schema | None = None
    for field in ("condition", "weight", "queue_priority"):
        text = getattr(rule, field)
        if text is None:
            continue
        # Only what is written now is held to the fields that exist now (see the docstring).
        written = stored is None or text != getattr(stored, field)
        if written and schema is None:
            schema = expression_schema(uow, rule.entity_type)
        reads = schema if written else None
        if field == "weight":
            check_weight(text, rule.entity_type, schema=reads)
        else:
            check_expression(text, rule.entity_type, field=field, schema=reads)


def check_expression(
    text: str, entity: RuleEntity, *, field: str, schema: Schema | None = None
) -> Expression:
    """``text`` compiled for ``entity``'s rules, refused (``InvalidExpression`` naming
    ``field`` and the position) when it is outside the language, when it reads by name
    something that ``schema`` (when given) says its record does not hold (``deal.nonexistent``)
    or when a part of it that reads no data can never be computed (``9**9**9``, ``1/0``,
    ``"a" * 10**9``): such a part would fail on every item, so it is better refused now than
    at the first assignment."""
    expression = compile_expression(text, names=expression_names(entity), field=field)
    if schema is not None:
        expression.check_reads(schema)
    for part in _constant_parts(expression.tree):
        try:
            dataclasses.replace(expression, tree=part).evaluate({})
        except ExpressionFailed as failed:
            raise InvalidExpression(
                failed.message, field=field, line=failed.line, column=failed.column
            ) from None
    return expression


def check_weight(text: str, entity: RuleEntity, *, schema: Schema | None = None) -> Expression:
    """The weight expression; a constant one must be a number of points >= 0."""
    expression = check_expression(text, entity, field="weight", schema=schema)
    if not expression.names:
        value = expression.evaluate({})
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not 0 <= value <= MAX_POINTS:  # type: ignore[operator]
            raise InvalidExpression(
                f"The weight must be a number of points from 0 to {MAX_POINTS}, not {value!r}",
                field="weight",
            )
    return expression


def _constant_parts(tree: ast.expr) -> Iterator[ast.expr]:
    """The largest parts of ``tree`` that read no name, bare literals aside."""
    if _reads_nothing(tree):
        if not isinstance(tree, ast.Constant):
            yield tree
        return
    for child in _operands(tree):
        yield from _constant_parts(child)


def _reads_nothing(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return False
    return all(_reads_nothing(child) for child in _operands(node))


def _operands(node: ast.expr) -> list[ast.expr]:
    # A call's function is a name of the language, not data: only its arguments count.
    if isinstance(node, ast.Call):
        return list(node.args)
    return [c for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr)]


def _check_stages(uow: UnitOfWork, rule: DistributionRule) -> None:
    if rule.pipeline_id is not None:
        pipeline = uow.pipelines.get(rule.pipeline_id, field="pipeline_id")
        if pipeline.entity_type.value != rule.entity_type.value:
            raise InvalidValue(
                f"Pipeline {pipeline.id} is a {pipeline.entity_type} pipeline, "
                f"not a {rule.entity_type} one",
                field="pipeline_id",
            )
        for name in ("trigger_stage_id", "next_stage_id"):
            stage_id = getattr(rule, name)
            if stage_id is None:
                continue
            stage = uow.stages.get(stage_id, field=name)
            if stage.pipeline_id != rule.pipeline_id:
                raise StageNotInPipeline(
                    f"Stage {stage_id} is not in pipeline {rule.pipeline_id}", field=name
                )
    for index, stage_id in enumerate(rule.in_work_stage_ids):
        field = f"in_work_stage_ids.{index}"
        stage = uow.stages.get(stage_id, field=field)
        owner = uow.pipelines.get(stage.pipeline_id)
        if owner.entity_type.value != rule.entity_type.value:
            raise StageNotInPipeline(
                f"Stage {stage_id} belongs to a {owner.entity_type} pipeline, "
                f"not a {rule.entity_type} one",
                field=field,
            )


def _check_fields(uow: UnitOfWork, rule: DistributionRule) -> None:
    if not rule.entity_type.has_pipelines:
        # Tasks have no custom fields: the responsible is the only field to set.
        if rule.target_field != RESPONSIBLE:
            raise InvalidValue("Task rules set the responsible", field="target_field")
        if rule.skill_field is not None:
            raise InvalidValue(
                "Tasks have no custom fields to match skills on", field="skill_field"
            )
        return
    fields = uow.custom_fields.of(EntityType(rule.entity_type.value))
    if rule.target_field != RESPONSIBLE:
        target = fields.get(rule.target_field)
        if target is None or target.type is not FieldType.EMPLOYEE:
            raise InvalidValue(
                f"'{rule.target_field}' is neither '{RESPONSIBLE}' nor an employee field "
                f"of {rule.entity_type}s",
                field="target_field",
            )
    if rule.skill_field is not None:
        skill = fields.get(rule.skill_field)
        if skill is None or skill.type not in SKILL_FIELD_TYPES:
            raise InvalidValue(
                f"'{rule.skill_field}' is not an enum or string field of {rule.entity_type}s",
                field="skill_field",
            )
