"""Robots timed by a date field of the deal, on both databases: due at, before or after the
moment the field holds, skipped when it is empty, acting at once when the moment is past,
and following the field while they wait (a person's edit, a robot's, or one that tells
nobody)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from conveyor.domain.actors import SYSTEM
from conveyor.domain.crm_items import CrmItem
from conveyor.domain.field_types import FieldType
from conveyor.domain.jobs import JobState
from conveyor.domain.pipelines import EntityType
from conveyor.domain.robot_params import ActionKind
from conveyor.domain.robot_runs import Reason, RunState
from conveyor.domain.robots import TimeUnit, Timing, TimingKind
from conveyor.services import crm_items, custom_fields, robot_runs
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import DEAL, outbox
from tests.integration.robot_office import (
    Office,
    deal,
    feed,
    move,
    robot,
    run_worker,
    runs,
    sales_office,
)

NOTIFY = ActionKind.NOTIFY
TELL = {"to": ["responsible"], "text": "Payment of {deal.title} is due"}
# Monday 2 March 2026, 12:00 in Moscow (the fake clock's start).
NOON = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def office(uow: UnitOfWork, clock: FakeClock) -> Office:
    made = sales_office(uow, clock)
    for code, kind in (("pay_by", FieldType.DATETIME), ("pay_day", FieldType.DATE)):
        custom_fields.create_field(
            uow,
            custom_fields.CreateField(entity_type=EntityType.DEAL, code=code, name=code, type=kind),
            actor=SYSTEM,
            now=clock(),
        )
    return made


def at(code: str = "pay_by", **extra: Any) -> Timing:
    return Timing(kind=TimingKind.AT_FIELD, field=code, **extra)


def set_fields(uow: UnitOfWork, clock: FakeClock, item: CrmItem, **values: Any) -> None:
    assert item.id is not None
    changes = {"fields": values}
    crm_items.update_item(uow, DEAL, item.id, changes, actor=SYSTEM, now=clock())


def robot_jobs(uow: UnitOfWork) -> list[Any]:
    with uow:
        return [j for j in uow.jobs.where() if j.kind == robot_runs.FIRE_JOB]


def iso(moment: datetime) -> str:
    return moment.isoformat()


def test_a_robot_at_a_datetime_field_fires_at_its_moment_and_not_before(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    invoice = office.stages["Invoice"]
    robot(uow, clock, invoice, NOTIFY, TELL, timing=at())
    pay_by = NOON + timedelta(hours=5)

    item = deal(uow, clock, invoice, responsible_id=office.mark, fields={"pay_by": iso(pay_by)})

    [run] = runs(uow, item)
    assert (run.state, run.due_at) == (RunState.SCHEDULED, pay_by)
    [job] = robot_jobs(uow)
    assert job.due_at == pay_by
    clock.set(pay_by - timedelta(seconds=1))
    run_worker(uow, clock)
    assert feed(uow, office.mark) == []
    clock.set(pay_by)
    run_worker(uow, clock)
    assert [n.params["text"] for n in feed(uow, office.mark)] == ["Payment of Kitchen is due"]


def test_working_days_before_a_date_field_count_back_from_the_start_of_its_day(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    invoice = office.stages["Invoice"]
    before = Timing(
        kind=TimingKind.BEFORE_FIELD, field="pay_day", amount=2, unit=TimeUnit.DAYS, working=True
    )
    robot(uow, clock, invoice, NOTIFY, TELL, timing=before)

    # Wednesday 11 March: 00:00 in Mark's Moscow; Monday 9 March is a day off.
    item = deal(uow, clock, invoice, responsible_id=office.mark, fields={"pay_day": "2026-03-11"})

    [run] = runs(uow, item)
    assert run.due_at == datetime(2026, 3, 6, 6, 0, tzinfo=UTC)  # Friday 09:00 in Moscow


def test_an_empty_field_skips_the_robot_when_the_deal_enters_the_stage(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    robot(uow, clock, office.stages["Invoice"], NOTIFY, TELL, timing=at())

    item = deal(uow, clock, office.stages["Invoice"], responsible_id=office.mark)

    [run] = runs(uow, item)
    assert (run.state, run.reason, run.detail) == (
        RunState.SKIPPED,
        Reason.FIELD_EMPTY,
        "field 'pay_by' is empty",
    )
    assert robot_jobs(uow) == []
    # Filling it in later does not bring a skipped run back.
    set_fields(uow, clock, item, pay_by=iso(NOON + timedelta(hours=1)))
    assert [r.state for r in runs(uow, item)] == [RunState.SKIPPED]


def test_a_moment_already_past_acts_at_once_in_the_move(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    invoice = office.stages["Invoice"]
    robot(uow, clock, invoice, NOTIFY, TELL, timing=at())
    yesterday = iso(NOON - timedelta(days=1))
    item = deal(uow, clock, office.stages["Upload copy"], responsible_id=office.mark)
    set_fields(uow, clock, item, pay_by=yesterday)

    move(uow, clock, item, invoice)

    [run] = runs(uow, item)
    assert (run.state, run.due_at, run.finished_at) == (
        RunState.FIRED,
        NOON - timedelta(days=1),
        clock(),
    )
    assert len(feed(uow, office.mark)) == 1
    assert robot_jobs(uow) == []


def test_the_due_time_follows_the_field_while_the_robot_waits(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    invoice = office.stages["Invoice"]
    after = Timing(kind=TimingKind.AFTER_FIELD, field="pay_by", amount=1, unit=TimeUnit.HOURS)
    robot(uow, clock, invoice, NOTIFY, TELL, timing=after)
    first = NOON + timedelta(hours=2)
    item = deal(uow, clock, invoice, responsible_id=office.mark, fields={"pay_by": iso(first)})
    clock.advance(minutes=30)

    later = NOON + timedelta(days=1)
    set_fields(uow, clock, item, pay_by=iso(later))

    [run] = runs(uow, item)
    assert run.due_at == later + timedelta(hours=1)
    [job] = robot_jobs(uow)
    assert (job.state, job.due_at) == (JobState.PENDING, later + timedelta(hours=1))
    [moved] = [p for t, p in outbox(uow) if t == "RobotRunRescheduled"]
    assert moved["due_at"] == iso(later + timedelta(hours=1))
    assert moved["previous_due_at"] == iso(first + timedelta(hours=1))
    clock.set(first + timedelta(hours=1))
    run_worker(uow, clock)
    assert feed(uow, office.mark) == []

    # Moved back into the past: due at once, fired by the worker's next look.
    set_fields(uow, clock, item, pay_by=iso(NOON))
    [job] = robot_jobs(uow)
    assert job.due_at == NOON + timedelta(hours=1) <= clock()
    assert [r.state for r in runs(uow, item)] == [RunState.SCHEDULED]
    run_worker(uow, clock)
    [run] = runs(uow, item)
    assert (run.state, run.due_at) == (RunState.FIRED, NOON + timedelta(hours=1))
    assert len(feed(uow, office.mark)) == 1


def test_a_field_cleared_while_the_robot_waits_ends_it_and_its_job(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    robot(uow, clock, office.stages["Invoice"], NOTIFY, TELL, timing=at())
    pay_by = iso(NOON + timedelta(hours=3))
    item = deal(
        uow, clock, office.stages["Invoice"], responsible_id=office.mark, fields={"pay_by": pay_by}
    )

    set_fields(uow, clock, item, pay_by=None)

    [run] = runs(uow, item)
    assert (run.state, run.reason) == (RunState.SKIPPED, Reason.FIELD_EMPTY)
    assert run.detail == "field 'pay_by' was cleared while the robot waited"
    assert robot_jobs(uow) == []


def test_a_robot_setting_the_date_moves_the_robot_that_waits_on_it(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    invoice = office.stages["Invoice"]
    robot(uow, clock, invoice, NOTIFY, TELL, name="At the payment day", timing=at("pay_day"))
    robot(
        uow,
        clock,
        invoice,
        ActionKind.SET_FIELD,
        {"field": "pay_day", "value": "2026-03-20"},
        name="Give a fortnight",
        after=(1, TimeUnit.HOURS),
    )
    item = deal(uow, clock, invoice, responsible_id=office.mark, fields={"pay_day": "2026-03-04"})
    assert runs(uow, item)[0].due_at == datetime(2026, 3, 3, 21, 0, tzinfo=UTC)

    clock.advance(hours=1)
    run_worker(uow, clock)

    waiting, setter = runs(uow, item)
    assert setter.state is RunState.FIRED
    # 20 March, 00:00 in Moscow.
    assert (waiting.state, waiting.due_at) == (
        RunState.SCHEDULED,
        datetime(2026, 3, 19, 21, 0, tzinfo=UTC),
    )
    clock.set(datetime(2026, 3, 10, tzinfo=UTC))
    run_worker(uow, clock)
    assert feed(uow, office.mark) == []


def test_a_change_that_told_nobody_only_makes_the_robot_wait_longer(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    robot(uow, clock, office.stages["Invoice"], NOTIFY, TELL, timing=at())
    pay_by = NOON + timedelta(hours=1)
    item = deal(
        uow,
        clock,
        office.stages["Invoice"],
        responsible_id=office.mark,
        fields={"pay_by": iso(pay_by)},
    )
    later = NOON + timedelta(hours=5)
    with uow:  # an engine writing the field without calling the hook
        changing = uow.items.get(item.id or 0, for_update=True)
        uow.emit(*changing.change({"fields": {"pay_by": iso(later)}}, now=clock()))
        uow.commit()

    clock.set(pay_by)
    run_worker(uow, clock)

    [run] = runs(uow, item)
    assert (run.state, run.due_at) == (RunState.SCHEDULED, later)
    [job] = robot_jobs(uow)
    assert (job.state, job.due_at) == (JobState.PENDING, later)
    assert feed(uow, office.mark) == []
    clock.set(later)
    run_worker(uow, clock)
    assert [r.state for r in runs(uow, item)] == [RunState.FIRED]


def test_a_robot_a_day_after_the_deal_was_created(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    created = Timing(kind=TimingKind.AFTER_FIELD, field="created_at", amount=1, unit=TimeUnit.DAYS)
    robot(uow, clock, office.stages["Invoice"], NOTIFY, TELL, timing=created)
    item = deal(uow, clock, office.stages["Upload copy"], responsible_id=office.mark)
    clock.advance(hours=3)

    move(uow, clock, item, office.stages["Invoice"])

    [run] = runs(uow, item)
    assert run.due_at == NOON + timedelta(days=1)


def test_a_robot_following_a_field_deleted_since_fails_with_the_reason(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    robot(uow, clock, office.stages["Invoice"], NOTIFY, TELL, timing=at())
    with uow:
        definition = uow.custom_fields.by_code(EntityType.DEAL, "pay_by")
        assert definition is not None and definition.id is not None
    custom_fields.delete_field(uow, definition.id, actor=SYSTEM, now=clock())

    item = deal(uow, clock, office.stages["Invoice"], responsible_id=office.mark)

    [run] = runs(uow, item)
    assert (run.state, run.reason) == (RunState.FAILED, Reason.TIMING_FAILED)
    assert "'pay_by' the robot follows no longer exists" in (run.detail or "")


def test_a_robot_clearing_the_very_date_it_waits_on_fires_and_the_deal_is_created(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    invoice = office.stages["Invoice"]
    robot(
        uow, clock, invoice, ActionKind.SET_FIELD, {"field": "pay_by", "value": None}, timing=at()
    )
    yesterday = iso(NOON - timedelta(days=1))

    item = deal(uow, clock, invoice, responsible_id=office.mark, fields={"pay_by": yesterday})

    [run] = runs(uow, item)
    assert run.state is RunState.FIRED
    with uow:
        assert uow.items.get(item.id or 0).fields.get("pay_by") is None
