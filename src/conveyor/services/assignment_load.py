"""What each of a rule's candidates holds in work, in the rule's points.

A decision weighs its pool's whole load: every item its candidates hold in the rule's
in-work stages, each worth the rule's weight of it. When the weight reads only the item's
own record (``deal.equipment_type``), the weights are stored per (rule, item) and summed by
the database (``AssignmentWeightRepository``): a decision weighs only the items that are new
in work or changed since, and stores their weights for the next one. Other weights (a
constant, or reading the contact, the company, the responsible) are computed as before.
Either way the points are exactly those of weighing every item in its full context.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from conveyor.domain.distribution_rules import DistributionRule
from conveyor.services.assignment_context import (
    compiled,
    in_work_weights,
    record_keys,
    weigh,
    weigh_values,
    weight_columns,
)
from conveyor.storage.unit_of_work import UnitOfWork

_ONE = Decimal(1)


@dataclass(frozen=True, kw_only=True, slots=True)
class HeldLoad:
    """One employee's items in work: how many, their points, and the latest moment one of
    them was given to them."""

    count: int
    points: Decimal
    last_at: datetime | None


def held_load(
    uow: UnitOfWork, rule: DistributionRule, pool: Collection[int], *, store: bool
) -> dict[int, HeldLoad] | None:
    """Per employee of ``pool`` holding any: their items in ``rule.in_work_stage_ids``.

    ``None`` when every such item counts 1 point (the weight is the constant 1): then the
    database counts them. With ``store``, the weights computed here are stored for the next
    decision (a writing transaction); without, nothing is written (a board reading the
    load). A constant weight that cannot be computed raises ``ExpressionFailed``. Call
    inside an open ``with uow:``.
    """
    expression = compiled(rule.weight, rule.entity_type, "weight")
    stage_ids = rule.in_work_stage_ids
    if not expression.names:
        constant = weigh(expression, {})
        if constant == _ONE:
            return None
        totals = uow.workload.in_work_totals(pool, stage_ids)
        return {
            holder: HeldLoad(count=t.count, points=constant * t.count, last_at=t.last_at)
            for holder, t in totals.items()
        }
    keys = record_keys(expression, rule.entity_type.value)
    if keys is None or rule.id is None:
        return _weighed_each(uow, rule, pool)
    loads = uow.assignment_weights.loads(rule.id, rule.version, pool, stage_ids)
    unweighed = [item_id for load in loads.values() for item_id in load.unweighed]
    columns, custom = weight_columns(keys)
    weighed: dict[int, tuple[int, Decimal]] = {}
    for row in uow.assignment_weights.values_of(unweighed, columns, fields_text=custom):
        points = weigh_values(expression, rule.entity_type, keys, columns, row[2:])
        weighed[row[0]] = (row[1], points)
    if store and weighed:
        uow.assignment_weights.store(
            rule.id, rule.version, [(i, revision, p) for i, (revision, p) in weighed.items()]
        )
    return {
        holder: HeldLoad(
            count=load.count,
            points=load.points + sum((_weight_of(weighed, i) for i in load.unweighed), Decimal(0)),
            last_at=load.last_at,
        )
        for holder, load in loads.items()
    }


def _weighed_each(
    uow: UnitOfWork, rule: DistributionRule, pool: Collection[int]
) -> dict[int, HeldLoad] | None:
    """The general way: each item in work weighed in its full context, summed here."""
    expression = compiled(rule.weight, rule.entity_type, "weight")
    weights = in_work_weights(uow, expression, rule.entity_type, pool, rule.in_work_stage_ids)
    if weights is None:
        return None
    load = uow.workload.in_work_load(pool, rule.in_work_stage_ids)
    points: dict[int, Decimal] = defaultdict(Decimal)
    for item_id, holder in load.holders:
        points[holder] += weights.get(item_id, _ONE)
    return {
        holder: HeldLoad(count=t.count, points=points[holder], last_at=t.last_at)
        for holder, t in load.totals.items()
    }


def _weight_of(weighed: dict[int, tuple[int, Decimal]], item_id: int) -> Decimal:
    # An item deleted meanwhile is no longer read; it still counted in this statement.
    return weighed[item_id][1] if item_id in weighed else _ONE
