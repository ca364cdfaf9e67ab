"""When waiting entries are tried again: the moment capacity may have freed, and a sweep.

Capacity frees when an in-work item leaves its stage or changes hands, a task closes or
changes hands, someone opens (or resumes) their working day, an absence is cancelled or
shortened, or a rule changes. The services making those changes call the matching
``retry_after_*`` function INSIDE their own transaction, so the change and the assignments
it allows commit together (or not at all). Each retry looks only at the rules it can
concern, and costs one query when no entry waits.

``sweep_assignments`` is the safety net for what no event announces (an absence simply
ending, working hours starting, a new colleague): it tries every rule's queue and escalates
entries waiting too long, one short transaction per rule. It is idempotent: a crash
anywhere leaves every entry still queued, and the next sweep goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from conveyor.domain.crm_items import CrmItem
from conveyor.domain.departments import chain_of_heads
from conveyor.domain.distribution_rules import RESPONSIBLE, DistributionRule
from conveyor.services.assignment import assign_waiting, leave_queue
from conveyor.services.assignment_notices import notify_escalation
from conveyor.storage.unit_of_work import UnitOfWork

log = logging.getLogger("conveyor.assignment")

#: Entries tried per rule by an event-driven retry (the sweep tries more). A try that
#: does not fit costs a pure engine run, so a retry over a long queue stays cheap.
RETRY_LIMIT = 200
#: Entries tried per rule by one sweep.
SWEEP_LIMIT = 500
#: The sweep's interval: default and bounds, in seconds.
SWEEP_SECONDS = 60.0
MIN_SWEEP_SECONDS = 1.0
MAX_SWEEP_SECONDS = 3600.0


def retry_waiting(
    uow: UnitOfWork,
    *,
    now: datetime,
    concerned: Callable[[DistributionRule], bool] = lambda rule: True,
    rule_ids: Collection[int] | None = None,
    limit: int = RETRY_LIMIT,
    note_attempts: bool = False,
) -> int:
    """Try the queues of the rules with waiting entries that ``concerned`` selects (of
    ``rule_ids`` when given); inside the caller's transaction. Returns how many were
    assigned."""
    chosen = []
    for rule_id in uow.assignment_queue.rules_waiting(rule_ids):
        rule = uow.distribution_rules.find(rule_id)
        if rule is not None and rule.enabled and concerned(rule):
            chosen.append(rule_id)
    if not chosen:
        return 0
    uow.assignment_decisions.serialize()
    assigned = 0
    for rule_id in chosen:
        current = uow.distribution_rules.reread(rule_id)
        if current is None or not current.enabled:
            continue
        assigned += assign_waiting(uow, current, now=now, limit=limit, note_attempts=note_attempts)
    return assigned


def leave_queue_if_moved(uow: UnitOfWork, item: CrmItem, *, now: datetime) -> None:
    """The item's waiting entries for stage entries it has left end now (their decision
    stays ``nobody_free``), so that queues hold only items still where they waited."""
    assert item.id is not None
    for entry in uow.assignment_queue.for_item(item.entity_type.value, item.id):
        if (entry.stage_id, entry.stage_entered_at) != (item.stage_id, item.stage_entered_at):
            leave_queue(uow, entry, "the item left the stage", now)


def leave_queue_if_handed_over(
    uow: UnitOfWork, item: CrmItem, changed: Collection[str], *, now: datetime
) -> None:
    """Someone set by hand what a waiting entry's rule would set (the responsible, or the
    rule's target field, among ``changed``): the entry ends, and the rule will not take the
    item back from whoever was given it."""
    assert item.id is not None
    for entry in uow.assignment_queue.for_item(item.entity_type.value, item.id):
        rule = uow.distribution_rules.find(entry.rule_id)
        target = (
            "responsible_id"
            if rule is None or rule.target_field == RESPONSIBLE
            else rule.target_field
        )
        if target in changed:
            leave_queue(uow, entry, "it was handed to someone by hand", now)


def retry_after_item_left(
    uow: UnitOfWork, item: CrmItem, left_stage_id: int | None, *, now: datetime
) -> int:
    """An item left ``left_stage_id`` (moved, changed pipeline, closed): its own waiting
    entries end, and rules counting that stage as in work may have room now."""
    leave_queue_if_moved(uow, item, now=now)
    if left_stage_id is None:
        return 0
    return retry_waiting(
        uow, now=now, concerned=lambda rule: left_stage_id in rule.in_work_stage_ids
    )


def retry_after_item_handed_over(uow: UnitOfWork, item: CrmItem, *, now: datetime) -> int:
    """An item changed responsible: its former responsible may have room, under the rules
    counting its stage as in work."""
    stage_id = item.stage_id
    return retry_waiting(uow, now=now, concerned=lambda rule: stage_id in rule.in_work_stage_ids)


def retry_after_task_change(uow: UnitOfWork, *, now: datetime) -> int:
    """A task closed or changed hands: rules counting open tasks as in work may have room."""
    return retry_waiting(uow, now=now, concerned=lambda rule: rule.count_open_tasks)


def retry_after_day_change(uow: UnitOfWork, *, now: datetime) -> int:
    """Someone opened or resumed their working day."""
    return retry_waiting(uow, now=now, concerned=lambda rule: rule.respect_day_status)


def retry_after_absence_change(uow: UnitOfWork, *, now: datetime) -> int:
    """An absence was cancelled, shortened or moved."""
    return retry_waiting(uow, now=now, concerned=lambda rule: rule.respect_absences)


def retry_after_rule_change(uow: UnitOfWork, rule_id: int, *, now: datetime) -> int:
    """A rule changed (pool, caps, switches, ...): its own queue may move."""
    return retry_waiting(uow, now=now, rule_ids=[rule_id])


@dataclass(frozen=True, kw_only=True)
class SweepResult:
    rules: int
    assigned: int
    escalated: int


def sweep_assignments(uow: UnitOfWork, *, now: datetime, limit: int = SWEEP_LIMIT) -> SweepResult:
    """Try every rule's queue and escalate entries waiting too long; one transaction per
    rule, then one for the escalations."""
    with uow:
        rule_ids = uow.assignment_queue.rules_waiting()
    assigned = 0
    for rule_id in rule_ids:
        try:
            with uow:
                assigned += retry_waiting(
                    uow, now=now, rule_ids=[rule_id], limit=limit, note_attempts=True
                )
                uow.commit()
        except Exception:  # one rule's trouble must not stop the others' sweep
            log.exception("The sweep of rule %s failed; it is tried again next sweep", rule_id)
    with uow:
        escalated = escalate_waiting(uow, now=now)
        uow.commit()
    return SweepResult(rules=len(rule_ids), assigned=assigned, escalated=escalated)


def escalate_waiting(uow: UnitOfWork, *, now: datetime) -> int:
    """Entries waiting longer than their rule's ``escalate_after_minutes`` are escalated once:
    ``AssignmentEscalated`` names the heads to notify (the heads of the rule's departments;
    for a rule of named employees only, the heads of their departments), and each of them
    is notified in the same transaction."""
    escalated = 0
    heads: dict[int, tuple[str, list[int]]] = {}
    for entry, minutes in uow.assignment_queue.escalation_candidates(now):
        if not entry.due_for_escalation(minutes, now):
            continue
        if entry.rule_id not in heads:
            rule = uow.distribution_rules.get(entry.rule_id)
            heads[entry.rule_id] = (rule.name, _rule_heads(uow, rule))
        name, head_ids = heads[entry.rule_id]
        escalation = entry.escalate(head_ids, name, now)
        uow.emit(escalation)
        notify_escalation(uow, escalation)
        escalated += 1
    uow.flush()
    return escalated


def _rule_heads(uow: UnitOfWork, rule: DistributionRule) -> list[int]:
    """The heads told about the rule's long waits: the head of each of its departments (of
    its employees' departments when it names people), or, when that head is dismissed, the
    nearest active head above; each head once."""
    department_ids = list(rule.department_ids)
    if not department_ids:
        for employee_id in rule.employee_ids:
            memberships = uow.memberships.where(employee_id=employee_id)
            department_ids += [m.department_id for m in memberships]
    departments = uow.departments.where()
    found: list[int] = []
    for department_id in department_ids:
        for head_id in chain_of_heads(department_id, departments):
            head = uow.employees.find(head_id)
            if head is not None and head.is_active:
                if head_id not in found:
                    found.append(head_id)
                break
    return found
