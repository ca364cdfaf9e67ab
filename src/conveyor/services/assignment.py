"""Assignment on stage entry: the item that reaches a rule's trigger stage gets its employee
in the same transaction as the move, and the decision is recorded.

``assign_on_entry`` runs INSIDE the caller's open unit of work (``services.crm_items`` calls
it right after creating an item at a stage or moving it into one) and never commits: the
move, the assignment, the decision and their events commit or roll back together.

- Rules: the enabled rules triggered at the item's stage, highest priority first; the first
  whose condition holds is applied; the rules passed over are listed in the decision's data
  (``skipped_rules``).
- A rule that fails: a condition or weight that cannot be computed for this item (a custom
  field it reads was deleted, ``deal.title * 2``...) does not let the item slip to a rule
  of lower priority, nor leave it undecided: that rule decides the entry ``rule_failed``,
  nobody is chosen and the item stays with whoever held it; the decision says what failed
  and where, ``AssignmentFailed`` is emitted, a WARNING logged and the admins notified
  (``services.assignment_failures``). A waiting entry whose rule fails when it is tried
  again ends the same way. A queue priority that cannot be computed only puts the entry
  behind by age (priority 0); its decision notes it (``queue_priority_failed``).
- Entry key: a decision is keyed on (item, stage, ``stage_entered_at``). A replayed or
  concurrent call for an entry already decided returns that decision and changes nothing
  (the unique key settles races; see ``AssignmentDecisionRepository.claim``).
- Nobody free: the decision is recorded with outcome ``nobody_free``, the item keeps its
  responsible, ``AssignmentWaiting`` is emitted and the entry waits in the rule's queue
  (``WaitingEntry``; ordered by the rule's ``queue_priority``, then age). ``assign_waiting``
  tries a rule's queue again: the services whose changes free capacity call it in their own
  transaction (``services.assignment_queue``), and a periodic sweep calls it as a safety net.
  A waiting entry that is assigned turns its decision into ``assigned`` (one decision per
  entry, always). Waiting entries go before a new arrival: a rule's queue is tried before
  the rule decides a new entry.
- Serialisation: every decision of a rule runs with the rule's row locked (PostgreSQL
  ``FOR UPDATE``; SQLite's writers are serial anyway), so concurrent workers never both
  see the same free capacity and never exceed a cap. Background retries never wait for an
  item's lock (``SKIP LOCKED``): a user's change of that item goes first, and it cannot
  deadlock with them.
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
from conveyor.domain.assignment_queue import WaitingEntry
from conveyor.domain.crm_items import CrmItem
from conveyor.domain.custom_fields import missing_required
from conveyor.domain.distribution_rules import (
    MAX_PRIORITY,
    RESPONSIBLE,
    DistributionRule,
    RuleEntity,
)
from conveyor.domain.errors import ExpressionFailed, InvalidExpression
from conveyor.domain.tasks import MemberRole, Task
from conveyor.engines.assignment import (
    CandidateSnapshot,
    Decision,
    RuleSettings,
    Strategy,
    WorkItem,
    decide,
    explain,
)
from conveyor.services.assignment_context import compiled, weigh
from conveyor.services.assignment_failures import (
    RuleFailure,
    announce_failure,
    failed_decision,
    failure_data,
    failure_sentence,
    note_failure,
)
from conveyor.services.assignment_notices import notify_assignee
from conveyor.services.assignment_subjects import (
    DealOrLead,
    NewTask,
    Subject,
    exists,
    locked,
    subjects,
)
from conveyor.services.candidates import rule_snapshots
from conveyor.storage.unit_of_work import UnitOfWork

#: Rule-driven moves that may follow one stage entry (see the module docstring).
MAX_CASCADE = 5
#: Waiting entries tried before a rule decides a new entry (so it cannot jump the queue).
RETRY_ON_ENTRY = 200


def assign_on_entry(
    uow: UnitOfWork, item: CrmItem, *, now: datetime, depth: int = 0
) -> AssignmentDecision | None:
    """Decide who gets ``item`` for its current stage entry, apply it and record it.

    Returns the decision (the earlier one when this entry was already decided), or ``None``
    when no rule applies. ``depth`` counts the rule-driven moves that led here.
    """
    return _assign(uow, DealOrLead(item), now=now, depth=depth)


def assign_new_task(uow: UnitOfWork, task: Task, *, now: datetime) -> AssignmentDecision | None:
    """Decide who gets a task created without a responsible (held by its creator until
    then): the enabled task rules are tried like a stage's rules. ``None`` when no rule
    takes it. Runs inside the caller's transaction, like ``assign_on_entry``."""
    return _assign(uow, NewTask(task), now=now, depth=0)


def _assign(
    uow: UnitOfWork, subject: Subject, *, now: datetime, depth: int
) -> AssignmentDecision | None:
    entity = subject.entity
    decisions = uow.assignment_decisions
    earlier = decisions.for_entry(entity.value, subject.id, subject.stage_id, subject.entered_at)
    if earlier is not None or depth >= MAX_CASCADE:
        return earlier
    skipped: list[dict[str, Any]] = []
    for rule in uow.distribution_rules.triggered_at(entity, subject.stage_id):
        weight = _matches(uow, rule, subject, skipped)
        if weight is None:
            continue
        assert rule.id is not None
        uow.assignment_decisions.serialize()
        current = uow.distribution_rules.reread(rule.id)
        if (
            current is None
            or not current.enabled
            or current.trigger_stage_id != rule.trigger_stage_id
        ):
            skipped.append(_skip(rule, "the rule changed meanwhile"))
            continue
        if current.version != rule.version:
            weight = _matches(uow, current, subject, skipped)
            if weight is None:
                continue
        if isinstance(weight, RuleFailure):
            return _fail(uow, current, subject, weight, skipped, now=now)
        _, view = _drain(uow, current, now=now, limit=RETRY_ON_ENTRY, note_attempts=False)
        return _apply(uow, current, subject, weight, skipped, now=now, depth=depth, view=view)
    return None


def _fail(
    uow: UnitOfWork,
    rule: DistributionRule,
    item: Subject,
    failure: RuleFailure,
    skipped: list[dict[str, Any]],
    *,
    now: datetime,
) -> AssignmentDecision:
    """Record that ``rule`` could not be computed for the entry, and say so aloud."""
    record = failed_decision(
        rule,
        entity=item.entity.value,
        item_id=item.id,
        stage_id=item.stage_id,
        entered_at=item.entered_at,
        failure=failure,
        skipped=skipped,
        now=now,
    )
    decisions = uow.assignment_decisions
    if not decisions.claim(record):
        earlier = decisions.for_entry(record.entity_type, item.id, item.stage_id, item.entered_at)
        assert earlier is not None
        return earlier
    announce_failure(uow, record, now=now)
    return record


def choose_by_rule(
    uow: UnitOfWork, rule_id: int, item: CrmItem, *, now: datetime
) -> tuple[DistributionRule, Decision] | None:
    """Who rule ``rule_id`` would give ``item`` to now, decided as on a stage entry (the
    assignment lock, the rule re-read under it, its pool, loads, caps and strategy), for a
    hand-over someone asked for by naming the rule (a robot's "change responsible"): the
    rule's trigger stage and condition do not apply, nothing is recorded and the item
    does not queue. Round robin advances when someone is chosen; the caller hands over.

    ``None`` when the rule is gone or disabled. Raises ``ExpressionFailed`` when its
    weight cannot weigh the item. Runs inside the caller's transaction.
    """
    uow.assignment_decisions.serialize()
    rule = uow.distribution_rules.reread(rule_id)
    if rule is None or not rule.enabled:
        return None
    assert rule.id is not None
    subject = DealOrLead(item)
    expression = compiled(rule.weight, rule.entity_type, "weight")
    weight = weigh(expression, subject.context(uow, expression.names))
    view = _PoolView.read(uow, rule, now=now)
    decision = view.decide(_work(rule, subject, weight), rule_settings(rule), now=now)
    if decision.chosen_id is not None:
        uow.assignment_decisions.store_cursor(rule.id, decision.chosen_id, now=now)
    return rule, decision


def assign_waiting(
    uow: UnitOfWork,
    rule: DistributionRule,
    *,
    now: datetime,
    limit: int = 200,
    note_attempts: bool = False,
) -> int:
    """Try the first ``limit`` entries of ``rule``'s queue (priority, then age) and assign
    each one someone is free for; returns how many were assigned. ``note_attempts`` counts
    the attempt on each entry left waiting (the sweep does; event-driven retries do not, so
    that a busy queue is not rewritten on every change).

    Runs inside the caller's transaction, which holds the assignment lock
    (``uow.assignment_decisions.serialize()``) and has re-read ``rule`` after taking it.
    An entry whose item has moved on, been closed, or no longer matches the rule leaves the
    queue (``AssignmentWaitingEnded``). An entry whose item another transaction is changing
    right now is skipped: that change retries the queue itself when it frees capacity.

    Cost: two reads for the whole queue, then a pure engine run per entry with the weight it
    waits with; the pool is read again only after an assignment (a failed attempt changes no
    load), and only an entry that fits is locked, re-checked and weighed afresh.
    """
    return _drain(uow, rule, now=now, limit=limit, note_attempts=note_attempts)[0]


def _drain(
    uow: UnitOfWork, rule: DistributionRule, *, now: datetime, limit: int, note_attempts: bool
) -> tuple[int, _PoolView | None]:
    """``assign_waiting``; also returns the pool view it ended with, when still current."""
    assert rule.id is not None
    if not rule.enabled:
        return 0, None
    queue = uow.assignment_queue
    entries = queue.waiting(rule.id, limit=limit, lock=True)
    if not entries:
        return 0, None
    entity = rule.entity_type.value
    found = subjects(uow, entity, [e.item_id for e in entries])
    settings = rule_settings(rule)
    view: _PoolView | None = None
    assigned = 0
    for entry in entries:
        subject = found.get(entry.item_id)
        if subject is None:
            leave_queue(uow, entry, "the item no longer exists", now)
            continue
        if not subject.still_waits(entry):
            leave_queue(uow, entry, _moved_on(subject), now)
            continue
        if entry.stage_id != rule.trigger_stage_id:
            leave_queue(uow, entry, "the rule no longer starts at this stage", now)
            continue
        if view is None:
            view = _PoolView.read(uow, rule, now=now)
        first_look = view.decide(_work(rule, subject, entry.weight), settings, now=now)
        if first_look.chosen_id is None:
            if note_attempts:
                entry.tried(now)
            continue
        held = locked(uow, entity, entry.item_id)
        if held is None:
            if not exists(uow, entity, entry.item_id):
                leave_queue(uow, entry, "the item no longer exists", now)
            continue
        if not held.still_waits(entry):
            leave_queue(uow, entry, _moved_on(held), now)
            continue
        skipped: list[dict[str, Any]] = []
        weight = _matches(uow, rule, held, skipped)
        if weight is None:
            why = skipped[0]["why"] if skipped else "the rule no longer takes it"
            leave_queue(uow, entry, f"the rule no longer takes it: {why}", now)
            continue
        if isinstance(weight, RuleFailure):
            record = uow.assignment_decisions.get(entry.decision_id)
            record.fail_after_waiting(
                data=failure_data(rule, weight, skipped),
                sentence=failure_sentence(rule, held.entity.value, held.id, weight),
                now=now,
            )
            leave_queue(uow, entry, f"the rule failed: {weight.field}: {weight.reason}", now)
            announce_failure(uow, record, now=now)
            continue
        decision = view.decide(_work(rule, held, weight), settings, now=now)
        if decision.chosen_id is None:
            entry.weight = weight
            continue
        view = None
        record = uow.assignment_decisions.get(entry.decision_id)
        next_stage = _next_stage_for(uow, rule, held, decision.chosen_id)
        record.assign_after_waiting(
            chosen_id=decision.chosen_id,
            data=_decision_data(rule, decision, skipped, next_stage),
            sentence=explain(decision),
            now=now,
        )
        queue.delete(entry)
        _carry_out(uow, rule, held, record, next_stage, now=now, depth=0)
        assigned += 1
    uow.flush()
    return assigned, view


def _moved_on(subject: Subject) -> str:
    if subject.entity is RuleEntity.TASK:
        return "the task was closed or handed to someone"
    return "the item left the stage"


@dataclass(frozen=True, kw_only=True)
class _PoolView:
    """The rule's pool as the engine sees it at one moment, and where round robin stands."""

    snapshots: list[CandidateSnapshot]
    cursor: int | None

    @classmethod
    def read(cls, uow: UnitOfWork, rule: DistributionRule, *, now: datetime) -> _PoolView:
        assert rule.id is not None
        snapshots = rule_snapshots(uow, rule, now=now, store=True)
        return cls(snapshots=snapshots, cursor=uow.assignment_decisions.cursor(rule.id))

    def decide(self, work: WorkItem, settings: RuleSettings, *, now: datetime) -> Decision:
        return decide(work, self.snapshots, settings, now=now, round_robin_cursor=self.cursor)


def leave_queue(uow: UnitOfWork, entry: WaitingEntry, why: str, now: datetime) -> None:
    """The entry stops waiting unassigned (its decision stays ``nobody_free``), said aloud
    with ``AssignmentWaitingEnded``."""
    uow.assignment_queue.delete(entry)
    uow.emit(entry.left(why, now))


@dataclass(frozen=True, kw_only=True)
class _NextStage:
    stage_id: int
    missing_field: str | None

    def as_data(self) -> dict[str, object]:
        moved = self.missing_field is None
        return {"stage_id": self.stage_id, "moved": moved, "missing_field": self.missing_field}


def _matches(
    uow: UnitOfWork, rule: DistributionRule, item: Subject, skipped: list[dict[str, Any]]
) -> Decimal | RuleFailure | None:
    """The item's weight under ``rule`` when the rule takes it, ``None`` (noted in
    ``skipped``) when its condition is false, the failure when the condition or the weight
    cannot be computed for the item."""
    entity = rule.entity_type
    part = "condition"
    try:
        if rule.condition is not None:
            condition = compiled(rule.condition, entity, "condition")
            if not condition.test(item.context(uow, condition.names)):
                skipped.append(_skip(rule, "condition is false"))
                return None
        part = "weight"
        weight = compiled(rule.weight, entity, "weight")
        return weigh(weight, item.context(uow, weight.names))
    except (ExpressionFailed, InvalidExpression) as failed:
        # A stored expression that no longer compiles (InvalidExpression) fails alike.
        return RuleFailure.of(failed, field=part)


def _apply(
    uow: UnitOfWork,
    rule: DistributionRule,
    item: Subject,
    weight: Decimal,
    skipped: list[dict[str, Any]],
    *,
    now: datetime,
    depth: int,
    view: _PoolView | None = None,
) -> AssignmentDecision:
    assert rule.id is not None
    if view is None:
        view = _PoolView.read(uow, rule, now=now)
    decision = view.decide(_work(rule, item, weight), rule_settings(rule), now=now)
    chosen_id = decision.chosen_id
    next_stage = None if chosen_id is None else _next_stage_for(uow, rule, item, chosen_id)
    data = _decision_data(rule, decision, skipped, next_stage)
    priority, priority_failure = 0, None
    if chosen_id is None:
        priority, priority_failure = _queue_priority(uow, rule, item)
        if priority_failure is not None:
            data["queue_priority_failed"] = priority_failure.as_data()
    record = AssignmentDecision(
        rule_id=rule.id,
        rule_version=rule.version,
        entity_type=item.entity.value,
        item_id=item.id,
        stage_id=item.stage_id,
        stage_entered_at=item.entered_at,
        decided_at=now,
        chosen_id=chosen_id,
        outcome=AssignmentOutcome.NOBODY_FREE if chosen_id is None else AssignmentOutcome.ASSIGNED,
        data=data,
        sentence=explain(decision),
    )
    decisions = uow.assignment_decisions
    if not decisions.claim(record):
        # Someone decided this entry in the meantime: theirs stands, nothing is applied.
        earlier = decisions.for_entry(record.entity_type, item.id, item.stage_id, item.entered_at)
        assert earlier is not None
        return earlier
    if chosen_id is None:
        assert record.id is not None
        if priority_failure is not None:
            note_failure(priority_failure, rule, item.entity.value, item.id)
        uow.assignment_queue.enqueue(
            WaitingEntry(
                rule_id=rule.id,
                entity_type=record.entity_type,
                item_id=item.id,
                stage_id=item.stage_id,
                stage_entered_at=item.entered_at,
                decision_id=record.id,
                weight=weight,
                priority=priority,
                queued_at=now,
            )
        )
        uow.emit(record.event())
        return record
    _carry_out(uow, rule, item, record, next_stage, now=now, depth=depth)
    return record


def _carry_out(
    uow: UnitOfWork,
    rule: DistributionRule,
    item: Subject,
    record: AssignmentDecision,
    next_stage: _NextStage | None,
    *,
    now: datetime,
    depth: int,
) -> None:
    """Apply an ``assigned`` decision: set the target, advance round robin, tell the
    assignee (``ItemAssigned``), and move the item on when the rule says so."""
    assert rule.id is not None and record.chosen_id is not None
    uow.emit(*item.hand_to(rule, record.chosen_id, now=now))
    if isinstance(item, NewTask):
        _no_longer_a_member(uow, item, record.chosen_id)
    uow.assignment_decisions.store_cursor(rule.id, record.chosen_id, now=now)
    uow.emit(record.event())
    notify_assignee(uow, record, now=now)
    if next_stage is not None and next_stage.missing_field is None:
        assert isinstance(item, DealOrLead)
        uow.emit(item.item.move_to(uow.stages.get(next_stage.stage_id), now=now))
        uow.flush()
        assign_on_entry(uow, item.item, now=now, depth=depth + 1)
        # Imported here: robots hand items over through this module (a cycle at import).
        from conveyor.services.robot_runs import start_robots

        # The stage it reached starts its robots (once per entry: on a move by hand the
        # caller's own call finds them started), and the left stage's delays are cancelled.
        start_robots(uow, item.item, now=now)


def _no_longer_a_member(uow: UnitOfWork, task: NewTask, responsible_id: int) -> None:
    """The task's new responsible leaves its co-executors and observers (a task's
    responsible is neither)."""
    for role in (MemberRole.CO_EXECUTOR, MemberRole.OBSERVER):
        members = uow.tasks.member_ids(task.id, role)
        if responsible_id in members:
            uow.tasks.set_members(task.id, role, sorted(members - {responsible_id}))


def _decision_data(
    rule: DistributionRule,
    decision: Decision,
    skipped: list[dict[str, Any]],
    next_stage: _NextStage | None,
) -> dict[str, Any]:
    return {
        **decision.as_data(),
        "rule": {"id": rule.id, "version": rule.version, "name": rule.name},
        "skipped_rules": skipped,
        "next_stage": None if next_stage is None else next_stage.as_data(),
    }


def _next_stage_for(
    uow: UnitOfWork, rule: DistributionRule, item: Subject, chosen_id: int
) -> _NextStage | None:
    if rule.next_stage_id is None or not isinstance(item, DealOrLead):
        return None
    return _next_stage(uow, rule, item.item, rule.next_stage_id, chosen_id)


def _queue_priority(
    uow: UnitOfWork, rule: DistributionRule, item: Subject
) -> tuple[int, RuleFailure | None]:
    """The entry's place in the queue by the rule's ``queue_priority`` (0 without one, or
    when it cannot be computed for this item: the entry then waits by age alone, and the
    failure is returned to be noted)."""
    if rule.queue_priority is None:
        return 0, None
    try:
        expression = compiled(rule.queue_priority, rule.entity_type, "queue_priority")
        value = expression.evaluate(item.context(uow, expression.names))
    except (ExpressionFailed, InvalidExpression) as failed:
        return 0, RuleFailure.of(failed, field="queue_priority")
    if value is None:
        return 0, None  # an empty value: no priority, like a rule without one
    if isinstance(value, bool):
        return int(value), None
    if not isinstance(value, int | float | Decimal) or not Decimal(value).is_finite():
        return 0, RuleFailure(field="queue_priority", message=f"not a number but {value!r}"[:200])
    return max(-MAX_PRIORITY, min(MAX_PRIORITY, int(value))), None


def rule_settings(rule: DistributionRule) -> RuleSettings:
    """The rule's switches as the engine takes them."""
    return RuleSettings(
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


def _work(rule: DistributionRule, item: Subject, weight: Decimal) -> WorkItem:
    return WorkItem(
        item_id=item.id,
        entity=item.entity.value,
        weight=weight,
        required_skill=_skill(rule, item),
        previous_owner_id=item.holder(rule) if rule.never_previous_owner else None,
    )


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


def _skill(rule: DistributionRule, item: Subject) -> str | None:
    if rule.skill_field is None:
        return None
    value = item.fields.get(rule.skill_field)
    return None if value is None or str(value).strip() == "" else str(value)


def _skip(rule: DistributionRule, why: str) -> dict[str, Any]:
    return {"rule_id": rule.id, "version": rule.version, "why": why[:500]}
