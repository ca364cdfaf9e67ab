"""Candidate snapshots from the database: what the assignment engine sees of each employee."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.errors import InvalidValue, NaiveDatetime
from conveyor.domain.pipelines import Stage
from conveyor.domain.tasks import TaskAction
from conveyor.domain.tokens import Role
from conveyor.domain.workdays import DayAction, DayState
from conveyor.engines.assignment.snapshots import CandidateSnapshot, CurrentAbsence
from conveyor.services import absences, candidates, org, schedules, tasks, workdays
from conveyor.services.assignment_load import HeldLoad
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import agency_pipeline, new_deal

MOSCOW = ZoneInfo("Europe/Moscow")
MONDAY_NOON = datetime(2026, 3, 2, 12, tzinfo=MOSCOW)
IN_WORK = ("Prepayment received", "Development started")


def hire(
    uow: UnitOfWork,
    clock: FakeClock,
    name: str,
    *,
    timezone: str = "Europe/Moscow",
    schedule_id: int | None = None,
    department_ids: tuple[int, ...] = (),
    skills: tuple[str, ...] = (),
) -> int:
    command = org.CreateEmployee(
        name=name,
        timezone=timezone,
        schedule_id=schedule_id,
        department_ids=list(department_ids),
        skills=list(skills),
    )
    employee, _ = org.create_employee(uow, command, actor=SYSTEM, now=clock())
    assert employee.id is not None
    return employee.id


def department(uow: UnitOfWork, clock: FakeClock, name: str, **kwargs: Any) -> int:
    created = org.create_department(
        uow, org.CreateDepartment(name=name, **kwargs), actor=SYSTEM, now=clock()
    )
    assert created.id is not None
    return created.id


def away(
    uow: UnitOfWork, clock: FakeClock, who: int, kind: AbsenceKind, first: date, last: date
) -> None:
    command = absences.RegisterAbsence(employee_id=who, kind=kind, starts_on=first, ends_on=last)
    absences.register_absence(uow, command, actor=SYSTEM, now=clock())


def task_for(uow: UnitOfWork, clock: FakeClock, who: int, *then: TaskAction) -> None:
    command = tasks.CreateTask(title="Call back", responsible_id=who, creator_id=who)
    view = tasks.create_task(uow, command, actor=SYSTEM, now=clock())
    assert view.task.id is not None
    for action in then:
        tasks.act_on_task(
            uow, view.task.id, action, actor=Actor(employee_id=who, role=Role.EMPLOYEE), now=clock()
        )


def snapshots(
    uow: UnitOfWork, ids: list[int], *, now: datetime = MONDAY_NOON, **kwargs: Any
) -> dict[int, CandidateSnapshot]:
    options: dict[str, Any] = {"in_work_stage_ids": (), "count_open_tasks": False} | kwargs
    with uow:
        found = candidates.candidate_snapshots(uow, ids, now=now, **options)
    return {s.employee_id: s for s in found}


def in_work(stages: dict[str, Stage]) -> list[int]:
    return [stages[name].id or 0 for name in IN_WORK]


def test_a_designer_on_vacation_is_shown_away_until_its_last_day_with_the_next_absence_ahead(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    daria = hire(uow, clock, "Daria Designer")
    ivan = hire(uow, clock, "Ivan Illustrator")
    away(uow, clock, daria, AbsenceKind.VACATION, date(2026, 2, 23), date(2026, 3, 6))
    # Sick leave right after the vacation: she is back only on the 11th.
    away(uow, clock, daria, AbsenceKind.SICK_LEAVE, date(2026, 3, 7), date(2026, 3, 10))
    away(uow, clock, daria, AbsenceKind.BUSINESS_TRIP, date(2026, 4, 1), date(2026, 4, 3))
    away(uow, clock, ivan, AbsenceKind.VACATION, date(2026, 3, 3), date(2026, 3, 13))

    found = snapshots(uow, [daria, ivan])

    assert found[daria].absence == CurrentAbsence(
        kind=AbsenceKind.VACATION, until=date(2026, 3, 10)
    )
    assert found[daria].next_absence_starts_on == date(2026, 3, 7)
    assert found[ivan].absence is None
    assert found[ivan].next_absence_starts_on == date(2026, 3, 3)


def test_an_absence_starts_on_the_employees_local_date_not_moscows(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    vera = hire(uow, clock, "Vera Vladivostok", timezone="Asia/Vladivostok")
    away(uow, clock, vera, AbsenceKind.VACATION, date(2026, 3, 3), date(2026, 3, 5))
    # 22:00 in Moscow on Monday is already 05:00 on Tuesday in Vladivostok.
    late_monday = datetime(2026, 3, 2, 22, tzinfo=MOSCOW)

    assert snapshots(uow, [vera], now=late_monday)[vera].absence == CurrentAbsence(
        kind=AbsenceKind.VACATION, until=date(2026, 3, 5)
    )
    assert snapshots(uow, [vera])[vera].absence is None


def test_a_head_is_marked_head_and_names_skills_and_externals_come_through(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    boris = hire(uow, clock, "Boris Head")
    studio = department(uow, clock, "Studio", head_id=boris)
    daria = hire(uow, clock, "Daria Designer", department_ids=(studio,), skills=("3D", " Print "))
    command = org.CreateEmployee(name="Fedor Freelancer", is_external=True)
    fedor, _ = org.create_employee(uow, command, actor=SYSTEM, now=clock())
    assert fedor.id is not None

    found = snapshots(uow, [boris, daria, fedor.id])

    assert (found[boris].is_head, found[daria].is_head, found[fedor.id].is_head) == (
        True,
        False,
        False,
    )
    assert found[daria].name == "Daria Designer"
    assert found[daria].skills == frozenset({"3d", "print"})
    assert found[fedor.id].is_external and not found[daria].is_external


def test_load_counts_only_in_work_stages_and_open_tasks_only_when_asked(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    stages = agency_pipeline(uow, clock)
    daria = hire(uow, clock, "Daria Designer")
    idle = hire(uow, clock, "Ivan Idle")
    new_deal(uow, clock, "Early talk", responsible_id=daria, stage_id=stages["Invoice"].id)
    new_deal(uow, clock, "Finished", responsible_id=daria, stage_id=stages["Done"].id)
    new_deal(uow, clock, "Paid", responsible_id=daria, stage_id=stages[IN_WORK[0]].id)
    clock.advance(hours=1)
    building = new_deal(uow, clock, "Site", responsible_id=daria, stage_id=stages[IN_WORK[1]].id)
    clock.advance(hours=1)
    # Still in work, though it was created last: its stage entry is what counts as received.
    new_deal(uow, clock, "Not yet", responsible_id=daria, stage_id=stages["Invoice"].id)
    task_for(uow, clock, daria)
    task_for(uow, clock, daria, TaskAction.START)
    task_for(uow, clock, daria, TaskAction.COMPLETE)
    task_for(uow, clock, daria, TaskAction.DEFER)

    items_only = snapshots(uow, [daria, idle], in_work_stage_ids=in_work(stages))
    with_tasks = snapshots(
        uow, [daria, idle], in_work_stage_ids=in_work(stages), count_open_tasks=True
    )
    # A rule's points of what Daria holds (``held_load``) replace the database's count,
    # and her open tasks still add a point each.
    held = {daria: HeldLoad(count=2, points=Decimal("5.5"), last_at=building.stage_entered_at)}
    weighted = snapshots(
        uow, [daria], in_work_stage_ids=in_work(stages), held=held, count_open_tasks=True
    )

    assert (items_only[daria].load_count, items_only[daria].load_points) == (2, Decimal(2))
    assert items_only[daria].last_assigned_at == building.stage_entered_at
    assert (with_tasks[daria].load_count, with_tasks[daria].load_points) == (4, Decimal(4))
    assert with_tasks[daria].last_assigned_at == clock().astimezone(UTC)
    assert (weighted[daria].load_count, weighted[daria].load_points) == (4, Decimal("7.5"))
    assert weighted[daria].last_assigned_at == clock().astimezone(UTC)
    assert (with_tasks[idle].load_count, with_tasks[idle].load_points) == (0, Decimal(0))
    assert with_tasks[idle].last_assigned_at is None


def test_at_8_30_moscow_time_samara_works_and_moscow_does_not_and_at_17_30_the_reverse(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    office = schedules.create_schedule(
        uow, schedules.CreateSchedule(name="Office 5/2"), actor=SYSTEM, now=clock()
    )
    sofia = hire(uow, clock, "Sofia Samara", timezone="Europe/Samara", schedule_id=office.id)
    maxim = hire(uow, clock, "Maxim Moscow", schedule_id=office.id)
    nadia = hire(uow, clock, "Nadia No Schedule")  # the company default, 09:00-18:00

    morning = snapshots(uow, [sofia, maxim, nadia], now=datetime(2026, 3, 2, 8, 30, tzinfo=MOSCOW))
    evening = snapshots(uow, [sofia, maxim, nadia], now=datetime(2026, 3, 2, 17, 30, tzinfo=MOSCOW))
    sunday = snapshots(uow, [sofia, maxim], now=datetime(2026, 3, 1, 12, tzinfo=MOSCOW))

    # Samara's wall clock is an hour ahead: 09:30 there in the morning, 18:30 in the evening.
    assert [morning[e].in_working_hours for e in (sofia, maxim, nadia)] == [True, False, False]
    assert [evening[e].in_working_hours for e in (sofia, maxim, nadia)] == [False, True, True]
    assert not any(s.in_working_hours for s in sunday.values())


def test_the_day_state_is_the_running_day_even_from_yesterday_else_todays(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    names = ("Olga Open", "Pavel Paused", "Kira Closed", "Nikita Never", "Semyon Night")
    olga, pavel, kira, nikita, semyon = (hire(uow, clock, n) for n in names)

    def act(who: int, *actions: DayAction) -> None:
        for action in actions:
            actor = Actor(employee_id=who, role=Role.EMPLOYEE)
            workdays.change_workday(uow, who, action, actor=actor, now=clock())

    clock.set(datetime(2026, 3, 1, 22, tzinfo=MOSCOW))
    act(semyon, DayAction.OPEN, DayAction.PAUSE)  # a night shift from Sunday
    act(kira, DayAction.OPEN, DayAction.CLOSE)  # Sunday's day, closed: not today's
    clock.set(MONDAY_NOON)
    act(olga, DayAction.OPEN)
    act(pavel, DayAction.OPEN, DayAction.PAUSE)

    before_kira_closes = snapshots(uow, [olga, pavel, kira, nikita, semyon])
    act(kira, DayAction.OPEN, DayAction.CLOSE)
    found = snapshots(uow, [olga, pavel, kira, nikita, semyon])

    assert before_kira_closes[kira].day_state is None
    assert [found[e].day_state for e in (olga, pavel, kira, nikita, semyon)] == [
        DayState.OPEN,
        DayState.PAUSED,
        DayState.CLOSED,
        None,
        DayState.PAUSED,
    ]


def test_fair_share_counts_what_arrived_in_the_last_30_days_and_the_days_present(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    stages = agency_pipeline(uow, clock)
    clock.set(datetime(2026, 1, 12, 10, tzinfo=MOSCOW))
    veteran = hire(uow, clock, "Vasily Veteran")
    new_deal(uow, clock, "Old news", responsible_id=veteran)  # before the window
    clock.set(datetime(2026, 2, 10, 10, tzinfo=MOSCOW))
    for title in ("Logo", "Banner"):
        new_deal(uow, clock, title, responsible_id=veteran)
    clock.set(datetime(2026, 2, 26, 10, tzinfo=MOSCOW))
    newcomer = hire(uow, clock, "Nina Newcomer")
    away(uow, clock, veteran, AbsenceKind.VACATION, date(2026, 2, 16), date(2026, 2, 20))
    clock.set(MONDAY_NOON)

    found = snapshots(uow, [veteran, newcomer], in_work_stage_ids=in_work(stages))

    # From Sat 31 Jan to Mon 2 Mar: 20 working days (23 February is a holiday), less a
    # five-day vacation; the newcomer was here Thursday, Friday and Monday.
    assert (found[veteran].assigned_in_window, found[veteran].present_days_in_window) == (2, 15)
    assert (found[newcomer].assigned_in_window, found[newcomer].present_days_in_window) == (0, 3)
    task_counts = snapshots(uow, [veteran], entity_type="task")
    assert task_counts[veteran].assigned_in_window == 0


def test_the_pool_takes_subdepartments_keeps_the_dismissed_and_drops_exclusions(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    production = department(uow, clock, "Production")
    print_shop = department(uow, clock, "Print shop", parent_id=production)
    sales = department(uow, clock, "Sales")
    pavel = hire(uow, clock, "Pavel Producer", department_ids=(production,))
    petr = hire(uow, clock, "Petr Printer", department_ids=(print_shop,))
    dmitry = hire(uow, clock, "Dmitry Dismissed", department_ids=(print_shop,))
    sergey = hire(uow, clock, "Sergey Sales", department_ids=(sales,))
    fedor = hire(uow, clock, "Fedor Freelancer")
    org.update_employee(uow, dmitry, {"status": "dismissed"}, actor=SYSTEM, now=clock())

    with uow:
        flat = candidates.resolve_pool(uow, department_ids=[production], employee_ids=[fedor])
        deep = candidates.resolve_pool(
            uow, department_ids=[production], include_subdepartments=True, excluded_ids=[petr]
        )
        unknown = candidates.resolve_pool(uow, employee_ids=[999_999], department_ids=[999_999])
        dismissed = candidates.candidate_snapshots(
            uow, deep, now=MONDAY_NOON, in_work_stage_ids=(), count_open_tasks=False
        )

    assert flat == sorted([pavel, fedor])
    assert deep == sorted([pavel, dmitry])
    assert unknown == []
    assert [s.active for s in dismissed] == [True, False]
    assert sergey not in flat + deep


def test_bad_arguments_are_refused_naming_them(uow: UnitOfWork, clock: FakeClock) -> None:
    ivan = hire(uow, clock, "Ivan")
    with uow, pytest.raises(InvalidValue) as error:
        candidates.candidate_snapshots(
            uow,
            [ivan],
            now=MONDAY_NOON,
            in_work_stage_ids=(),
            count_open_tasks=False,
            entity_type="contact",
        )
    assert error.value.field == "entity_type"
    with uow, pytest.raises(NaiveDatetime):
        candidates.candidate_snapshots(
            uow, [ivan], now=datetime(2026, 3, 2, 12), in_work_stage_ids=(), count_open_tasks=False
        )
