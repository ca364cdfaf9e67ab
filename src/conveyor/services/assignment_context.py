"""What a distribution rule's condition and weight read: an item as expression data.

The context is ``{<entity>: item, contact, company, responsible}`` where ``<entity>`` is
"deal" or "lead". The item's record holds its own attributes, its custom values under
``fields`` and, for convenience, each custom value under its code too (``deal.equipment_type``;
an attribute of the item wins over a custom code of the same name). Linked records are read
only when the expression names them. The evaluator hands expressions read-only views, so
nothing here can be changed by a rule.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import fields as dataclass_fields
from decimal import Decimal
from functools import lru_cache
from typing import Any

from conveyor.domain.crm_items import CrmItem
from conveyor.domain.distribution_rules import MAX_POINTS, RuleEntity
from conveyor.domain.errors import ExpressionFailed, InvalidValue
from conveyor.engines.assignment import as_points
from conveyor.engines.expressions import Expression, compile_expression
from conveyor.services.distribution_rule_checks import expression_names
from conveyor.storage.unit_of_work import UnitOfWork

_ITEM_ATTRIBUTES = (
    "id",
    "title",
    "amount",
    "currency",
    "pipeline_id",
    "stage_id",
    "responsible_id",
    "contact_id",
    "company_id",
    "created_at",
    "updated_at",
    "stage_entered_at",
    "closed_at",
)
#: What a rule may read of an employee (never their tokens or anything private).
_EMPLOYEE_ATTRIBUTES = ("id", "name", "email", "position", "timezone", "is_external", "skills")
_SCALARS = (str, int, float, bool, Decimal, type(None))


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
        context["contact"] = None if contact is None else _record(contact)
    if "company" in wanted:
        company = None if item.company_id is None else uow.companies.find(item.company_id)
        context["company"] = None if company is None else _record(company)
    if "responsible" in wanted:
        person = None if item.responsible_id is None else uow.employees.find(item.responsible_id)
        context["responsible"] = (
            None if person is None else {k: getattr(person, k) for k in _EMPLOYEE_ATTRIBUTES}
        )
    return context


def item_record(item: CrmItem) -> dict[str, Any]:
    own = {name: getattr(item, name) for name in _ITEM_ATTRIBUTES}
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
    return points


def _record(obj: object) -> dict[str, Any]:
    """A dataclass entity's plain attributes (enums as their values); the rest is left out."""
    record: dict[str, Any] = {}
    for spec in dataclass_fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, spec.name)
        if isinstance(value, enum.Enum):
            value = value.value
        if isinstance(value, _SCALARS) or (spec.name == "fields" and isinstance(value, dict)):
            record[spec.name] = value
    return record
