"""Triggers firing: something happened to an item, and a trigger moves it to its stage.

Every function here runs INSIDE the caller's open unit of work (the transaction of the
communication, the payment, the task completion, the field change, the webhook call) and
never commits: the move, the robots it starts and the runs recorded commit with the event
or not at all. A move that is refused never fails the event: the run records why.

For one event on one item:

1. The enabled triggers of the item's pipeline that react to the event (its kind and the
   trigger's parameters: ``domain.trigger_events``) are tried in order: the furthest target
   stage first (a payment that pays the deal in full does not stop at "Prepayment"), each
   stage's own list in its order.
2. Each gets a run (``domain.trigger_runs``; a communication with a contact or company
   reaches its items with only the triggers that may move each from where it is, so those
   at or past a trigger's stage get no run): ``not_applicable`` unless the trigger may move
   the item from where it is (forward from an open stage, unless ``allow_backwards``);
   ``condition_false`` unless its condition holds (the robots' evaluator and context);
   ``stopped_by_depth_limit`` when the chain is too deep (below); ``refused`` when the move
   is (a field required at the target is empty: nothing of it is kept); else ``moved``.
3. The first that moves wins: the item moves once per event, later triggers are not tried.

The move is a move by hand's (``stage_entry.enter_stage``): required fields, waiting queues,
the assignment rules at the target, then the target's robots, one level deeper in the chain.
A field set by a robot's action fires its triggers too; that move is left to the robot runs
(``stage_entry.move_to_stage``): they start the next stage's robots once the acting run is
recorded, as for a robot's own ``change_stage``.

Depth: the automatic moves (robots', triggers') that led to the event in its transaction: 0
for an event from outside (a communication, a payment, a task, a change by hand, a webhook
call), the depth of the robot's stage entry for a field a robot set. A trigger's move would
be one more; it is made only while that stays below ``robot_runs.MAX_CASCADE``, the depth
from which robots no longer start, so a trigger never moves an item to a stage whose robots
would not run. Otherwise the run ends ``stopped_by_depth_limit`` and a WARNING names the
trigger, the item and the depth.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from conveyor.domain.communications import Communication
from conveyor.domain.crm_items import CrmItem
from conveyor.domain.errors import Conflict, ConveyorError, ExpressionFailed, InvalidValue
from conveyor.domain.payments import Payment, paid_total
from conveyor.domain.pipelines import Stage
from conveyor.domain.tasks import Task, TaskStatus
from conveyor.domain.trigger_events import (
    CommunicationReceived,
    FieldChanged,
    HookCalled,
    Occurrence,
    PaymentRegistered,
    TaskCompleted,
)
from conveyor.domain.trigger_runs import MAX_DETAIL, Outcome, TriggerRun, applicability
from conveyor.domain.triggers import Trigger
from conveyor.services.robot_checks import condition
from conveyor.services.robot_context import robot_context
from conveyor.services.stage_entry import chain_limit, enter_stage, move_to_stage
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = [
    "communication_logged",
    "field_set_by_robot",
    "fields_changed",
    "fire",
    "hook_called",
    "payment_registered",
    "task_finished",
]

log = logging.getLogger("conveyor.triggers")

#: The outcomes after which no other trigger is tried for the event.
FINAL = frozenset({Outcome.MOVED, Outcome.STOPPED_BY_DEPTH_LIMIT})


def communication_logged(uow: UnitOfWork, communication: Communication, *, now: datetime) -> None:
    """A communication was logged: on an item, for that item; otherwise for the items of
    its contact or company (open ones, and closed ones where a trigger may reopen them),
    each tried only with the triggers that may move it from where it is: a client's deals
    already at or past a trigger's stage get no "not applicable" run at every call."""
    assert communication.id is not None
    occurrence = CommunicationReceived(
        communication_id=communication.id,
        channel=communication.kind.value,
        direction=communication.direction.value,
    )
    if communication.item_id is not None:
        _fire_on(uow, communication.item_id, [occurrence], now=now)
        return
    pipelines = uow.triggers.pipelines_reacting(occurrence.event)
    item_ids = uow.triggers.items_of_clients(
        contact_id=communication.contact_id,
        company_id=communication.company_id,
        pipelines=pipelines,
    )
    for item_id in item_ids:
        _fire_on(uow, item_id, [occurrence], now=now, applicable_only=True)


def task_finished(uow: UnitOfWork, task: Task, *, now: datetime) -> None:
    """A task changed status: when it is now completed and linked to an item, for that item."""
    if task.status is not TaskStatus.COMPLETED or task.item_id is None:
        return
    assert task.id is not None
    _fire_on(uow, task.item_id, [TaskCompleted(task_id=task.id)], now=now)


def fields_changed(
    uow: UnitOfWork, item: CrmItem, before: Mapping[str, Any], *, now: datetime
) -> None:
    """``item``'s custom values changed from ``before`` (all of them, as they were): one
    event, however many fields changed, so the item moves at most once. ``item`` is locked
    by the caller."""
    changes = _field_changes(item, before)
    if changes:
        fire(uow, item, changes, now=now)


def field_set_by_robot(
    uow: UnitOfWork, item: CrmItem, code: str, before: Any, *, now: datetime, depth: int
) -> bool:
    """A robot's action set ``item``'s field ``code`` (it held ``before``) at ``depth`` (its
    run's entry's); whether a trigger moved the item. The robots of the stage it reached are
    the robot runs' to start (they do, for an action that moved the item)."""
    changes = _field_changes(item, {**item.fields, code: before})
    runs = fire(uow, item, changes, now=now, depth=depth, start_robots=False) if changes else []
    return any(run.outcome is Outcome.MOVED for run in runs)


def payment_registered(uow: UnitOfWork, item: CrmItem, payment: Payment, *, now: datetime) -> None:
    """A payment was registered on ``item`` (locked by the caller; ``payment`` is stored)."""
    assert payment.id is not None and item.id is not None
    occurrence = PaymentRegistered(
        payment_id=payment.id,
        amount=payment.amount,
        currency=payment.currency,
        paid_total=paid_total(uow.payments.of_item(item.id), item.currency),
        item_amount=item.amount,
        item_currency=item.currency,
    )
    fire(uow, item, [occurrence], now=now)


def hook_called(uow: UnitOfWork, trigger: Trigger, item: CrmItem, *, now: datetime) -> TriggerRun:
    """``trigger``'s URL was called for ``item`` (of the trigger's pipeline, locked by the
    caller): that trigger alone is tried, and its run recorded whatever the outcome
    (disabled, already there...)."""
    stages = _stages(uow, item)
    return _try(uow, trigger, item, HookCalled(), stages, depth=0, now=now)


def fire(
    uow: UnitOfWork,
    item: CrmItem,
    occurrences: Sequence[Occurrence],
    *,
    now: datetime,
    depth: int = 0,
    start_robots: bool = True,
    applicable_only: bool = False,
) -> list[TriggerRun]:
    """Try the triggers of ``item``'s pipeline for ``occurrences`` (of one event kind, one
    event; a trigger matched by any of them is tried with the first it matches) at chain
    ``depth`` and return the runs recorded (see the module). ``item`` is locked by the
    caller; ``start_robots=False`` leaves the target's robots to the caller;
    ``applicable_only`` skips, without a run, the triggers that may not move the item from
    where it is."""
    stages = _stages(uow, item) if applicable_only else None
    matched = _matched(uow, item, occurrences, stages)
    if not matched:
        return []
    stages = stages or _stages(uow, item)
    runs: list[TriggerRun] = []
    for trigger, occurrence in matched:
        run = _try(
            uow, trigger, item, occurrence, stages, depth=depth, now=now, start_robots=start_robots
        )
        runs.append(run)
        if run.outcome in FINAL:
            break
    return runs


def _fire_on(
    uow: UnitOfWork,
    item_id: int,
    occurrences: Sequence[Occurrence],
    *,
    now: datetime,
    applicable_only: bool = False,
) -> None:
    """``fire`` for the item with ``item_id``, locked first (when any trigger may care)."""
    item = uow.items.find(item_id)
    if item is None:
        return
    stages = _stages(uow, item) if applicable_only else None
    if not _matched(uow, item, occurrences, stages):
        return
    locked = uow.items.find(item_id, for_update=True)
    if locked is not None:
        fire(uow, locked, occurrences, now=now, applicable_only=applicable_only)


def _matched(
    uow: UnitOfWork,
    item: CrmItem,
    occurrences: Sequence[Occurrence],
    stages: Mapping[int, Stage] | None,
) -> list[tuple[Trigger, Occurrence]]:
    """The triggers to try for ``item``, in order, each with the occurrence it matches;
    given the pipeline's ``stages``, only those that may move the item from where it is."""
    matched = []
    for trigger in uow.triggers.reacting(item.pipeline_id, occurrences[0].event):
        found = next((o for o in occurrences if o.matches(trigger.params)), None)
        if found is None:
            continue
        if stages is not None and not _may_move(trigger, item, stages):
            continue
        matched.append((trigger, found))
    return matched


def _may_move(trigger: Trigger, item: CrmItem, stages: Mapping[int, Stage]) -> bool:
    target = stages.get(trigger.stage_id)
    if target is None:
        return False
    current = stages[item.stage_id]
    return applicability(current, target, allow_backwards=trigger.allow_backwards, what="") is None


def _try(
    uow: UnitOfWork,
    trigger: Trigger,
    item: CrmItem,
    occurrence: Occurrence,
    stages: Mapping[int, Stage],
    *,
    depth: int,
    now: datetime,
    start_robots: bool = True,
) -> TriggerRun:
    """Decide, move if it may, and record the run."""
    assert trigger.id is not None and item.id is not None
    target = stages.get(trigger.stage_id)
    held = _held(uow, trigger, item, stages[item.stage_id], target, depth=depth)
    run = TriggerRun(
        trigger_id=trigger.id,
        trigger_version=trigger.version,
        trigger_name=trigger.name,
        entity_type=item.entity_type.value,
        item_id=item.id,
        event=trigger.event.value,
        event_data=occurrence.data(),
        outcome=Outcome.MOVED if held is None else held[0],
        detail="" if held is None else held[1],
        from_stage_id=item.stage_id,
        to_stage_id=trigger.stage_id,
        depth=depth,
        created_at=now,
    )
    # Recorded before the move: the runs of what the move sets off come after it.
    uow.trigger_runs.add(run)
    if held is None:
        assert target is not None
        outcome, detail = _move(uow, item, target, depth, now, start_robots)
        run.outcome, run.detail = outcome, detail[:MAX_DETAIL]
    uow.emit(run.recorded())
    return run


def _held(
    uow: UnitOfWork,
    trigger: Trigger,
    item: CrmItem,
    current: Stage,
    target: Stage | None,
    *,
    depth: int,
) -> tuple[Outcome, str] | None:
    """Why the trigger must not move the item now (the outcome and its words), or ``None``."""
    what = f"{item.entity_type.value} {item.id}"
    if not trigger.enabled:
        return Outcome.NOT_APPLICABLE, "the trigger is disabled"
    if target is None:
        return Outcome.NOT_APPLICABLE, f"{what} is in another pipeline than the trigger's stage"
    reason = applicability(current, target, allow_backwards=trigger.allow_backwards, what=what)
    if reason is not None:
        return Outcome.NOT_APPLICABLE, reason
    if trigger.condition is not None:
        try:
            expression = condition(trigger.condition, trigger.entity_type)
            holds = expression.test(robot_context(uow, item, expression.names))
        except (ExpressionFailed, InvalidValue) as failed:
            return Outcome.CONDITION_FALSE, f"the condition could not be evaluated: {failed}"
        if not holds:
            return Outcome.CONDITION_FALSE, f"the condition is false: {trigger.condition}"
    limit = chain_limit()
    if depth + 1 >= limit:
        log.warning(
            "Trigger %s (version %s, «%s») stopped by the depth limit: %s would be moved to "
            "stage %s as automatic move %s of one chain, and robots start only below %s; "
            "it stays at stage %s",
            trigger.id,
            trigger.version,
            trigger.name,
            what,
            target.id,
            depth + 1,
            limit,
            current.id,
        )
        return Outcome.STOPPED_BY_DEPTH_LIMIT, (
            f"{what} had already been moved {depth} times automatically in this chain; a "
            f"move to «{target.name}» would reach the limit of {limit}"
        )
    return None


def _move(
    uow: UnitOfWork,
    item: CrmItem,
    target: Stage,
    depth: int,
    now: datetime,
    start_robots: bool,
) -> tuple[Outcome, str]:
    """Move the item as by hand; a refusal leaves nothing of the move (a savepoint)."""
    try:
        with uow.trigger_runs.savepoint():
            if start_robots:
                enter_stage(uow, item, target, now=now, depth=depth + 1)
            else:
                move_to_stage(uow, item, target, now=now)
            uow.flush()
    except Conflict:
        # The transaction itself is lost (a concurrent write): the caller fails and retries.
        raise
    except ConveyorError as refused:
        return Outcome.REFUSED, refused.message
    return Outcome.MOVED, f"moved to «{target.name}»"


def _field_changes(item: CrmItem, before: Mapping[str, Any]) -> list[FieldChanged]:
    codes = sorted(set(before) | set(item.fields))
    return [
        FieldChanged(field=code, before=before.get(code), after=item.fields.get(code))
        for code in codes
        if before.get(code) != item.fields.get(code)
    ]


def _stages(uow: UnitOfWork, item: CrmItem) -> dict[int, Stage]:
    return {s.id: s for s in uow.stages.of(item.pipeline_id) if s.id is not None}
