"""What robots do: each action, carried out inside the caller's transaction.

``carry_out`` runs INSIDE the open unit of work of the run (the move that made the item
enter the stage, or the job worker's transaction for a delayed run) and never commits. An
action (``action(act: ActionContext) -> Done``, ``services.robot_acting``) first checks
everything it needs and only then changes anything; it refuses with a ``ConveyorError``
(``ActionRefused`` when there is simply nobody or nothing to act on), which the caller
records on the run as ``failed`` after rolling its savepoint back.

The actions on the item and its people are here; those on its tasks are in
``robot_task_actions``, the messages to the outside (email, SMS, webhook) in
``robot_outbound_actions``, creating an item and starting a process in
``robot_item_actions``.

A moving action (``change_stage``) does what a move by hand does in its transaction: the
fields required at the target are checked, the waiting queues are retried, the rules at the
target assign the item; the caller then starts the target stage's robots.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from conveyor.domain.actors import SYSTEM
from conveyor.domain.call_rounds import call_deadline
from conveyor.domain.crm_items import CrmItem
from conveyor.domain.custom_fields import missing_required, normalize_fields
from conveyor.domain.distribution_rules import DistributionRule
from conveyor.domain.errors import ExpressionFailed, RequiredFieldMissing
from conveyor.domain.notification_texts import ITEM_ASSIGNED, ROBOT_CONTROL, ROBOT_MESSAGE
from conveyor.domain.notifications import Link
from conveyor.domain.pipelines import Stage
from conveyor.domain.robot_params import MAX_DESCRIPTION, MAX_TITLE, ActionKind
from conveyor.domain.robots import Robot
from conveyor.domain.tasks import Task
from conveyor.engines.assignment import explain
from conveyor.services import (
    robot_item_actions,
    robot_outbound_actions,
    robot_task_actions,
    trigger_firing,
)
from conveyor.services.assignment import assign_on_entry, choose_by_rule
from conveyor.services.assignment_queue import (
    leave_queue_if_handed_over,
    retry_after_item_handed_over,
    retry_after_item_left,
)
from conveyor.services.notifications import notify
from conveyor.services.references import check_links
from conveyor.services.robot_acting import ActionContext, ActionRefused, Done
from conveyor.services.robot_acting import render as _render
from conveyor.services.robot_context import heads_of, names_of, working_time_source
from conveyor.services.robot_recipients import everyone_for
from conveyor.services.robot_timing import follow_date_fields
from conveyor.services.tasks import add_task
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = ["ActionContext", "ActionRefused", "Done", "carry_out"]


def carry_out(
    uow: UnitOfWork,
    robot: Robot,
    item: CrmItem,
    context: Mapping[str, Any],
    *,
    run_id: int,
    now: datetime,
    depth: int = 0,
) -> Done:
    """Carry out ``robot``'s action on ``item`` (``context`` is what its templates read;
    ``depth``: the automatic steps that led to the run's entry)."""
    act = ActionContext(
        uow=uow, robot=robot, item=item, context=context, run_id=run_id, now=now, depth=depth
    )
    return _ACTIONS[robot.action](act)


def _notify(act: ActionContext) -> Done:
    uow, robot, item, context, now = act.uow, act.robot, act.item, act.context, act.now
    recipients = everyone_for(uow, robot.params["to"], item)
    if not recipients:
        raise ActionRefused("Nobody to notify: none of the people or positions named is there")
    text = _render(robot, "text", context)
    return _send(uow, robot, item, ROBOT_MESSAGE, recipients, text, now)


def _control(act: ActionContext) -> Done:
    uow, robot, item, context, now = act.uow, act.robot, act.item, act.context, act.now
    named = robot.params["employee_id"]
    if named is not None:
        recipients = [named]
    else:
        if item.responsible_id is None:
            raise ActionRefused(f"{_what(item)} has no responsible, so no head to tell")
        recipients = heads_of(uow, item.responsible_id)
        if not recipients:
            who = names_of(uow, [item.responsible_id])
            raise ActionRefused(f"No department of {who} has an active head to tell")
    text = _render(robot, "text", context)
    return _send(uow, robot, item, ROBOT_CONTROL, recipients, text, now)


def _send(
    uow: UnitOfWork,
    robot: Robot,
    item: CrmItem,
    kind: str,
    recipients: list[int],
    text: str,
    now: datetime,
) -> Done:
    assert item.id is not None
    params = {"title": item.title, "robot": robot.name, "text": text}
    link = Link(entity=item.entity_type.value, id=item.id)
    written = notify(uow, recipient_ids=recipients, kind=kind, params=params, link=link, now=now)
    if not written:
        raise ActionRefused("Nobody to notify: no recipient is an active employee")
    reached = [n.recipient_id for n in written]
    # The run shows who was told, never what: its readers (whoever sees the item, external
    # partners included) need not see the client data or the private words of the text.
    return Done(
        detail=f"notified {names_of(uow, reached)}",
        data={"recipient_ids": reached, "notification_ids": [n.id for n in written]},
    )


def _create_task(act: ActionContext) -> Done:
    uow, robot, item, now = act.uow, act.robot, act.item, act.now
    context, run_id = act.context, act.run_id
    params = robot.params
    responsible_id = act.one(params["responsible"], "task's responsible")
    creator_id = act.one(params["creator"], "task's creator")
    title = _render(robot, "title", context, limit=MAX_TITLE).strip() or robot.name
    description = _render(robot, "description", context, limit=MAX_DESCRIPTION)
    days = params["deadline_working_days"]
    deadline = None
    if days is not None:
        working = working_time_source(uow, responsible_id).around(now)
        deadline = call_deadline(working, now, days)
    task = Task(
        title=title,
        description=description,
        creator_id=creator_id,
        responsible_id=responsible_id,
        deadline=deadline,
        requires_acceptance=params["requires_acceptance"],
        item_id=item.id,
        created_at=now,
        updated_at=now,
        status_changed_at=now,
    )
    # The engine acts, as the assignment does: actor 0 (``SYSTEM``), and the run it was.
    add_task(uow, task, actor_id=SYSTEM.employee_id, now=now, robot_run_id=run_id)
    return Done(
        # Not the title: it is rendered from the item's records (see ``_send``).
        detail=f"created task {task.id} for {names_of(uow, [responsible_id])}",
        data={
            "task_id": task.id,
            "responsible_id": responsible_id,
            "creator_id": creator_id,
            "deadline": None if deadline is None else deadline.isoformat(),
        },
    )


def _change_stage(act: ActionContext) -> Done:
    uow, robot, item, now = act.uow, act.robot, act.item, act.now
    target = uow.stages.find(robot.params["stage_id"])
    if target is None or target.pipeline_id != item.pipeline_id:
        raise ActionRefused(f"Stage {robot.params['stage_id']} is no longer in the pipeline")
    stages = _stages(uow, item)
    definitions = uow.custom_fields.of(item.entity_type)
    missing = missing_required(definitions, item.fields, target, stages)
    if missing:
        definition, threshold = missing[0]
        raise RequiredFieldMissing(definition.code, definition.name, threshold.name)
    left = item.stage_id
    uow.emit(item.move_to(target, now=now))
    uow.flush()
    retry_after_item_left(uow, item, left, now=now)
    assign_on_entry(uow, item, now=now)
    return Done(
        detail=f"moved to stage «{target.name}»",
        data={"from_stage_id": left, "stage_id": target.id},
        moved=True,
    )


def _set_field(act: ActionContext) -> Done:
    uow, robot, item, now = act.uow, act.robot, act.item, act.now
    code, raw = robot.params["field"], robot.params["value"]
    definitions = uow.custom_fields.of(item.entity_type)
    if code not in definitions:
        raise ActionRefused(f"The field '{code}' no longer exists")
    values = normalize_fields(definitions, item.fields, {code: raw})
    check_links(uow, definitions, {code: values.get(code)}, prefix="fields")
    stage = uow.stages.get(item.stage_id)
    for definition, threshold in missing_required(definitions, values, stage, _stages(uow, item)):
        if definition.code == code:
            raise RequiredFieldMissing(definition.code, definition.name, threshold.name)
    before = item.fields.get(code)
    events = item.change({"fields": values}, now=now)
    if events:
        uow.emit(*events)
        uow.flush()
        leave_queue_if_handed_over(uow, item, {code}, now=now)
        follow_date_fields(uow, item, {code}, now=now, skip_run_id=act.run_id)
    moved = trigger_firing.field_set_by_robot(uow, item, code, before, now=now, depth=act.depth)
    return Done(
        detail=f"set '{code}' to {values.get(code)!r}",
        data={"field": code, "from": before, "to": values.get(code)},
        moved=moved,
    )


def _change_responsible(act: ActionContext) -> Done:
    uow, robot, item, run_id, now = act.uow, act.robot, act.item, act.run_id, act.now
    employee_id = robot.params["employee_id"]
    data: dict[str, Any] = {"from": item.responsible_id}
    if employee_id is None:
        rule = uow.distribution_rules.find(robot.params["rule_id"])
        if rule is None or not rule.enabled:
            raise ActionRefused(f"Assignment rule {robot.params['rule_id']} is gone or disabled")
        employee_id, sentence = _pick_by_rule(uow, rule, item, now)
        # The engine's sentence says why (who was free, their loads), never the item's data.
        data.update(rule_id=rule.id, rule_version=rule.version, sentence=sentence)
        reason = sentence
    else:
        employee = uow.employees.find(employee_id)
        if employee is None or not employee.is_active:
            raise ActionRefused(f"Employee {employee_id} is dismissed or gone")
        reason = robot.name
    data["to"] = employee_id
    events = item.change({"responsible_id": employee_id}, now=now)
    if events:
        uow.emit(*events)
        uow.flush()
        leave_queue_if_handed_over(uow, item, {"responsible_id"}, now=now)
        retry_after_item_handed_over(uow, item, now=now)
        # The new responsible learns it, as from an assignment: what they got, and why.
        assert item.id is not None
        told = notify(
            uow,
            recipient_ids=[employee_id],
            kind=ITEM_ASSIGNED,
            params={"title": item.title, "reason": reason, "robot_run_id": run_id},
            link=Link(entity=item.entity_type.value, id=item.id),
            now=now,
        )
        data["notification_ids"] = [n.id for n in told]
    return Done(detail=f"handed to {names_of(uow, [employee_id])}", data=data)


def _pick_by_rule(
    uow: UnitOfWork, rule: DistributionRule, item: CrmItem, now: datetime
) -> tuple[int, str]:
    """Who ``rule`` gives the item to now, as the assignment engine decides on entry;
    refused when nobody is free (a robot does not queue the item)."""
    assert rule.id is not None
    try:
        chosen = choose_by_rule(uow, rule.id, item, now=now)
    except ExpressionFailed as failed:
        raise ActionRefused(f"The rule's weight failed on this item: {failed.message}") from None
    if chosen is None:
        raise ActionRefused(f"Assignment rule {rule.id} is gone or disabled")
    current, decision = chosen
    sentence = explain(decision)
    if decision.chosen_id is None:
        raise ActionRefused(f"Nobody is free under rule «{current.name}»: {sentence}")
    return decision.chosen_id, sentence


def _stages(uow: UnitOfWork, item: CrmItem) -> dict[int, Stage]:
    return {s.id: s for s in uow.stages.of(item.pipeline_id) if s.id is not None}


def _what(item: CrmItem) -> str:
    return f"{item.entity_type.value.capitalize()} {item.id}"


_ACTIONS: dict[ActionKind, Callable[[ActionContext], Done]] = {
    ActionKind.NOTIFY: _notify,
    ActionKind.CONTROL: _control,
    ActionKind.CREATE_TASK: _create_task,
    ActionKind.CHANGE_STAGE: _change_stage,
    ActionKind.SET_FIELD: _set_field,
    ActionKind.CHANGE_RESPONSIBLE: _change_responsible,
    ActionKind.CREATE_ITEM: robot_item_actions.create_item,
    ActionKind.ADD_CO_EXECUTORS: robot_task_actions.add_co_executors,
    ActionKind.SHIFT_DEADLINE: robot_task_actions.shift_deadline,
    ActionKind.SEND_EMAIL: robot_outbound_actions.send_email,
    ActionKind.SEND_SMS: robot_outbound_actions.send_sms,
    ActionKind.WEBHOOK: robot_outbound_actions.webhook,
    ActionKind.START_PROCESS: robot_item_actions.start_process,
}
