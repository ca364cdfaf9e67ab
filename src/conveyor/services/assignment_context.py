"""What a distribution rule's condition and weight read: an item as expression data.

The context is ``{<entity>: item, contact, company, responsible}`` where ``<entity>`` is
"deal" or "lead". The item's record holds its own attributes, its custom values under
``fields`` and, for convenience, each custom value under its code too (``deal.equipment_type``;
an attribute of the item wins over a custom code of the same name); so do the contact's and
the company's (``contact.vip``), as robots read them. Linked records are read only when the
expression names them. ``services.assignment_attributes`` says what each record holds, for
the checks on save. The evaluator hands expressions read-only views, so
nothing here can be changed by a rule.

``in_work_weights`` weighs a pool's whole in-work load for one decision. It gives exactly
what weighing each item's full context gives, for a fraction of the cost: when the weight
reads only the item's own record by literal keys (``deal.amount``, ``deal["x"]``), just
those columns are read, and an item whose values were weighed before is not weighed again.
"""

from __future__ import annotations

import ast
import enum
import json
from collections.abc import Collection, Mapping
from dataclasses import fields as dataclass_fields
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from conveyor.domain.crm_items import CrmItem
from conveyor.domain.distribution_rules import MAX_POINTS, RuleEntity
from conveyor.domain.errors import ExpressionFailed, InvalidValue
from conveyor.engines.assignment import as_points
from conveyor.engines.expressions import Expression, compile_expression
from conveyor.services.assignment_attributes import (
    EMPLOYEE_ATTRIBUTES,
    ITEM_ATTRIBUTES,
    SCALARS,
)
from conveyor.services.distribution_rule_checks import expression_names
from conveyor.storage.unit_of_work import UnitOfWork

_ONE = Decimal(1)
_THOUSANDTH = Decimal("0.001")
#: Weights already computed, by (expression, entity), then by the exact values read. An item
#: in work is weighed on every decision about its pool, and most have not changed since.
_KNOWN_WEIGHTS: dict[tuple[str, str], dict[tuple[Any, ...], Decimal]] = {}
#: Beyond this many weights for one expression (or this many expressions), they are
#: forgotten at once: memory stays bounded.
KNOWN_WEIGHTS_LIMIT = 200_000
KNOWN_EXPRESSIONS_LIMIT = 64


@lru_cache(maxsize=512)
def compiled(text: str, entity: RuleEntity, field: str) -> Expression:
    """A rule's expression, parsed once per process (rules were validated on save)."""
    return compile_expression(text, names=expression_names(entity), field=field)


def item_context(
    uow: UnitOfWork, item: CrmItem, names: Collection[str] | None = None
) -> dict[str, Any]:
    """The context of ``item`` with the records ``names`` needs (all of them when ``None``).

    Call inside an open ``with uow:``; linked records come from the session when already read.
    """
    entity = item.entity_type.value
    wanted = set(names) if names is not None else {"contact", "company", "responsible"}
    context: dict[str, Any] = {entity: item_record(item)}
    if "contact" in wanted:
        contact = None if item.contact_id is None else uow.contacts.find(item.contact_id)
        context["contact"] = None if contact is None else client_record(contact)
    if "company" in wanted:
        company = None if item.company_id is None else uow.companies.find(item.company_id)
        context["company"] = None if company is None else client_record(company)
    if "responsible" in wanted:
        person = None if item.responsible_id is None else uow.employees.find(item.responsible_id)
        context["responsible"] = None if person is None else employee_record(person)
    return context


def item_record(item: CrmItem) -> dict[str, Any]:
    own = {name: getattr(item, name) for name in ITEM_ATTRIBUTES}
    return {**item.fields, **own, "fields": dict(item.fields)}


def weigh(expression: Expression, context: Mapping[str, Any]) -> Decimal:
    """The weight in points; raises ``ExpressionFailed`` when it is not a number from 0 to
    ``MAX_POINTS`` for this item."""
    value = expression.evaluate(context)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ExpressionFailed(f"the weight is not a number but {value!r}"[:200], field="weight")
    try:
        points = as_points(value, field="weight")
    except InvalidValue as error:
        raise ExpressionFailed(error.message, field="weight") from None
    if points > MAX_POINTS:
        raise ExpressionFailed(f"the weight is above {MAX_POINTS} points", field="weight")
    exponent = points.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -3:
        # Weights are kept to the thousandth of a point (``assignment_weights`` stores them).
        points = points.quantize(_THOUSANDTH, rounding=ROUND_HALF_UP)
    return points


def in_work_weights(
    uow: UnitOfWork,
    expression: Expression,
    entity: RuleEntity,
    employee_ids: Collection[int],
    stage_ids: Collection[int],
) -> dict[int, Decimal] | None:
    """The weight in points under ``expression`` of each item the employees hold in
    ``stage_ids`` (the in-work items of ``candidate_snapshots``), by item id, so that load
    and cap are in the same points. An item the expression cannot weigh counts 1 point.

    ``None`` when every in-work item counts 1 point anyway (none is in work, or the weight
    is the constant 1), which lets ``candidate_snapshots`` count them in the database. A
    constant that cannot be computed raises ``ExpressionFailed``. Call inside an open
    ``with uow:`` (it only reads).
    """
    workload = uow.workload
    if not expression.names:
        constant = weigh(expression, {})
        if constant == _ONE:
            return None
        rows = workload.in_work_values(employee_ids, stage_ids, (), fields_text=False)
        return {row[0]: constant for row in rows} or None
    keys = record_keys(expression, entity.value)
    if keys is None:
        return _weighed_in_full(uow, expression, employee_ids, stage_ids)
    columns, custom = weight_columns(keys)
    rows = workload.in_work_values(employee_ids, stage_ids, columns, fields_text=custom)
    if not rows:
        return None
    return {row[0]: weigh_values(expression, entity, keys, columns, row[1:]) for row in rows}


def weigh_values(
    expression: Expression,
    entity: RuleEntity,
    keys: frozenset[str],
    columns: list[str],
    values: tuple[Any, ...],
) -> Decimal:
    """The weight of an item from just the values its weight reads (``record_keys``):
    those of ``columns``, then, when a key is not a column, the custom values' JSON text.
    An item the expression cannot weigh counts 1 point. Values weighed before are not
    weighed again."""
    known = known_weights(expression.text, entity.value)
    # Equal values are the same value here: one column always gives one type (amounts
    # with the column's scale, times in UTC), and the custom values are their JSON text.
    points = known.get(values)
    if points is None:
        custom = len(values) > len(columns)
        record = partial_record(keys, columns, values, custom)
        try:
            points = weigh(expression, {entity.value: record})
        except ExpressionFailed:
            points = _ONE
        if len(known) >= KNOWN_WEIGHTS_LIMIT:
            known.clear()
        known[values] = points
    return points


def weight_columns(keys: frozenset[str]) -> tuple[list[str], bool]:
    """The item's columns a weight reading ``keys`` needs, and whether it needs the custom
    values too."""
    columns = sorted(k for k in keys if k in ITEM_ATTRIBUTES)
    return columns, any(k not in ITEM_ATTRIBUTES for k in keys)


def known_weights(text: str, entity: str) -> dict[tuple[Any, ...], Decimal]:
    known = _KNOWN_WEIGHTS.get((text, entity))
    if known is None:
        if len(_KNOWN_WEIGHTS) >= KNOWN_EXPRESSIONS_LIMIT:
            _KNOWN_WEIGHTS.clear()
        known = _KNOWN_WEIGHTS[(text, entity)] = {}
    return known


def _weighed_in_full(
    uow: UnitOfWork,
    expression: Expression,
    employee_ids: Collection[int],
    stage_ids: Collection[int],
) -> dict[int, Decimal] | None:
    """The general way, for expressions reading linked records or the record as a whole:
    each item as an entity, in its full context."""
    rows = uow.workload.in_work_values(employee_ids, stage_ids, (), fields_text=False)
    if not rows:
        return None
    weights = {}
    for other in uow.assignment_decisions.items([row[0] for row in rows]):
        assert other.id is not None
        try:
            weights[other.id] = weigh(expression, item_context(uow, other, expression.names))
        except ExpressionFailed:
            weights[other.id] = _ONE
    return weights


@lru_cache(maxsize=512)
def record_keys(expression: Expression, entity: str) -> frozenset[str] | None:
    """The keys of the item's record that ``expression`` reads, when it reads nothing but
    that record and only by literal keys (``deal.amount``, ``deal["x"]``); else ``None``.

    Then the expression's value depends on those keys' values alone: a record holding just
    them gives the same value as the full one (a missing key reads as empty either way).
    """
    if expression.names != {entity}:
        return None
    parents = {
        child: node for node in ast.walk(expression.tree) for child in ast.iter_child_nodes(node)
    }
    keys = set()
    for node in ast.walk(expression.tree):
        if not isinstance(node, ast.Name):
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.Call) and parent.func is node:
            continue  # a function's name
        if node.id != entity:
            return None
        if isinstance(parent, ast.Attribute) and parent.value is node:
            keys.add(parent.attr)
        elif (
            isinstance(parent, ast.Subscript)
            and parent.value is node
            and isinstance(parent.slice, ast.Constant)
            and isinstance(parent.slice.value, str)
        ):
            keys.add(parent.slice.value)
        else:
            return None
    return frozenset(keys)


def partial_record(
    keys: frozenset[str], columns: list[str], values: tuple[Any, ...], custom: bool
) -> dict[str, Any]:
    """The entries ``keys`` of what ``item_record`` would give, from the values read."""
    own = dict(zip(columns, values, strict=False))
    fields: dict[str, Any] = json.loads(values[-1]) if custom else {}
    record: dict[str, Any] = {}
    for key in keys:
        if key == "fields":
            record[key] = fields
        elif key in own:
            record[key] = own[key]
        elif key in fields:
            record[key] = fields[key]
    return record


def plain_record(obj: object) -> dict[str, Any]:
    """A task, company or contact as expression data: a dataclass entity's plain attributes
    (enums as their values); the rest is left out."""
    record: dict[str, Any] = {}
    for spec in dataclass_fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, spec.name)
        if isinstance(value, enum.Enum):
            value = value.value
        if isinstance(value, SCALARS) or (spec.name == "fields" and isinstance(value, dict)):
            record[spec.name] = value
    return record


def client_record(client: object) -> dict[str, Any]:
    """A contact or company as expression data: its plain attributes, and each custom value
    under its code too (an attribute wins over a code of the same name)."""
    record = plain_record(client)
    custom = record.get("fields")
    return {**custom, **record} if isinstance(custom, dict) else record


def employee_record(person: object) -> dict[str, Any]:
    """What a rule may read of an employee."""
    return {k: getattr(person, k) for k in EMPLOYEE_ATTRIBUTES}
