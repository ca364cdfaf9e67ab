"""Assignment on stage entry: the item that reaches a rule's trigger stage gets its employee
in the same transaction as the move, and the decision is recorded.

``assign_on_entry`` runs INSIDE the caller's open unit of work (``services.crm_items`` calls
it right after creating an item at a stage or moving it into one) and never commits: the
move, the assignment, the decision and their events commit or roll back together.

- Rules: the enabled rules triggered at the item's stage, highest priority first; the first
  whose condition holds is applied. A condition or weight that cannot be evaluated for this
  item counts as "does not match"; the rules passed over are listed in the decision's data
  (``skipped_rules``).
- Entry key: a decision is keyed on (item, stage, ``stage_entered_at``). A replayed or
  concurrent call for an entry already decided returns that decision and changes nothing
  (the unique key settles races; see ``AssignmentDecisionRepository.claim``).
- Nobody free: the decision is recorded with outcome ``nobody_free``, the item keeps its
  responsible, and ``AssignmentWaiting`` is emitted. The queue that assigns waiting items
  when capacity frees is a following slice; until then nothing retries them.
- Cascades: a rule's ``next_stage_id`` moves the item (required fields checked; when one is
  missing the item stays and the data says which), and the new entry is decided in turn.
  At most ``MAX_CASCADE`` rule-driven moves follow one entry: the entry reached by the last
  one is left undecided, so rules pointing at each other cannot loop. (A loop back to a
  stage within one call also meets its own entry key, as ``now`` does not change.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from conveyor.domain.assignment_decisions import AssignmentDecision, AssignmentOutcome
from conveyor.domain.crm_items import CrmItem
from conveyor.domain.custom_fields import missing_required
from conveyor.domain.distribution_rules import RESPONSIBLE, DistributionRule, RuleEntity
from conveyor.domain.errors import ExpressionFailed
from conveyor.engines.assignment import Decision, RuleSettings, Strategy, WorkItem, decide, explain
from conveyor.services.assignment_context import compiled, item_context, weigh
from conveyor.services.candidates import candidate_snapshots, resolve_pool
from conveyor.storage.unit_of_work import UnitOfWork

#: Rule-driven moves that may follow one stage entry (see the module docstring).
MAX_CASCADE = 5


def assign_on_entry(
    uow: UnitOfWork, item: CrmItem, *, now: datetime, depth: int = 0
) -> AssignmentDecision | None:
    """Decide who gets ``item`` for its current stage entry, apply it and record it.

    Returns the decision (the earlier one when this entry was already decided), or ``None``
    when no rule applies. ``depth`` counts the rule-driven moves that led here.
    """
    assert item.id is not None
    entity = RuleEntity(item.entity_type.value)
    decisions = uow.assignment_decisions
    earlier = decisions.for_entry(entity.value, item.id, item.stage_id, item.stage_entered_at)
    if earlier is not None or depth >= MAX_CASCADE:
        return earlier
    skipped: list[dict[str, Any]] = []
    for rule in uow.distribution_rules.triggered_at(entity, item.stage_id):
        weight = _matches(uow, rule, item, skipped)
        if weight is not None:
            return _apply(uow, rule, item, weight, skipped, now=now, depth=depth)
    return None


@dataclass(frozen=True, kw_only=True)
class _NextStage:
    stage_id: int
    missing_field: str | None

    def as_data(self) -> dict[str, object]:
        moved = self.missing_field is None
        return {"stage_id": self.stage_id, "moved": moved, "missing_field": self.missing_field}


def _matches(
    uow: UnitOfWork, rule: DistributionRule, item: CrmItem, skipped: list[dict[str, Any]]
) -> Decimal | None:
    """The item's weight under ``rule`` when the rule takes it, else ``None`` (noted)."""
    entity = rule.entity_type
    try:
        if rule.condition is not None:
            condition = compiled(rule.condition, entity, "condition")
            if not condition.test(item_context(uow, item, condition.names)):
                skipped.append(_skip(rule, "condition is false"))
                return None
        weight = compiled(rule.weight, entity, "weight")
        return weigh(weight, item_context(uow, item, weight.names))
    except ExpressionFailed as failed:
        skipped.append(_skip(rule, f"{failed.field} failed: {failed.message}"))
        return None


def _apply(
    uow: UnitOfWork,
    rule: DistributionRule,
    item: CrmItem,
    weight: Decimal,
    skipped: list[dict[str, Any]],
    *,
    now: datetime,
    depth: int,
) -> AssignmentDecision:
    assert rule.id is not None and item.id is not None
    decision = _decide(uow, rule, item, weight, now=now)
    chosen_id = decision.chosen_id
    next_stage = None
    if chosen_id is not None and rule.next_stage_id is not None:
        next_stage = _next_stage(uow, rule, item, rule.next_stage_id, chosen_id)
    data: dict[str, Any] = {
        **decision.as_data(),
        "rule": {"id": rule.id, "version": rule.version, "name": rule.name},
        "skipped_rules": skipped,
        "next_stage": None if next_stage is None else next_stage.as_data(),
    }
    record = AssignmentDecision(
        rule_id=rule.id,
        rule_version=rule.version,
        entity_type=item.entity_type.value,
        item_id=item.id,
        stage_id=item.stage_id,
        stage_entered_at=item.stage_entered_at,
        decided_at=now,
        chosen_id=chosen_id,
        outcome=AssignmentOutcome.NOBODY_FREE if chosen_id is None else AssignmentOutcome.ASSIGNED,
        data=data,
        sentence=explain(decision),
    )
    decisions = uow.assignment_decisions
    if not decisions.claim(record):
        # Someone decided this entry in the meantime: theirs stands, nothing is applied.
        earlier = decisions.for_entry(
            record.entity_type, item.id, item.stage_id, item.stage_entered_at
        )
        assert earlier is not None
        return earlier
    if chosen_id is not None:
        uow.emit(*item.change(_target_change(rule, item, chosen_id), now=now))
        decisions.store_cursor(rule.id, chosen_id, now=now)
    uow.emit(record.event())
    if next_stage is not None and next_stage.missing_field is None:
        uow.emit(item.move_to(uow.stages.get(next_stage.stage_id), now=now))
        uow.flush()
        assign_on_entry(uow, item, now=now, depth=depth + 1)
    return record


def _decide(
    uow: UnitOfWork, rule: DistributionRule, item: CrmItem, weight: Decimal, *, now: datetime
) -> Decision:
    assert rule.id is not None and item.id is not None
    pool = resolve_pool(
        uow,
        employee_ids=rule.employee_ids,
        department_ids=rule.department_ids,
        include_subdepartments=rule.include_subdepartments,
    )
    snapshots = candidate_snapshots(
        uow,
        pool,
        now=now,
        in_work_stage_ids=rule.in_work_stage_ids,
        count_open_tasks=rule.count_open_tasks,
        weights=_load_weights(uow, rule, pool),
        entity_type=rule.entity_type.value,
        capacities=rule.capacity_overrides,
    )
    settings = RuleSettings(
        respect_absences=rule.respect_absences,
        respect_day_status=rule.respect_day_status,
        respect_working_hours=rule.respect_working_hours,
        exclude_heads=rule.exclude_heads,
        allow_external=rule.allow_external,
        # Exclusions left to the engine so that the explanation names them.
        excluded_ids=frozenset(rule.excluded_ids),
        default_capacity_points=rule.default_capacity_points,
        strategy=Strategy(rule.strategy.value),
        skill_match=rule.skill_field is not None,
        never_previous_owner=rule.never_previous_owner,
        look_ahead_days=rule.look_ahead_days,
    )
    work = WorkItem(
        item_id=item.id,
        entity=item.entity_type.value,
        weight=weight,
        required_skill=_skill(rule, item),
        previous_owner_id=_target_value(rule, item) if rule.never_previous_owner else None,
    )
    cursor = uow.assignment_decisions.cursor(rule.id)
    return decide(work, snapshots, settings, now=now, round_robin_cursor=cursor)


def _load_weights(
    uow: UnitOfWork, rule: DistributionRule, pool: list[int]
) -> dict[int, Decimal] | None:
    """Each in-work item's weight under the rule's own weight expression, so that load and
    cap are in the same points; an item the expression cannot weigh counts 1 point."""
    expression = compiled(rule.weight, rule.entity_type, "weight")
    in_work = uow.workload.in_work_items(pool, rule.in_work_stage_ids)
    if not in_work:
        return None
    if not expression.names:
        constant = weigh(expression, {})
        return {entry.item_id: constant for entry in in_work}
    weights = {}
    for other in uow.assignment_decisions.items([entry.item_id for entry in in_work]):
        assert other.id is not None
        try:
            weights[other.id] = weigh(expression, item_context(uow, other, expression.names))
        except ExpressionFailed:
            weights[other.id] = Decimal(1)
    return weights


def _next_stage(
    uow: UnitOfWork, rule: DistributionRule, item: CrmItem, stage_id: int, chosen_id: int
) -> _NextStage:
    """Whether the item can move on once assigned: the fields required there are filled."""
    stage = uow.stages.get(stage_id)
    values = dict(item.fields)
    if rule.target_field != RESPONSIBLE:
        values[rule.target_field] = chosen_id
    stages = {s.id: s for s in uow.stages.of(item.pipeline_id) if s.id is not None}
    definitions = uow.custom_fields.of(item.entity_type)
    missing = missing_required(definitions, values, stage, stages)
    return _NextStage(stage_id=stage_id, missing_field=missing[0][0].code if missing else None)


def _target_value(rule: DistributionRule, item: CrmItem) -> int | None:
    if rule.target_field == RESPONSIBLE:
        return item.responsible_id
    value = item.fields.get(rule.target_field)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _target_change(rule: DistributionRule, item: CrmItem, chosen_id: int) -> dict[str, Any]:
    if rule.target_field == RESPONSIBLE:
        return {"responsible_id": chosen_id}
    return {"fields": {**item.fields, rule.target_field: chosen_id}}


def _skill(rule: DistributionRule, item: CrmItem) -> str | None:
    if rule.skill_field is None:
        return None
    value = item.fields.get(rule.skill_field)
    return None if value is None or str(value).strip() == "" else str(value)


def _skip(rule: DistributionRule, why: str) -> dict[str, Any]:
    return {"rule_id": rule.id, "version": rule.version, "why": why[:500]}
