"""Robots that act on other records, on both databases: a lead created in another pipeline
(as by hand, its own robots running one step deeper), co-executors added to the tasks a
robot made and their deadline shifted in working days, and the hook that asks for a
business process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conveyor.domain.actors import SYSTEM
from conveyor.domain.field_types import FieldType
from conveyor.domain.notification_texts import TASK_CO_EXECUTOR_ADDED, TASK_DEADLINE_MOVED
from conveyor.domain.pipelines import EntityType, Stage
from conveyor.domain.robot_params import ActionKind
from conveyor.domain.robot_runs import Reason, RunState
from conveyor.domain.robots import TimeUnit
from conveyor.domain.tasks import MemberRole, Task
from conveyor.services import crm_items, custom_fields, pipelines, robot_runs, tasks
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import LEAD, outbox
from tests.integration.robot_office import (
    Office,
    contact,
    deal,
    feed,
    robot,
    run_worker,
    runs,
    sales_office,
)

CALL = {"title": "Call about {deal.title}", "deadline_working_days": 1}


@pytest.fixture
def office(uow: UnitOfWork, clock: FakeClock) -> Office:
    return sales_office(uow, clock)


def lead_pipeline(uow: UnitOfWork, clock: FakeClock) -> list[Stage]:
    _, stages = pipelines.create_pipeline(
        uow,
        pipelines.CreatePipeline(
            entity_type=LEAD,
            name="Follow-ups",
            stages=[pipelines.StageSpec(name="Fresh"), pipelines.StageSpec(name="Called")],
        ),
        actor=SYSTEM,
        now=clock(),
    )
    custom_fields.create_field(
        uow,
        custom_fields.CreateField(
            entity_type=LEAD, code="source", name="Source", type=FieldType.STRING
        ),
        actor=SYSTEM,
        now=clock(),
    )
    return stages


def task_of(uow: UnitOfWork, task_id: int) -> tuple[Task, list[int], list[int]]:
    with uow:
        return (
            uow.tasks.get(task_id),
            sorted(uow.tasks.member_ids(task_id, MemberRole.CO_EXECUTOR)),
            sorted(uow.tasks.member_ids(task_id, MemberRole.OBSERVER)),
        )


def test_a_deal_robot_creates_a_lead_elsewhere_whose_own_robots_run(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    fresh, _ = lead_pipeline(uow, clock)
    robot(
        uow,
        clock,
        fresh,
        ActionKind.NOTIFY,
        {"to": ["responsible"], "text": "New lead {lead.title}"},
        name="Tell about the lead",
    )
    params = {
        "entity_type": "lead",
        "pipeline_id": fresh.pipeline_id,
        "title": "Follow up {deal.title}",
        "responsible": "head",
        "fields": {"source": "deal"},
    }
    robot(uow, clock, office.stages["Done"], ActionKind.CREATE_ITEM, params, name="Follow up")
    ivan = contact(uow, clock, "Ivan", vip=True)

    item = deal(uow, clock, office.stages["Done"], responsible_id=office.mark, contact_id=ivan)

    [run] = runs(uow, item)
    with uow:
        lead = uow.items.get(run.data["item_id"])
        [lead_run] = uow.robot_runs.of_item(lead.id or 0)
    assert (run.state, run.detail) == (RunState.FIRED, f"created lead {lead.id} for Hanna Head")
    assert (lead.entity_type, lead.title, lead.stage_id) == (LEAD, "Follow up Kitchen", fresh.id)
    assert (lead.responsible_id, lead.contact_id, lead.fields) == (
        office.head,
        ivan,
        {"source": "deal"},
    )
    assert lead.created_by_id is None
    assert (lead_run.robot_name, lead_run.state) == ("Tell about the lead", RunState.FIRED)
    assert [n.params["text"] for n in feed(uow, office.head)] == ["New lead Follow up Kitchen"]
    types = [t for t, _ in outbox(uow)]
    assert types.index("LeadCreated") < types.index("RobotRunFired")


def test_robots_creating_items_that_create_items_stop_at_the_cascade_limit(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    done = office.stages["Done"]
    params = {
        "entity_type": "deal",
        "pipeline_id": done.pipeline_id,
        "stage_id": done.id,
        "title": "Copy of {deal.title}",
    }
    robot(uow, clock, done, ActionKind.CREATE_ITEM, params)

    deal(uow, clock, done, responsible_id=office.mark)

    with uow:
        made = sorted(uow.items.where(entity_type=EntityType.DEAL), key=lambda i: i.id or 0)
        last_runs = uow.robot_runs.of_item(made[-1].id or 0)
    assert len(made) == robot_runs.MAX_CASCADE + 1
    [last] = last_runs
    assert (last.state, last.reason) == (RunState.SKIPPED, Reason.CASCADE_LIMIT)


def test_a_new_item_missing_a_required_value_fails_the_run_and_creates_nothing(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    fresh, _ = lead_pipeline(uow, clock)
    params = {"entity_type": "lead", "pipeline_id": fresh.pipeline_id, "title": "Follow up"}
    robot(uow, clock, office.stages["Done"], ActionKind.CREATE_ITEM, params)
    # Required from the lead's first stage after the robot was saved.
    with uow:
        source = uow.custom_fields.by_code(LEAD, "source")
        assert source is not None and source.id is not None
    custom_fields.update_field(
        uow, source.id, {"required_from_stage_id": fresh.id}, actor=SYSTEM, now=clock()
    )

    item = deal(uow, clock, office.stages["Done"], responsible_id=office.mark)

    [run] = runs(uow, item)
    assert (run.state, run.reason) == (RunState.FAILED, Reason.ACTION_FAILED)
    assert "Source" in (run.detail or "")
    with uow:
        assert uow.items.where(entity_type=LEAD) == []


def test_co_executors_join_the_task_a_robot_made_and_are_told(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    invoice = office.stages["Invoice"]
    maker = robot(uow, clock, invoice, ActionKind.CREATE_TASK, CALL, name="Call")
    params = {"employees": ["head", office.olga], "task_robot_id": maker.id}
    robot(
        uow,
        clock,
        invoice,
        ActionKind.ADD_CO_EXECUTORS,
        params,
        name="Help after a day",
        after=(1, TimeUnit.DAYS),
    )
    item = deal(uow, clock, invoice, responsible_id=office.mark)
    made = runs(uow, item)[0].data["task_id"]
    # A task linked by hand is not the robot's: it is left alone.
    other = tasks.create_task(
        uow,
        tasks.CreateTask(
            title="Other", responsible_id=office.mark, creator_id=office.head, item_id=item.id
        ),
        actor=SYSTEM,
        now=clock(),
    )
    tasks.update_task(uow, made, {"observer_ids": [office.olga]}, actor=SYSTEM, now=clock())

    clock.advance(days=1)
    run_worker(uow, clock)

    _, helper = runs(uow, item)
    assert (helper.state, helper.detail) == (
        RunState.FIRED,
        f"added Hanna Head, Olga Manager to task(s) {made}",
    )
    assert helper.data["added"] == {str(made): [office.head, office.olga]}
    _, co, observers = task_of(uow, made)
    assert (co, observers) == (sorted([office.head, office.olga]), [])
    assert task_of(uow, other.task.id or 0)[1] == []
    [told] = [n for n in feed(uow, office.olga) if n.kind == TASK_CO_EXECUTOR_ADDED]
    assert (told.link_entity, told.link_id, told.params["robot"]) == (
        "task",
        made,
        "Help after a day",
    )
    [changed] = [p for t, p in outbox(uow) if t == "TaskChanged" and p.get("robot_run_id")]
    assert changed["changed"] == ["co_executor_ids", "observer_ids"]
    assert (changed["actor_id"], changed["robot_run_id"]) == (0, helper.id)


def test_without_a_task_robot_every_open_task_of_the_deal_gets_them(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    invoice = office.stages["Invoice"]
    item = deal(uow, clock, office.stages["Upload copy"], responsible_id=office.mark)
    for title in ("One", "Two"):
        tasks.create_task(
            uow,
            tasks.CreateTask(
                title=title, responsible_id=office.mark, creator_id=office.head, item_id=item.id
            ),
            actor=SYSTEM,
            now=clock(),
        )
    robot(
        uow,
        clock,
        invoice,
        ActionKind.ADD_CO_EXECUTORS,
        {"employees": ["responsible", office.olga]},
    )

    crm_items.move_item(
        uow, EntityType.DEAL, item.id or 0, invoice.id or 0, actor=SYSTEM, now=clock()
    )

    [run] = runs(uow, item)
    # The responsible of the tasks is never their co-executor: only Olga is added.
    assert sorted(run.data["task_ids"]) == run.data["task_ids"] and len(run.data["task_ids"]) == 2
    assert all(ids == [office.olga] for ids in run.data["added"].values())


def test_a_robot_with_no_open_task_to_help_with_fails_with_the_reason(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    robot(
        uow,
        clock,
        office.stages["Invoice"],
        ActionKind.ADD_CO_EXECUTORS,
        {"employees": [office.olga]},
    )

    item = deal(uow, clock, office.stages["Invoice"], responsible_id=office.mark)

    [run] = runs(uow, item)
    assert (run.state, run.detail) == (RunState.FAILED, f"Deal {item.id} has no open task")


def test_a_deadline_shifts_by_working_days_on_the_responsibles_calendar(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    # Thursday 5 March 2026, 12:00 in Moscow: the task is due Friday 12:00; Monday is off.
    clock.set(datetime(2026, 3, 5, 9, 0, tzinfo=UTC))
    invoice = office.stages["Invoice"]
    maker = robot(uow, clock, invoice, ActionKind.CREATE_TASK, CALL, name="Call")
    shift = {"amount": 1, "task_robot_id": maker.id}
    robot(uow, clock, invoice, ActionKind.SHIFT_DEADLINE, shift, after=(2, TimeUnit.HOURS))
    item = deal(uow, clock, invoice, responsible_id=office.mark)
    made = runs(uow, item)[0].data["task_id"]
    friday_noon = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
    assert task_of(uow, made)[0].deadline == friday_noon

    clock.advance(hours=2)
    run_worker(uow, clock)

    tuesday_noon = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    task, _, _ = task_of(uow, made)
    assert task.deadline == tuesday_noon
    _, shifted = runs(uow, item)
    assert shifted.data["deadlines"] == {
        str(made): {"from": friday_noon.isoformat(), "to": tuesday_noon.isoformat()}
    }
    [told] = [n for n in feed(uow, office.mark) if n.kind == TASK_DEADLINE_MOVED]
    assert told.params["deadline"].startswith("2026-03-10 12:00")
    assert told.params["previous"].startswith("2026-03-06 12:00")


def test_a_plain_shift_counts_every_hour(uow: UnitOfWork, clock: FakeClock, office: Office) -> None:
    invoice = office.stages["Invoice"]
    robot(uow, clock, invoice, ActionKind.CREATE_TASK, CALL, name="Call")
    shift = {"amount": 30, "unit": "hours", "working": False}
    robot(uow, clock, invoice, ActionKind.SHIFT_DEADLINE, shift)

    item = deal(uow, clock, invoice, responsible_id=office.mark)

    made, shifted = runs(uow, item)
    task, _, _ = task_of(uow, made.data["task_id"])
    assert task.deadline == clock() + timedelta(days=1, hours=30)
    assert shifted.state is RunState.FIRED


def test_a_robot_asks_for_a_business_process_and_nothing_runs_it_yet(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    params = {"process": "contract.approval"}
    made = robot(uow, clock, office.stages["Sign contract"], ActionKind.START_PROCESS, params)

    item = deal(uow, clock, office.stages["Sign contract"], responsible_id=office.mark)

    [run] = runs(uow, item)
    assert (run.state, run.detail, run.data) == (
        RunState.FIRED,
        "process start requested",
        {"process": "contract.approval"},
    )
    [requested] = [p for t, p in outbox(uow) if t == "ProcessStartRequested"]
    assert requested == {
        "process": "contract.approval",
        "entity_type": "deal",
        "item_id": item.id,
        "robot_id": made.id,
        "robot_run_id": run.id,
    }
