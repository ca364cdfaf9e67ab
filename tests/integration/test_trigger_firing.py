"""Triggers at the service level, on both databases: an event moves a deal forward to the
trigger's stage in the event's own transaction, as a move by hand would; the first trigger
that moves wins; a refused move is recorded, never raised; and a chain of robots and
triggers stops at the depth limit with a warning."""

from __future__ import annotations

import itertools
import logging

import pytest

from conveyor.domain.actors import SYSTEM
from conveyor.domain.communications import CommunicationKind, Direction
from conveyor.domain.field_types import FieldType
from conveyor.domain.robot_params import ActionKind
from conveyor.domain.robot_runs import RunState
from conveyor.domain.tasks import TaskAction
from conveyor.domain.trigger_runs import Outcome
from conveyor.domain.triggers import TriggerEvent
from conveyor.services import custom_fields, robot_runs, tasks
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import DEAL, contract_number, outbox, reread
from tests.integration.robot_office import (
    Office,
    contact,
    deal,
    feed,
    move,
    robot,
    runs,
    sales_office,
)
from tests.integration.trigger_setup import pay, set_fields, talk, trigger, trigger_runs

FIELD = TriggerEvent.FIELD_CHANGED
PAID = {"field": "paid", "value": True}
TELL_MARK = {"to": ["responsible"], "text": "{deal.title} reached {deal.stage_id}"}


@pytest.fixture
def office(uow: UnitOfWork, clock: FakeClock) -> Office:
    return sales_office(uow, clock)


def test_a_field_changed_to_the_value_moves_the_deal_and_starts_the_stages_robots(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    invoice, prepaid = office.stages["Invoice"], office.stages["Prepayment received"]
    paid = trigger(uow, clock, prepaid, FIELD, PAID, name="Paid")
    robot(uow, clock, prepaid, ActionKind.NOTIFY, TELL_MARK)
    item = deal(uow, clock, invoice, responsible_id=office.mark)
    clock.advance(minutes=1)

    set_fields(uow, clock, item, paid=True)

    moved = reread(uow, item)
    assert (moved.stage_id, moved.stage_entered_at) == (prepaid.id, clock())
    [run] = trigger_runs(uow, item)
    assert (run.trigger_id, run.trigger_version, run.outcome) == (paid.id, 1, Outcome.MOVED)
    assert (run.from_stage_id, run.to_stage_id, run.depth) == (invoice.id, prepaid.id, 0)
    assert run.event_data == {"field": "paid", "from": None, "to": True}
    assert run.detail == "moved to «Prepayment received»"
    [robot_run] = runs(uow, item)
    assert (robot_run.stage_id, robot_run.state) == (prepaid.id, RunState.FIRED)
    assert len(feed(uow, office.mark)) == 1
    types = [t for t, _ in outbox(uow)]
    assert types.index("DealChanged") < types.index("DealEnteredStage")
    assert types.index("DealEnteredStage") < types.index("TriggerRunRecorded")


def test_another_value_or_another_field_moves_nothing(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    trigger(uow, clock, office.stages["Prepayment received"], FIELD, PAID)
    item = deal(uow, clock, office.stages["Invoice"], responsible_id=office.mark)

    set_fields(uow, clock, item, paid=False, equipment_type="special")

    assert reread(uow, item).stage_id == office.stages["Invoice"].id
    assert trigger_runs(uow, item) == []


def test_a_trigger_never_moves_a_deal_back_nor_out_of_a_closed_stage(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    trigger(uow, clock, office.stages["Invoice"], FIELD, PAID)
    past = deal(uow, clock, office.stages["Development started"], responsible_id=office.mark)
    lost = deal(uow, clock, office.stages["Lost"], responsible_id=office.mark)

    set_fields(uow, clock, past, paid=True)
    set_fields(uow, clock, lost, paid=True)

    assert reread(uow, past).stage_id == office.stages["Development started"].id
    assert reread(uow, lost).stage_id == office.stages["Lost"].id
    [run] = trigger_runs(uow, past)
    assert run.outcome is Outcome.NOT_APPLICABLE
    assert "moves forward only" in run.detail
    [run] = trigger_runs(uow, lost)
    assert (run.outcome, "closed" in run.detail) == (Outcome.NOT_APPLICABLE, True)


def test_allowed_backwards_a_trigger_moves_a_deal_back_and_reopens_a_lost_one(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    talk_stage = office.stages["Sign contract"]
    trigger(uow, clock, talk_stage, FIELD, PAID, allow_backwards=True)
    lost = deal(uow, clock, office.stages["Lost"], responsible_id=office.mark)

    set_fields(uow, clock, lost, paid=True)

    reopened = reread(uow, lost)
    assert (reopened.stage_id, reopened.closed_at) == (talk_stage.id, None)
    assert [r.outcome for r in trigger_runs(uow, lost)] == [Outcome.MOVED]


def test_the_furthest_trigger_that_moves_wins_and_the_deal_moves_once(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    stages = office.stages
    near = trigger(uow, clock, stages["Awaiting payment"], FIELD, PAID, name="near")
    far_vip = trigger(
        uow, clock, stages["Development started"], FIELD, PAID, name="far", condition="contact.vip"
    )
    middle = trigger(uow, clock, stages["Prepayment received"], FIELD, PAID, name="middle")
    plain = contact(uow, clock, "Ivan", vip=False)
    item = deal(uow, clock, stages["Invoice"], responsible_id=office.mark, contact_id=plain)

    set_fields(uow, clock, item, paid=True)

    assert reread(uow, item).stage_id == stages["Prepayment received"].id
    tried = [(r.trigger_id, r.outcome) for r in trigger_runs(uow, item)]
    # The furthest is tried first; its condition is false, the next one moves; the nearest
    # is not tried at all.
    assert tried == [(far_vip.id, Outcome.CONDITION_FALSE), (middle.id, Outcome.MOVED)]
    assert near.id not in [t for t, _ in tried]
    entered = [t for t, _ in outbox(uow) if t == "DealEnteredStage"]
    assert len(entered) == 1


def test_a_condition_reads_the_deal_its_contact_and_responsible_as_robots_do(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    target = office.stages["Upload copy"]
    trigger(
        uow,
        clock,
        target,
        FIELD,
        PAID,
        condition='contact.vip and deal.equipment_type == "special"',
    )
    vip = contact(uow, clock, "Vera", vip=True)
    item = deal(
        uow,
        clock,
        office.stages["Conclude contract"],
        responsible_id=office.mark,
        contact_id=vip,
        fields={"equipment_type": "special"},
    )

    set_fields(uow, clock, item, paid=True)

    assert reread(uow, item).stage_id == target.id


def test_a_field_missing_at_the_target_leaves_the_deal_and_the_event_stands(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    invoice = office.stages["Invoice"]
    contract_number(uow, clock, office.stages["Upload copy"])
    trigger(uow, clock, invoice, TriggerEvent.COMMUNICATION_RECEIVED)
    robot(uow, clock, invoice, ActionKind.NOTIFY, TELL_MARK)
    item = deal(uow, clock, office.stages["Sign contract"], responsible_id=office.mark)

    talk(uow, clock, item_id=item.id)

    assert reread(uow, item).stage_id == office.stages["Sign contract"].id
    [run] = trigger_runs(uow, item)
    assert run.outcome is Outcome.REFUSED
    assert run.detail == "Field 'Contract number' is required from stage 'Upload copy' onward"
    # The call is logged all the same; nothing of the move is: no entry, no robots.
    with uow:
        assert len(uow.communications.where(item_id=item.id)) == 1
    assert "DealEnteredStage" not in [t for t, _ in outbox(uow)]
    assert runs(uow, item) == []


def test_a_communication_with_a_contact_moves_the_contacts_open_deals(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    stages = office.stages
    target = stages["Invoice"]
    trigger(
        uow,
        clock,
        target,
        TriggerEvent.COMMUNICATION_RECEIVED,
        {"channels": ["call", "message"], "direction": "incoming"},
    )
    vera = contact(uow, clock, "Vera", vip=True)
    first = deal(uow, clock, stages["Sign contract"], contact_id=vera, responsible_id=office.mark)
    second = deal(uow, clock, stages["Upload copy"], contact_id=vera, responsible_id=office.olga)
    won = deal(uow, clock, stages["Done"], contact_id=vera, responsible_id=office.mark)
    stranger = deal(uow, clock, stages["Sign contract"], responsible_id=office.mark)

    talk(uow, clock, contact_id=vera, kind=CommunicationKind.EMAIL)
    talk(uow, clock, contact_id=vera, direction=Direction.OUTGOING)
    assert reread(uow, first).stage_id == stages["Sign contract"].id

    talk(uow, clock, contact_id=vera, kind=CommunicationKind.MESSAGE)

    assert reread(uow, first).stage_id == target.id
    assert reread(uow, second).stage_id == target.id
    assert reread(uow, won).stage_id == stages["Done"].id
    assert trigger_runs(uow, won) == []
    assert reread(uow, stranger).stage_id == stages["Sign contract"].id
    [run] = trigger_runs(uow, first)
    assert (run.event_data["channel"], run.event_data["direction"]) == ("message", "incoming")


def test_a_communication_with_a_contact_records_nothing_on_deals_at_or_past_the_stage(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    stages = office.stages
    target = stages["Invoice"]
    trigger(uow, clock, target, TriggerEvent.COMMUNICATION_RECEIVED)
    vera = contact(uow, clock, "Vera", vip=True)
    behind = deal(uow, clock, stages["Sign contract"], contact_id=vera, responsible_id=office.mark)
    there = deal(uow, clock, target, contact_id=vera, responsible_id=office.mark)
    past = deal(uow, clock, stages["Awaiting payment"], contact_id=vera, responsible_id=office.mark)

    talk(uow, clock, contact_id=vera)

    assert reread(uow, behind).stage_id == target.id
    [run] = trigger_runs(uow, behind)
    assert run.outcome is Outcome.MOVED
    # Every later call with Vera would otherwise add a "not applicable" run to each of them.
    assert trigger_runs(uow, there) == []
    assert trigger_runs(uow, past) == []
    assert reread(uow, past).stage_id == stages["Awaiting payment"].id


def test_completing_a_task_linked_to_the_deal_moves_it(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    target = office.stages["Invoice"]
    trigger(uow, clock, target, TriggerEvent.TASK_COMPLETED)
    item = deal(uow, clock, office.stages["Upload copy"], responsible_id=office.mark)
    command = tasks.CreateTask(
        title="Upload the signed copy",
        creator_id=office.head,
        responsible_id=office.mark,
        item_id=item.id,
        requires_acceptance=True,
    )
    task = tasks.create_task(uow, command, actor=SYSTEM, now=clock()).task
    assert task.id is not None
    tasks.act_on_task(uow, task.id, TaskAction.START, actor=SYSTEM, now=clock())
    tasks.act_on_task(uow, task.id, TaskAction.COMPLETE, actor=SYSTEM, now=clock())
    # Awaiting the creator's acceptance is not completed yet.
    assert reread(uow, item).stage_id == office.stages["Upload copy"].id

    tasks.act_on_task(uow, task.id, TaskAction.ACCEPT, actor=SYSTEM, now=clock())

    assert reread(uow, item).stage_id == target.id
    [run] = trigger_runs(uow, item)
    assert (run.outcome, run.event_data) == (Outcome.MOVED, {"task_id": task.id})


def test_payments_move_the_deal_at_a_minimum_and_when_paid_in_full(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    stages = office.stages
    prepaid, done = stages["Prepayment received"], stages["Done"]
    event = TriggerEvent.PAYMENT_REGISTERED
    trigger(uow, clock, prepaid, event, {"min_amount": "300"}, name="prepayment")
    trigger(uow, clock, done, event, {"paid_in_full": True}, name="paid in full")
    item = deal(uow, clock, stages["Awaiting payment"], responsible_id=office.mark, amount="1000")

    pay(uow, clock, item, "100")
    assert reread(uow, item).stage_id == stages["Awaiting payment"].id
    pay(uow, clock, item, "400", currency="USD")
    assert reread(uow, item).stage_id == stages["Awaiting payment"].id
    pay(uow, clock, item, "300")
    assert reread(uow, item).stage_id == prepaid.id
    pay(uow, clock, item, "600.00", note="the rest")

    assert reread(uow, item).stage_id == done.id
    moved = [r for r in trigger_runs(uow, item) if r.outcome is Outcome.MOVED]
    assert [r.to_stage_id for r in moved] == [prepaid.id, done.id]
    assert moved[-1].event_data["paid_total"] == "1000.00"


def test_a_chain_of_robots_and_triggers_stops_at_the_depth_limit_with_a_warning(
    uow: UnitOfWork, clock: FakeClock, office: Office, caplog: pytest.LogCaptureFixture
) -> None:
    """Each stage's robot sets the step; each step's trigger moves the deal one stage on."""
    custom_fields.create_field(
        uow,
        custom_fields.CreateField(
            entity_type=DEAL, code="step", name="Step", type=FieldType.NUMBER
        ),
        actor=SYSTEM,
        now=clock(),
    )
    names = ["Conclude contract", "Sign contract", "Upload copy", "Invoice"]
    names += ["Awaiting payment", "Prepayment received", "Development started", "Done"]
    chain = [office.stages[name] for name in names]
    for step, (here, there) in enumerate(itertools.pairwise(chain), start=1):
        robot(uow, clock, here, ActionKind.SET_FIELD, {"field": "step", "value": step})
        trigger(uow, clock, there, FIELD, {"field": "step", "value": step}, name=f"step {step}")

    with caplog.at_level(logging.WARNING, logger="conveyor.triggers"):
        item = deal(uow, clock, chain[0], responsible_id=office.mark)

    limit = robot_runs.MAX_CASCADE
    # Moves 1 .. limit - 1 are made; the next would reach the depth robots stop at.
    assert reread(uow, item).stage_id == chain[limit - 1].id
    assert reread(uow, item).fields == {"step": limit}
    *moved, stopped = trigger_runs(uow, item)
    assert [(r.outcome, r.depth) for r in moved] == [(Outcome.MOVED, d) for d in range(limit - 1)]
    assert (stopped.outcome, stopped.depth) == (Outcome.STOPPED_BY_DEPTH_LIMIT, limit - 1)
    assert stopped.to_stage_id == chain[limit].id
    [record] = [r for r in caplog.records if r.name == "conveyor.triggers"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert f"Trigger {stopped.trigger_id} " in message
    assert f"deal {item.id} " in message
    assert f"automatic move {limit} of one chain" in message
    # The robots of every stage reached acted: none was skipped by the robots' own limit.
    assert {r.state for r in runs(uow, item)} == {RunState.FIRED}


def test_robots_moving_the_deal_count_in_the_chain_a_trigger_sees(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    """A robot moves the deal on; the next stage's robot sets a field; the trigger of that
    field sees the robot's move in its depth."""
    stages = office.stages
    robot(
        uow,
        clock,
        stages["Sign contract"],
        ActionKind.CHANGE_STAGE,
        {"stage_id": stages["Upload copy"].id},
    )
    robot(uow, clock, stages["Upload copy"], ActionKind.SET_FIELD, {"field": "paid", "value": True})
    trigger(uow, clock, stages["Invoice"], FIELD, PAID)
    item = deal(uow, clock, stages["Conclude contract"], responsible_id=office.mark)

    move(uow, clock, item, stages["Sign contract"])

    assert reread(uow, item).stage_id == stages["Invoice"].id
    [run] = trigger_runs(uow, item)
    assert (run.outcome, run.depth) == (Outcome.MOVED, 1)
