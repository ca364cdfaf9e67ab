"""Building candidate snapshots costs the same few SQL statements for 5 employees or 50."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.distribution_rules import DistributionRule
from conveyor.domain.tokens import Role
from conveyor.domain.workdays import DayAction
from conveyor.services import absences, candidates, org, schedules, tasks, workdays
from conveyor.services.assignment_load import held_load
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import agency_pipeline, new_deal
from tests.integration.test_in_work_weights import weight_rule

MONDAY_NOON = datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("Europe/Moscow"))
TIMEZONES = ("Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg")


def statements_while(uow: UnitOfWork, build: Callable[[], Any]) -> tuple[list[str], Any]:
    """The SQL statements ``build()`` issues inside ``uow``, and what it returned."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's own, at a transaction's start
            seen.append(statement)

    with uow:
        engine = uow.session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            built = build()
        finally:
            event.remove(engine, "before_cursor_execute", count)
        uow.commit()
    return seen, built


def statements_while_building(
    uow: UnitOfWork, ids: list[int], **options: Any
) -> tuple[list[str], int]:
    """The SQL statements one ``candidate_snapshots`` call issues, and how many it built."""
    seen, built = statements_while(
        uow, lambda: candidates.candidate_snapshots(uow, ids, now=MONDAY_NOON, **options)
    )
    return seen, len(built)


def statements_while_weighing(
    uow: UnitOfWork, rule: DistributionRule, ids: list[int]
) -> tuple[list[str], Any]:
    """The SQL statements one ``held_load`` call issues (storing what it weighs)."""
    return statements_while(uow, lambda: held_load(uow, rule, ids, store=True))


def test_the_number_of_queries_does_not_grow_with_the_number_of_employees(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    stages = agency_pipeline(uow, clock)
    in_work = [stages["Development started"].id or 0]
    office = schedules.create_schedule(
        uow, schedules.CreateSchedule(name="Office 5/2"), actor=SYSTEM, now=clock()
    )
    ids, deal_ids = [], []
    for n in range(50):
        # Every kind of data for everyone, over several schedules and timezones.
        command = org.CreateEmployee(
            name=f"Designer {n}",
            timezone=TIMEZONES[n % 3],
            schedule_id=office.id if n % 2 else None,
            skills=["3D"],
        )
        employee, _ = org.create_employee(uow, command, actor=SYSTEM, now=clock())
        assert employee.id is not None
        who = employee.id
        ids.append(who)
        deal = new_deal(uow, clock, f"Site {n}", responsible_id=who, stage_id=in_work[0])
        deal_ids.append(deal.id or 0)
        tasks.create_task(
            uow,
            tasks.CreateTask(title="Call", responsible_id=who, creator_id=who),
            actor=SYSTEM,
            now=clock(),
        )
        first = date(2026, 3, 2) + timedelta(days=n % 4)
        absences.register_absence(
            uow,
            absences.RegisterAbsence(
                employee_id=who, kind=AbsenceKind.VACATION, starts_on=first, ends_on=first
            ),
            actor=SYSTEM,
            now=clock(),
        )
        actor = Actor(employee_id=who, role=Role.EMPLOYEE)
        workdays.change_workday(uow, who, DayAction.OPEN, actor=actor, now=MONDAY_NOON)
    studio = org.CreateDepartment(name="Studio", head_id=ids[0])
    org.create_department(uow, studio, actor=SYSTEM, now=clock())
    options: dict[str, Any] = {"in_work_stage_ids": in_work, "count_open_tasks": True}
    rule = weight_rule(uow, clock, stages, ids, "deal.amount or 2")

    few, built_few = statements_while_building(uow, ids[:6], **options)
    many, built_many = statements_while_building(uow, ids, **options)
    # Weighing the load: the first time every deal is weighed and stored, then only read.
    weigh_few, held_few = statements_while_weighing(uow, rule, ids[:6])
    weigh_many, held_many = statements_while_weighing(uow, rule, ids)
    weigh_again, _ = statements_while_weighing(uow, rule, ids)
    few_weighted, _ = statements_while_building(uow, ids[:6], **options, held=held_few)
    many_weighted, _ = statements_while_building(uow, ids, **options, held=held_many)

    assert (built_few, built_many) == (6, 50)
    assert len(few) == len(many) <= 10
    assert len(few_weighted) == len(many_weighted) == len(few) - 1  # no count of items
    assert len(weigh_few) == len(weigh_many) == 3  # sum, read the unweighed, store them
    assert len(weigh_again) == 1
    assert {h.points for h in held_many.values()} == {Decimal(2)}
