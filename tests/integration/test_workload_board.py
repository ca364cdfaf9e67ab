"""The workload board: what each designer holds against their cap, whether they are here,
when they will have room, and how long paid deals wait for them.

The story is a Thursday, 20 November 2025, 10:00 in Moscow. Design (head Helen, with the
"3D studio" below it) takes paid deals under the rule *Paid deals to design*: 10 points
each, a special deal weighs 5, a standard one 1. Lev (Samara) holds 8 points and is on
vacation until the 27th; Sam and Daria are full; Sam has finished three designs before,
each in two days; Daria has no history of her own. Accounting is someone else's.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.distribution_rules import RuleEntity
from conveyor.domain.errors import Forbidden, NotFound
from conveyor.domain.field_types import FieldType
from conveyor.domain.free_capacity import FreeBasis
from conveyor.domain.presence import AwayReason
from conveyor.domain.tasks import TaskAction
from conveyor.domain.tokens import Role
from conveyor.domain.workdays import DayAction
from conveyor.domain.workload_board import BoardRow, DayStatus
from conveyor.services import absences, crm_items, custom_fields, org, tasks, workdays
from conveyor.services import distribution_rules as rules
from conveyor.services.assignment_queue import escalate_waiting
from conveyor.services.workload_board import BoardQuery, rule_queues, workload_board
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import DEAL, agency_pipeline, new_deal

MOSCOW, SAMARA = ZoneInfo("Europe/Moscow"), ZoneInfo("Europe/Samara")
THURSDAY_10 = datetime(2025, 11, 20, 10, 0, tzinfo=MOSCOW)
WEIGHT = '5 if deal.equipment_type == "special" else 1'


@pytest.fixture
def studio(uow: UnitOfWork, clock: FakeClock) -> dict[str, Any]:
    clock.set(datetime(2025, 11, 1, 10, tzinfo=MOSCOW))
    stages = agency_pipeline(uow, clock)
    custom_fields.create_field(
        uow,
        custom_fields.CreateField(
            entity_type=DEAL, code="equipment_type", name="Equipment", type=FieldType.STRING
        ),
        actor=SYSTEM,
        now=clock(),
    )

    def department(name: str, parent_id: int | None = None) -> int:
        made = org.create_department(
            uow, org.CreateDepartment(name=name, parent_id=parent_id), actor=SYSTEM, now=clock()
        )
        assert made.id is not None
        return made.id

    design = department("Design")
    studio_3d = department("3D studio", design)
    accounting = department("Accounting")
    people = {}
    for name, where, zone in (
        ("Helen", design, "Europe/Moscow"),
        ("Lev", design, "Europe/Samara"),
        ("Sam", design, "Europe/Moscow"),
        ("Daria", design, "Europe/Moscow"),
        ("Zoe", studio_3d, "Europe/Moscow"),
        ("Olga", accounting, "Europe/Moscow"),
    ):
        command = org.CreateEmployee(name=name, timezone=zone, department_ids=[where])
        employee, _ = org.create_employee(uow, command, actor=SYSTEM, now=clock())
        people[name] = employee.id
    for where, head in ((design, "Helen"), (accounting, "Olga")):
        org.update_department(uow, where, {"head_id": people[head]}, actor=SYSTEM, now=clock())
    development = stages["Development started"].id

    def in_development(name: str, equipment: str, at: datetime) -> int:
        clock.set(at)
        deal = new_deal(
            uow,
            clock,
            f"{name}'s {equipment} site",
            stage_id=development,
            responsible_id=people[name],
            fields={"equipment_type": equipment},
        )
        assert deal.id is not None
        return deal.id

    # Sam's history: three designs, two days each in Development started.
    for day in (3, 5, 7):
        done = in_development("Sam", "standard", datetime(2025, 11, day, 12, tzinfo=MOSCOW))
        clock.advance(days=2)
        crm_items.move_item(uow, DEAL, done, stages["Done"].id, actor=SYSTEM, now=clock())

    in_development("Lev", "special", datetime(2025, 11, 14, 11, tzinfo=MOSCOW))
    for hour in (12, 13, 14):
        in_development("Lev", "standard", datetime(2025, 11, 14, hour, tzinfo=MOSCOW))
    sams = [
        in_development("Sam", "special", datetime(2025, 11, 19, 15, tzinfo=MOSCOW)),
        in_development("Sam", "special", datetime(2025, 11, 20, 9, tzinfo=MOSCOW)),
    ]
    for hour in (8, 9):
        in_development("Daria", "special", datetime(2025, 11, 20, hour, tzinfo=MOSCOW))
        in_development("Zoe", "special", datetime(2025, 11, 20, hour, tzinfo=MOSCOW))

    clock.set(datetime(2025, 11, 10, 9, tzinfo=MOSCOW))
    late = tasks.create_task(
        uow,
        tasks.CreateTask(
            title="Send the mock-up",
            responsible_id=people["Lev"],
            creator_id=people["Helen"],
            deadline=datetime(2025, 11, 14, 18, tzinfo=SAMARA),
        ),
        actor=SYSTEM,
        now=clock(),
    )
    vacation = absences.RegisterAbsence(
        employee_id=people["Lev"],
        kind=AbsenceKind.VACATION,
        starts_on=date(2025, 11, 17),
        ends_on=date(2025, 11, 27),
    )
    absences.register_absence(uow, vacation, actor=SYSTEM, now=clock())
    rule = rules.create_rule(
        uow,
        rules.RuleSpec(
            name="Paid deals to design",
            entity_type=RuleEntity.DEAL,
            pipeline_id=stages["Prepayment received"].pipeline_id,
            trigger_stage_id=stages["Prepayment received"].id,
            department_ids=[design],
            include_subdepartments=True,
            exclude_heads=True,
            default_capacity_points=Decimal(10),
            in_work_stage_ids=[development or 0],
            weight=WEIGHT,
            next_stage_id=development,
            escalate_after_minutes=30,
        ),
        actor=SYSTEM,
        now=clock(),
    )
    clock.set(THURSDAY_10)
    return {
        "stages": stages,
        "people": people,
        "rule": rule,
        "design": design,
        "studio_3d": studio_3d,
        "accounting": accounting,
        "sams": sams,
        "late_task": late.task.id,
    }


def board(uow: UnitOfWork, clock: FakeClock, actor: Actor = SYSTEM, **query: Any) -> list[BoardRow]:
    return workload_board(uow, BoardQuery(**query), actor=actor, now=clock()).rows


def row(rows: list[BoardRow], employee_id: int) -> BoardRow:
    return next(r for r in rows if r.employee.id == employee_id)


def test_lev_has_8_of_10_points_one_overdue_task_and_is_free_when_back_from_vacation(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    lev = row(board(uow, clock, rule_id=studio["rule"].id), studio["people"]["Lev"])

    assert (lev.in_work_count, lev.in_work_points) == (4, Decimal(8))
    assert (lev.capacity_points, lev.free_points) == (Decimal(10), Decimal(2))
    assert lev.tasks.overdue == 1
    assert lev.tasks.open == 1
    assert not lev.presence.present
    assert lev.presence.reason is AwayReason.ABSENCE
    assert lev.presence.absence_kind is AbsenceKind.VACATION
    assert lev.presence.absent_until == date(2025, 11, 27)
    # Back on Friday the 28th, at the start of his working day, on his own clock.
    assert lev.free_at.at == datetime(2025, 11, 28, 9, tzinfo=SAMARA)
    assert lev.free_at.basis is FreeBasis.BACK_FROM_ABSENCE
    assert "vacation" in lev.free_at.note and "2025-11-27" in lev.free_at.note


def test_a_full_designer_is_free_when_his_oldest_deal_has_taken_his_usual_two_days(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    sam = row(board(uow, clock, rule_id=studio["rule"].id), studio["people"]["Sam"])

    assert (sam.in_work_points, sam.capacity_points, sam.free_points) == (
        Decimal(10),
        Decimal(10),
        Decimal(0),
    )
    assert sam.presence.present
    # His oldest special deal entered on the 19th at 15:00; he usually takes two days.
    assert sam.free_at.at == datetime(2025, 11, 21, 15, tzinfo=MOSCOW)
    assert sam.free_at.basis is FreeBasis.OWN_HISTORY
    assert f"deal {studio['sams'][0]}" in sam.free_at.note
    assert "Development started" in sam.free_at.note and "3 stays" in sam.free_at.note


def test_without_history_of_her_own_a_designer_is_judged_by_everyone_s_pace(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    daria = row(board(uow, clock, rule_id=studio["rule"].id), studio["people"]["Daria"])

    assert daria.free_at.at == datetime(2025, 11, 22, 8, tzinfo=MOSCOW)
    assert daria.free_at.basis is FreeBasis.TEAM_HISTORY
    assert "everyone's" in daria.free_at.note


def test_the_rule_shows_its_own_pool_without_the_head_and_with_the_studio_below(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    people = studio["people"]
    found = workload_board(uow, BoardQuery(rule_id=studio["rule"].id), actor=SYSTEM, now=clock())

    # Helen heads Design and the rule never gives work to heads; Olga is in Accounting.
    assert [r.employee.name for r in found.rows] == ["Daria", "Lev", "Sam", "Zoe"]
    assert found.counted_stage_ids == (studio["stages"]["Development started"].id,)
    assert found.rule_id == studio["rule"].id and not found.counts_open_tasks
    assert people["Olga"] not in {r.employee.id for r in found.rows}


def test_the_head_sees_his_department_and_the_one_below_it_not_the_others(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    people = studio["people"]
    helen = Actor(employee_id=people["Helen"], role=Role.HEAD)

    names = [r.employee.name for r in board(uow, clock, helen)]
    only_3d = [r.employee.name for r in board(uow, clock, helen, department_id=studio["studio_3d"])]

    assert names == ["Daria", "Helen", "Lev", "Sam", "Zoe"]
    assert only_3d == ["Zoe"]
    with pytest.raises(Forbidden) as refused:
        board(uow, clock, helen, department_id=studio["accounting"])
    assert refused.value.field == "department_id"


def test_an_employee_sees_only_themselves(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    sam = Actor(employee_id=studio["people"]["Sam"], role=Role.EMPLOYEE)

    found = workload_board(uow, BoardQuery(), actor=sam, now=clock())
    in_accounting = workload_board(
        uow, BoardQuery(department_id=studio["accounting"]), actor=sam, now=clock()
    )

    assert [r.employee.name for r in found.rows] == ["Sam"]
    assert found.total == 1
    assert (in_accounting.rows, in_accounting.total) == ([], 0)


def test_an_admin_filters_by_department_with_the_departments_below(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    design = [r.employee.name for r in board(uow, clock, department_id=studio["design"])]
    accounting = [r.employee.name for r in board(uow, clock, department_id=studio["accounting"])]

    assert design == ["Daria", "Helen", "Lev", "Sam", "Zoe"]
    assert accounting == ["Olga"]


def test_an_unknown_department_or_rule_is_refused_naming_the_field_and_changes_nothing(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    with uow:
        events_before = len(uow.events.where())
    with pytest.raises(NotFound) as no_department:
        board(uow, clock, department_id=999_999)
    with pytest.raises(NotFound) as no_rule:
        board(uow, clock, rule_id=999_999)
    helen = Actor(employee_id=studio["people"]["Helen"], role=Role.HEAD)
    with pytest.raises(NotFound) as no_department_for_head:
        board(uow, clock, helen, department_id=999_999)

    assert no_department.value.field == "department_id"
    assert no_rule.value.field == "rule_id"
    assert no_department_for_head.value.field == "department_id"
    with uow:
        assert len(uow.events.where()) == events_before


def test_without_a_rule_every_open_stage_counts_one_point_and_nobody_is_capped(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    people = studio["people"]
    new_deal(
        uow,
        clock,
        "Call back",
        stage_id=studio["stages"]["Invoice"].id,
        responsible_id=people["Sam"],
    )
    found = workload_board(uow, BoardQuery(), actor=SYSTEM, now=clock())
    sam, lev = row(found.rows, people["Sam"]), row(found.rows, people["Lev"])

    assert set(found.counted_stage_ids) == {
        s.id for s in studio["stages"].values() if not s.is_final
    }
    assert (sam.in_work_count, sam.in_work_points, sam.capacity_points) == (3, Decimal(3), None)
    assert sam.free_at.at == clock() and sam.free_at.basis is FreeBasis.ROOM_NOW
    # Room, but away: free when back.
    assert lev.free_at.at == datetime(2025, 11, 28, 9, tzinfo=SAMARA)


def test_a_capacity_override_and_a_deadline_drive_the_estimate(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    people = studio["people"]
    rules.update_rule(
        uow,
        studio["rule"].id,
        {"capacity_overrides": {people["Zoe"]: Decimal(11)}, "count_open_tasks": True},
        actor=SYSTEM,
        now=clock(),
    )
    due = datetime(2025, 11, 20, 16, tzinfo=MOSCOW)
    tasks.create_task(
        uow,
        tasks.CreateTask(
            title="Render", responsible_id=people["Zoe"], creator_id=people["Helen"], deadline=due
        ),
        actor=SYSTEM,
        now=clock(),
    )
    zoe = row(board(uow, clock, rule_id=studio["rule"].id), people["Zoe"])

    # Two special deals and the task: 11 of 11; the task is due first and frees a point.
    assert (zoe.in_work_count, zoe.in_work_points, zoe.capacity_points) == (
        3,
        Decimal(11),
        Decimal(11),
    )
    assert zoe.free_at.at == due
    assert zoe.free_at.basis is FreeBasis.DEADLINE


def test_presence_shows_the_time_clock_and_dismissal(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    people = studio["people"]
    for name in ("Sam", "Daria", "Zoe"):
        me = Actor(employee_id=people[name], role=Role.EMPLOYEE)
        workdays.change_workday(uow, people[name], DayAction.OPEN, actor=me, now=clock())
    daria = Actor(employee_id=people["Daria"], role=Role.EMPLOYEE)
    workdays.change_workday(uow, people["Daria"], DayAction.PAUSE, actor=daria, now=clock())
    zoe = Actor(employee_id=people["Zoe"], role=Role.EMPLOYEE)
    workdays.change_workday(uow, people["Zoe"], DayAction.CLOSE, actor=zoe, now=clock())
    clock.advance(minutes=5)
    org.update_employee(uow, people["Helen"], {"status": "dismissed"}, actor=SYSTEM, now=clock())

    rows = board(uow, clock, include_dismissed=True)
    shown = {r.employee.name: r.presence for r in rows}
    without_dismissed = [r.employee.name for r in board(uow, clock)]

    assert shown["Sam"].day is DayStatus.OPEN and shown["Sam"].present
    assert shown["Daria"].day is DayStatus.PAUSED
    assert shown["Zoe"].day is DayStatus.CLOSED and shown["Zoe"].present
    assert shown["Olga"].day is DayStatus.NOT_OPENED
    assert shown["Sam"].in_working_hours
    assert shown["Helen"].reason is AwayReason.DISMISSED and not shown["Helen"].present
    assert row(rows, people["Helen"]).free_at.basis is FreeBasis.DISMISSED
    assert "Helen" not in without_dismissed


def test_completed_today_and_this_week_count_on_each_employee_s_own_clock(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    people = studio["people"]

    def done_at(name: str, at: datetime) -> None:
        clock.set(at)
        view = tasks.create_task(
            uow,
            tasks.CreateTask(
                title="Check", responsible_id=people[name], creator_id=people["Helen"]
            ),
            actor=SYSTEM,
            now=at,
        )
        assert view.task.id is not None
        tasks.act_on_task(uow, view.task.id, TaskAction.COMPLETE, actor=SYSTEM, now=at)

    # 00:30 on Thursday in Samara is still Wednesday 23:30 in Moscow.
    thursday_in_samara = datetime(2025, 11, 20, 0, 30, tzinfo=SAMARA)
    done_at("Lev", thursday_in_samara)
    done_at("Sam", thursday_in_samara)
    # Monday 00:30 in Samara is still Sunday in Moscow: this week for Lev only.
    monday_in_samara = datetime(2025, 11, 17, 0, 30, tzinfo=SAMARA)
    done_at("Lev", monday_in_samara)
    done_at("Sam", monday_in_samara)
    done_at("Sam", datetime(2025, 11, 12, 12, tzinfo=MOSCOW))  # last week
    clock.set(datetime(2025, 11, 20, 1, 0, tzinfo=SAMARA))

    rows = board(uow, clock)
    lev, sam = row(rows, people["Lev"]), row(rows, people["Sam"])

    assert (lev.tasks.completed_today, lev.tasks.completed_this_week) == (1, 2)
    assert (sam.tasks.completed_today, sam.tasks.completed_this_week) == (0, 1)


def test_awaiting_approval_counts_what_waits_for_the_creator_s_acceptance(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    people = studio["people"]
    helen = Actor(employee_id=people["Helen"], role=Role.HEAD)
    sam = Actor(employee_id=people["Sam"], role=Role.EMPLOYEE)
    for title in ("Logo", "Banner"):
        view = tasks.create_task(
            uow,
            tasks.CreateTask(title=title, responsible_id=people["Sam"], requires_acceptance=True),
            actor=helen,
            now=clock(),
        )
        assert view.task.id is not None
        tasks.act_on_task(uow, view.task.id, TaskAction.COMPLETE, actor=sam, now=clock())
    tasks.create_task(
        uow,
        tasks.CreateTask(title="Later", responsible_id=people["Sam"]),
        actor=helen,
        now=clock(),
    )
    view = tasks.create_task(
        uow,
        tasks.CreateTask(title="Park it", responsible_id=people["Sam"]),
        actor=helen,
        now=clock(),
    )
    assert view.task.id is not None
    tasks.act_on_task(uow, view.task.id, TaskAction.DEFER, actor=sam, now=clock())

    rows = board(uow, clock)

    assert row(rows, people["Helen"]).tasks.awaiting_approval == 2
    sam_tasks = row(rows, people["Sam"]).tasks
    assert sam_tasks.submitted_for_approval == 2
    assert (sam_tasks.open, sam_tasks.deferred, sam_tasks.awaiting_approval) == (1, 1, 0)


def test_the_queue_of_paid_deals_to_design_has_2_waiting_the_oldest_since_10_05(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    # Lev is away, Sam, Daria and Zoe are full: paid deals wait.
    prepaid = studio["stages"]["Prepayment received"].id
    for minute in (5, 7):
        clock.set(THURSDAY_10.replace(minute=minute))
        new_deal(uow, clock, f"Paid at 10:{minute:02}", stage_id=prepaid)
    clock.set(THURSDAY_10.replace(minute=40))

    [line] = rule_queues(uow, actor=SYSTEM, now=clock())
    assert (line.rule_id, line.rule_name, line.waiting) == (
        studio["rule"].id,
        "Paid deals to design",
        2,
    )
    assert line.oldest_queued_at == THURSDAY_10.replace(minute=5)
    assert line.oldest_wait == timedelta(minutes=35)
    assert line.escalated == 0

    with uow:
        escalate_waiting(uow, now=clock())
        uow.commit()
    [escalated] = rule_queues(uow, actor=SYSTEM, now=clock())
    assert escalated.escalated == 2


def test_a_disabled_rule_is_not_listed_and_an_empty_queue_is_zero(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    rules.create_rule(
        uow,
        rules.RuleSpec(
            name="Paused rule",
            entity_type=RuleEntity.DEAL,
            enabled=False,
            pipeline_id=studio["rule"].pipeline_id,
            trigger_stage_id=studio["stages"]["Invoice"].id,
            department_ids=[studio["accounting"]],
        ),
        actor=SYSTEM,
        now=clock(),
    )

    [line] = rule_queues(uow, actor=SYSTEM, now=clock())

    assert (line.rule_name, line.waiting, line.oldest_queued_at, line.oldest_wait) == (
        "Paid deals to design",
        0,
        None,
        None,
    )


def test_only_heads_and_admins_see_the_queues(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    sam = Actor(employee_id=studio["people"]["Sam"], role=Role.EMPLOYEE)
    helen = Actor(employee_id=studio["people"]["Helen"], role=Role.HEAD)

    with pytest.raises(Forbidden):
        rule_queues(uow, actor=sam, now=clock())
    assert len(rule_queues(uow, actor=helen, now=clock())) == 1


def test_pages_go_by_name(uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]) -> None:
    first = workload_board(uow, BoardQuery(limit=2), actor=SYSTEM, now=clock())
    second = workload_board(uow, BoardQuery(limit=2, offset=2), actor=SYSTEM, now=clock())

    assert [r.employee.name for r in first.rows + second.rows] == ["Daria", "Helen", "Lev", "Olga"]
    assert first.total == second.total == 6
