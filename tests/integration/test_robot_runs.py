"""Robots at the service level, on both databases: started in the move's transaction,
delayed ones fired by the job worker only while the item stays, cancelled when it leaves,
started again when it comes back, and never twice for one entry."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from conveyor.domain.actors import SYSTEM
from conveyor.domain.distribution_rules import RuleEntity
from conveyor.domain.jobs import DEFAULT_MAX_ATTEMPTS, JobState
from conveyor.domain.notification_texts import ITEM_ASSIGNED
from conveyor.domain.robot_params import ActionKind
from conveyor.domain.robot_runs import Reason, RunState
from conveyor.domain.robots import TimeUnit
from conveyor.services import clients, distribution_rules, jobs, robot_runs, robots
from conveyor.services.jobs import JobHandlers
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import outbox, reread
from tests.integration.robot_office import (
    Office,
    contact,
    deal,
    feed,
    move,
    robot,
    run_worker,
    runs,
    sales_office,
)

NOTIFY = ActionKind.NOTIFY
TELL_MARK = {"to": ["responsible"], "text": "Deal {deal.title} is at {deal.stage_id}"}


@pytest.fixture
def office(uow: UnitOfWork, clock: FakeClock) -> Office:
    return sales_office(uow, clock)


def robot_jobs(uow: UnitOfWork) -> list[Any]:
    with uow:
        return [j for j in uow.jobs.where() if j.kind == robot_runs.FIRE_JOB]


def test_an_immediate_robot_acts_in_the_transaction_of_the_move(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    robot(uow, clock, office.stages["Invoice"], NOTIFY, TELL_MARK)
    item = deal(uow, clock, office.stages["Upload copy"], responsible_id=office.mark)
    assert feed(uow, office.mark) == []

    move(uow, clock, item, office.stages["Invoice"])

    [message] = feed(uow, office.mark)
    assert message.kind == "robot_message"
    assert message.params["text"] == f"Deal Kitchen is at {office.stages['Invoice'].id}"
    [run] = runs(uow, item)
    assert (run.state, run.reason, run.due_at) == (RunState.FIRED, Reason.DONE, clock())
    assert run.data["recipient_ids"] == [office.mark]
    assert robot_jobs(uow) == []
    types = [t for t, _ in outbox(uow)]
    assert types.index("DealEnteredStage") < types.index("RobotRunFired")


def test_a_robot_at_the_first_stage_acts_when_the_deal_is_created_there(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    robot(uow, clock, office.stages["Conclude contract"], NOTIFY, TELL_MARK)

    deal(uow, clock, office.stages["Conclude contract"], responsible_id=office.mark)

    assert len(feed(uow, office.mark)) == 1


def test_a_delayed_robot_fires_when_due_and_not_before(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    robot(uow, clock, office.stages["Invoice"], NOTIFY, TELL_MARK, after=(10, TimeUnit.MINUTES))
    item = deal(uow, clock, office.stages["Invoice"], responsible_id=office.mark)
    [run] = runs(uow, item)
    assert (run.state, run.due_at) == (RunState.SCHEDULED, clock() + timedelta(minutes=10))
    [job] = robot_jobs(uow)
    assert (job.due_at, job.payload) == (run.due_at, {"run_id": run.id})

    clock.advance(minutes=9, seconds=59)
    run_worker(uow, clock)
    assert feed(uow, office.mark) == []

    clock.advance(seconds=1)
    run_worker(uow, clock)
    assert len(feed(uow, office.mark)) == 1
    [run] = runs(uow, item)
    assert (run.state, run.finished_at) == (RunState.FIRED, clock())


def test_leaving_the_stage_cancels_its_delayed_robots_in_the_same_transaction(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    robot(uow, clock, office.stages["Invoice"], NOTIFY, TELL_MARK, after=(10, TimeUnit.MINUTES))
    item = deal(uow, clock, office.stages["Invoice"], responsible_id=office.mark)
    clock.advance(minutes=5)

    move(uow, clock, item, office.stages["Awaiting payment"])

    [run] = runs(uow, item)
    assert (run.state, run.reason, run.finished_at) == (
        RunState.CANCELLED,
        Reason.LEFT_STAGE,
        clock(),
    )
    assert robot_jobs(uow) == []
    clock.advance(hours=1)
    run_worker(uow, clock)
    assert feed(uow, office.mark) == []


def test_coming_back_to_the_stage_starts_its_robots_again(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    invoice = office.stages["Invoice"]
    robot(uow, clock, invoice, NOTIFY, TELL_MARK, after=(10, TimeUnit.MINUTES))
    item = deal(uow, clock, invoice, responsible_id=office.mark)
    clock.advance(minutes=5)
    move(uow, clock, item, office.stages["Awaiting payment"])
    clock.advance(minutes=1)
    back_at = clock()

    move(uow, clock, item, invoice)
    clock.advance(minutes=9)
    run_worker(uow, clock)
    assert feed(uow, office.mark) == []
    clock.advance(minutes=1)
    run_worker(uow, clock)

    assert len(feed(uow, office.mark)) == 1
    first, second = runs(uow, item)
    assert first.state is RunState.CANCELLED
    assert (second.state, second.stage_entered_at, second.due_at) == (
        RunState.FIRED,
        back_at,
        back_at + timedelta(minutes=10),
    )


def test_a_replayed_entry_starts_nothing_and_a_replayed_job_acts_once(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    robot(uow, clock, office.stages["Invoice"], NOTIFY, TELL_MARK, after=(1, TimeUnit.HOURS))
    item = deal(uow, clock, office.stages["Invoice"], responsible_id=office.mark)
    with uow:
        again = uow.items.get(item.id or 0)
        assert robot_runs.start_robots(uow, again, now=clock()) == []
        uow.commit()
    [run] = runs(uow, item)
    clock.advance(hours=1)
    for _ in range(2):
        with uow:
            robot_runs.fire_due_run(uow, {"run_id": run.id}, clock())
            uow.commit()
    run_worker(uow, clock)

    assert len(feed(uow, office.mark)) == 1
    assert [r.state for r in runs(uow, item)] == [RunState.FIRED]


def test_a_robot_that_cannot_act_fails_with_its_reason_and_the_move_stands(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    robot(uow, clock, office.stages["Invoice"], ActionKind.CONTROL, {"text": "Late"})
    # The head has no head above her: a control robot on her own deal has nobody to tell.
    item = deal(uow, clock, office.stages["Upload copy"], responsible_id=office.head)

    move(uow, clock, item, office.stages["Invoice"])

    assert reread(uow, item).stage_id == office.stages["Invoice"].id
    [run] = runs(uow, item)
    assert (run.state, run.reason) == (RunState.FAILED, Reason.ACTION_FAILED)
    assert "no department of hanna head has an active head" in (run.detail or "").lower()


def test_a_robot_acts_only_when_its_condition_holds_when_due(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    vip_only = "contact.vip"
    invoice = office.stages["Invoice"]
    robot(uow, clock, invoice, NOTIFY, TELL_MARK, condition=vip_only, after=(1, TimeUnit.HOURS))
    ivan = contact(uow, clock, "Ivan", vip=False)
    item = deal(uow, clock, invoice, responsible_id=office.mark, contact_id=ivan)
    plain = deal(uow, clock, invoice, responsible_id=office.mark)
    clients.update_contact(uow, ivan, {"fields": {"vip": True}}, actor=SYSTEM, now=clock())
    clock.advance(hours=1)
    run_worker(uow, clock)

    [fired] = runs(uow, item)
    [skipped] = runs(uow, plain)
    assert fired.state is RunState.FIRED
    assert (skipped.state, skipped.reason) == (RunState.SKIPPED, Reason.CONDITION_FALSE)
    assert skipped.detail == "the condition is false: contact.vip"


def test_a_robot_moving_the_item_on_cancels_the_rest_of_its_stage_and_starts_the_next(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    invoice, awaiting = office.stages["Invoice"], office.stages["Awaiting payment"]
    robot(uow, clock, invoice, ActionKind.CHANGE_STAGE, {"stage_id": awaiting.id}, name="Move")
    robot(uow, clock, invoice, NOTIFY, TELL_MARK, name="Too late")
    robot(uow, clock, awaiting, NOTIFY, TELL_MARK, name="At awaiting")

    item = deal(uow, clock, invoice, responsible_id=office.mark)

    assert reread(uow, item).stage_id == awaiting.id
    moved, too_late, at_awaiting = runs(uow, item)
    assert (moved.robot_name, moved.state) == ("Move", RunState.FIRED)
    assert moved.data == {"from_stage_id": invoice.id, "stage_id": awaiting.id}
    assert (too_late.state, too_late.reason) == (RunState.CANCELLED, Reason.LEFT_STAGE)
    assert (at_awaiting.state, at_awaiting.stage_id) == (RunState.FIRED, awaiting.id)
    [message] = feed(uow, office.mark)
    assert message.params["text"] == f"Deal Kitchen is at {awaiting.id}"


def test_robots_moving_an_item_back_and_forth_run_once_per_entry(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    invoice, awaiting = office.stages["Invoice"], office.stages["Awaiting payment"]
    robot(uow, clock, invoice, ActionKind.CHANGE_STAGE, {"stage_id": awaiting.id})
    robot(uow, clock, awaiting, ActionKind.CHANGE_STAGE, {"stage_id": invoice.id})
    item = deal(uow, clock, office.stages["Upload copy"], responsible_id=office.mark)
    clock.advance(minutes=1)

    move(uow, clock, item, invoice)

    # The moves share the instant of the move by hand: back at Invoice, the item meets the
    # entry key its first arrival used, so the loop ends there.
    assert [(r.stage_id, r.state) for r in runs(uow, item)] == [
        (invoice.id, RunState.FIRED),
        (awaiting.id, RunState.FIRED),
    ]
    assert reread(uow, item).stage_id == invoice.id


def test_robots_moving_an_item_on_and_on_stop_after_a_few_moves(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    names = ["Conclude contract", "Sign contract", "Upload copy", "Invoice"]
    names += ["Awaiting payment", "Prepayment received", "Development started", "Done"]
    chain = [office.stages[name] for name in names]
    for here, there in itertools.pairwise(chain):
        robot(uow, clock, here, ActionKind.CHANGE_STAGE, {"stage_id": there.id})

    item = deal(uow, clock, chain[0], responsible_id=office.mark)

    limit = robot_runs.MAX_CASCADE
    assert reread(uow, item).stage_id == chain[limit].id
    *moves, last = runs(uow, item)
    assert [r.state for r in moves] == [RunState.FIRED] * limit
    assert (last.stage_id, last.state, last.reason) == (
        chain[limit].id,
        RunState.SKIPPED,
        Reason.CASCADE_LIMIT,
    )


def test_a_disabled_robot_is_skipped_and_a_deleted_one_cancelled_when_due(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    invoice = office.stages["Invoice"]
    disabled = robot(uow, clock, invoice, NOTIFY, TELL_MARK, after=(1, TimeUnit.HOURS))
    deleted = robot(uow, clock, invoice, NOTIFY, TELL_MARK, after=(1, TimeUnit.HOURS))
    item = deal(uow, clock, invoice, responsible_id=office.mark)
    robots.update_robot(uow, disabled.id or 0, {"enabled": False}, actor=SYSTEM, now=clock())
    robots.delete_robot(uow, deleted.id or 0, actor=SYSTEM, now=clock())

    clock.advance(hours=1)
    run_worker(uow, clock)

    first, second = runs(uow, item)
    assert (first.state, first.reason) == (RunState.SKIPPED, Reason.ROBOT_DISABLED)
    assert (second.state, second.reason) == (RunState.CANCELLED, Reason.ROBOT_DELETED)
    assert feed(uow, office.mark) == []


def test_a_delay_in_working_days_follows_the_responsibles_calendar(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    # Friday 6 March 2026, 11:00 in Moscow; Monday 9 March is a day off (8 March moved).
    clock.set(datetime(2026, 3, 6, 8, 0, tzinfo=UTC))
    invoice = office.stages["Invoice"]
    robot(uow, clock, invoice, NOTIFY, TELL_MARK, after=(2, TimeUnit.DAYS), working=True)

    item = deal(uow, clock, invoice, responsible_id=office.mark)

    [run] = runs(uow, item)
    assert run.due_at == datetime(2026, 3, 11, 8, 0, tzinfo=UTC)  # Wednesday 11:00 MSK


def test_a_robot_for_working_hours_only_waits_for_the_morning(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    clock.set(datetime(2026, 3, 2, 19, 30, tzinfo=UTC))  # Monday 22:30 in Moscow
    robot(uow, clock, office.stages["Invoice"], NOTIFY, TELL_MARK, working_hours_only=True)

    item = deal(uow, clock, office.stages["Invoice"], responsible_id=office.mark)

    [run] = runs(uow, item)
    assert (run.state, run.due_at) == (
        RunState.SCHEDULED,
        datetime(2026, 3, 3, 6, 0, tzinfo=UTC),  # Tuesday 09:00 in Moscow
    )
    assert feed(uow, office.mark) == []


def test_a_robot_sets_a_field_and_hands_the_item_over(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    invoice = office.stages["Invoice"]
    robot(uow, clock, invoice, ActionKind.SET_FIELD, {"field": "paid", "value": False})
    robot(uow, clock, invoice, ActionKind.CHANGE_RESPONSIBLE, {"employee_id": office.olga})

    item = deal(uow, clock, invoice, responsible_id=office.mark)

    now = reread(uow, item)
    assert (now.fields["paid"], now.responsible_id) == (False, office.olga)
    types = [t for t, _ in outbox(uow)]
    assert "DealResponsibleChanged" in types
    [told] = feed(uow, office.olga)
    assert (told.kind, told.params["reason"], told.link_id) == (ITEM_ASSIGNED, "Robot", item.id)
    _, handed = runs(uow, item)
    assert handed.data == {
        "from": office.mark,
        "to": office.olga,
        "notification_ids": [told.id],
    }


def test_a_robot_hands_the_item_to_whom_an_assignment_rule_picks(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    invoice = office.stages["Invoice"]
    rule = distribution_rules.create_rule(
        uow,
        distribution_rules.RuleSpec(
            name="Olga only",
            entity_type=RuleEntity.DEAL,
            pipeline_id=invoice.pipeline_id,
            trigger_stage_id=office.stages["Sign contract"].id,
            employee_ids=[office.olga],
        ),
        actor=SYSTEM,
        now=clock(),
    )
    robot(uow, clock, invoice, ActionKind.CHANGE_RESPONSIBLE, {"rule_id": rule.id})

    item = deal(uow, clock, invoice, responsible_id=office.mark)

    assert reread(uow, item).responsible_id == office.olga
    [run] = runs(uow, item)
    assert run.data["rule_id"] == rule.id
    assert "Olga Manager" in run.data["sentence"]
    # Olga learns what she got and why, as from an assignment; Mark, who had it, is not told.
    [told] = feed(uow, office.olga)
    assert told.kind == ITEM_ASSIGNED
    assert (told.link_entity, told.link_id) == ("deal", item.id)
    assert told.params == {
        "title": "Kitchen",
        "reason": run.data["sentence"],
        "robot_run_id": run.id,
    }
    assert run.data["notification_ids"] == [told.id]
    assert feed(uow, office.mark) == []


def test_a_robot_handing_the_item_to_its_responsible_tells_nobody(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    robot(
        uow,
        clock,
        office.stages["Invoice"],
        ActionKind.CHANGE_RESPONSIBLE,
        {"employee_id": office.mark},
    )

    item = deal(uow, clock, office.stages["Invoice"], responsible_id=office.mark)

    [run] = runs(uow, item)
    assert (run.state, run.data) == (RunState.FIRED, {"from": office.mark, "to": office.mark})
    assert feed(uow, office.mark) == []


@pytest.mark.parametrize("death", ["no worker knows the kind", "every worker running it dies"])
def test_a_run_whose_job_died_ends_failed_with_the_jobs_last_error(
    uow: UnitOfWork, clock: FakeClock, office: Office, death: str
) -> None:
    robot(uow, clock, office.stages["Invoice"], NOTIFY, TELL_MARK, after=(10, TimeUnit.MINUTES))
    item = deal(uow, clock, office.stages["Invoice"], responsible_id=office.mark)
    clock.advance(minutes=10)
    for attempt in range(DEFAULT_MAX_ATTEMPTS + 1):
        if death == "no worker knows the kind":
            run_worker(uow, clock, JobHandlers())  # a worker of a version without robots
        else:
            # Claimed, never finished: the worker was killed; its lease expires.
            jobs.claim_jobs(uow, owner="doomed", now=clock(), limit=10, lease=timedelta(minutes=1))
        if attempt == 0:
            # A job that is only retrying is no business of the sweep.
            assert robot_runs.end_runs_of_dead_jobs(uow, now=clock()) == 0
        clock.advance(hours=2)
    [job] = robot_jobs(uow)
    assert job.state is JobState.DEAD
    assert [r.state for r in runs(uow, item)] == [RunState.SCHEDULED]

    assert robot_runs.end_runs_of_dead_jobs(uow, now=clock()) == 1

    [run] = runs(uow, item)
    assert (run.state, run.reason, run.finished_at) == (
        RunState.FAILED,
        Reason.JOB_DIED,
        clock(),
    )
    assert (run.detail or "").startswith(f"its job died after {DEFAULT_MAX_ATTEMPTS} attempts")
    assert (job.last_error or "") in (run.detail or "")
    assert robot_runs.end_runs_of_dead_jobs(uow, now=clock()) == 0
    # An admin reruns the dead job: it finds its run ended and does nothing.
    jobs.rerun_job(uow, job.id or 0, actor=SYSTEM, now=clock())
    run_worker(uow, clock)
    assert [(r.state, r.reason) for r in runs(uow, item)] == [(RunState.FAILED, Reason.JOB_DIED)]
    assert feed(uow, office.mark) == []


def test_a_robot_creates_a_task_linked_to_the_deal(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    params = {
        "title": "Call about {deal.title}",
        "responsible": "responsible",
        "creator": "head",
        "deadline_working_days": 1,
        "requires_acceptance": True,
    }
    robot(uow, clock, office.stages["Invoice"], ActionKind.CREATE_TASK, params)

    item = deal(uow, clock, office.stages["Invoice"], responsible_id=office.mark)

    [run] = runs(uow, item)
    with uow:
        task = uow.tasks.get(run.data["task_id"])
    assert (task.title, task.item_id, task.responsible_id, task.creator_id) == (
        "Call about Kitchen",
        item.id,
        office.mark,
        office.head,
    )
    assert task.requires_acceptance
    assert task.deadline == clock() + timedelta(days=1)  # Tuesday, same clock time
    [created] = [p for t, p in outbox(uow) if t == "TaskCreated"]
    assert (created["item_id"], created["actor_id"], created["robot_run_id"]) == (
        item.id,
        0,
        run.id,
    )
    assert run.detail == f"created task {task.id} for Mark Manager"


def test_a_move_that_did_not_stop_the_robots_still_keeps_them_from_acting(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    robot(uow, clock, office.stages["Invoice"], NOTIFY, TELL_MARK, after=(1, TimeUnit.HOURS))
    item = deal(uow, clock, office.stages["Invoice"], responsible_id=office.mark)
    clock.advance(minutes=30)
    # Another engine moves the deal on without telling the robots (no cancel in its move).
    with uow:
        moving = uow.items.get(item.id or 0, for_update=True)
        uow.emit(moving.move_to(office.stages["Awaiting payment"], now=clock()))
        uow.commit()

    clock.advance(minutes=30)
    run_worker(uow, clock)

    [run] = runs(uow, item)
    assert (run.state, run.reason) == (RunState.CANCELLED, Reason.LEFT_STAGE)
    assert feed(uow, office.mark) == []


def test_robots_commit_with_the_move_or_not_at_all(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    robot(uow, clock, office.stages["Invoice"], NOTIFY, TELL_MARK)
    robot(uow, clock, office.stages["Invoice"], NOTIFY, TELL_MARK, after=(1, TimeUnit.HOURS))
    item = deal(uow, clock, office.stages["Upload copy"], responsible_id=office.mark)
    with uow:
        moving = uow.items.get(item.id or 0, for_update=True)
        uow.emit(moving.move_to(office.stages["Invoice"], now=clock()))
        started = robot_runs.start_robots(uow, moving, now=clock())
        assert [r.state for r in started] == [RunState.FIRED, RunState.SCHEDULED]
        # The move's transaction ends without a commit (refused further on, say).

    assert reread(uow, item).stage_id == office.stages["Upload copy"].id
    assert runs(uow, item) == []
    assert feed(uow, office.mark) == []
    assert robot_jobs(uow) == []
