"""A page of the workload board costs the same few SQL statements for 6 employees or 60."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.distribution_rules import RuleEntity
from conveyor.domain.field_types import FieldType
from conveyor.domain.free_capacity import FreeBasis
from conveyor.domain.tasks import TaskAction
from conveyor.domain.tokens import Role
from conveyor.domain.workdays import DayAction
from conveyor.domain.workload_board import Board
from conveyor.services import absences, crm_items, custom_fields, org, schedules, tasks, workdays
from conveyor.services import distribution_rules as rules
from conveyor.services.workload_board import BoardQuery, workload_board
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import DEAL, agency_pipeline, new_deal

MOSCOW = ZoneInfo("Europe/Moscow")
TIMEZONES = ("Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg")
PEOPLE = 60


def statements_while_reading(
    uow: UnitOfWork, query: BoardQuery, actor: Actor, now: datetime
) -> tuple[list[str], Board]:
    """The SQL statements one board page costs, and the page."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    with uow:
        engine = uow.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        board = workload_board(uow, query, actor=actor, now=now)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen, board


def test_the_number_of_statements_does_not_grow_with_the_number_of_employees(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    clock.set(datetime(2025, 11, 3, 10, tzinfo=MOSCOW))
    stages = agency_pipeline(uow, clock)
    development, done = stages["Development started"].id, stages["Done"].id
    custom_fields.create_field(
        uow,
        custom_fields.CreateField(
            entity_type=DEAL, code="equipment_type", name="Equipment", type=FieldType.STRING
        ),
        actor=SYSTEM,
        now=clock(),
    )
    office = schedules.create_schedule(
        uow, schedules.CreateSchedule(name="Office 5/2"), actor=SYSTEM, now=clock()
    )
    studio = org.create_department(
        uow, org.CreateDepartment(name="Studio"), actor=SYSTEM, now=clock()
    )
    assert studio.id is not None
    ids = []
    for n in range(PEOPLE):
        # Every kind of data for everyone, over several schedules and timezones.
        command = org.CreateEmployee(
            name=f"Designer {n:02}",
            timezone=TIMEZONES[n % 3],
            schedule_id=office.id if n % 2 else None,
            department_ids=[studio.id],
        )
        employee, _ = org.create_employee(uow, command, actor=SYSTEM, now=clock())
        assert employee.id is not None
        ids.append(employee.id)
    head = Actor(employee_id=ids[0], role=Role.HEAD)
    org.update_department(uow, studio.id, {"head_id": ids[0]}, actor=SYSTEM, now=clock())
    for n, who in enumerate(ids):
        # A stay of history, then a full plate: two special deals (5 points each).
        clock.set(datetime(2025, 11, 3, 10, tzinfo=MOSCOW) + timedelta(minutes=n))
        old = new_deal(uow, clock, f"Old {n}", stage_id=development, responsible_id=who, fields={})
        assert old.id is not None
        clock.advance(days=1)
        crm_items.move_item(uow, DEAL, old.id, done, actor=SYSTEM, now=clock())
        for _ in range(2):
            new_deal(
                uow,
                clock,
                f"Special {n}",
                stage_id=development,
                responsible_id=who,
                fields={"equipment_type": "special"},
            )
        for title, deadline in (("Call", None), ("Render", clock() + timedelta(days=3))):
            view = tasks.create_task(
                uow,
                tasks.CreateTask(
                    title=title, responsible_id=who, creator_id=ids[0], deadline=deadline
                ),
                actor=SYSTEM,
                now=clock(),
            )
        assert view.task.id is not None
        tasks.act_on_task(uow, view.task.id, TaskAction.COMPLETE, actor=SYSTEM, now=clock())
        first = date(2025, 11, 20) + timedelta(days=n % 4)
        absences.register_absence(
            uow,
            absences.RegisterAbsence(
                employee_id=who, kind=AbsenceKind.VACATION, starts_on=first, ends_on=first
            ),
            actor=SYSTEM,
            now=clock(),
        )
        if n % 2:
            me = Actor(employee_id=who, role=Role.EMPLOYEE)
            workdays.change_workday(uow, who, DayAction.OPEN, actor=me, now=clock())
    rule = rules.create_rule(
        uow,
        rules.RuleSpec(
            name="Studio work",
            entity_type=RuleEntity.DEAL,
            pipeline_id=stages["Prepayment received"].pipeline_id,
            trigger_stage_id=stages["Prepayment received"].id,
            department_ids=[studio.id],
            default_capacity_points=Decimal(10),
            in_work_stage_ids=[development or 0],
            count_open_tasks=True,
            weight='5 if deal.equipment_type == "special" else 1',
        ),
        actor=SYSTEM,
        now=clock(),
    )
    now = datetime(2025, 11, 6, 11, tzinfo=MOSCOW)

    costs = {}
    for size in (6, PEOPLE):
        for name, query, actor in (
            ("rule", BoardQuery(rule_id=rule.id, limit=size), SYSTEM),
            ("plain", BoardQuery(limit=size), SYSTEM),
            ("head", BoardQuery(department_id=studio.id, limit=size), head),
        ):
            seen, board = statements_while_reading(uow, query, actor, now)
            assert len(board.rows) == size
            costs[(name, size)] = len(seen)
            if name == "rule":
                # Everyone is full, so the history of stays was read for every size.
                assert {r.free_at.basis for r in board.rows} == {FreeBasis.TEAM_HISTORY}

    for name in ("rule", "plain", "head"):
        assert costs[(name, 6)] == costs[(name, PEOPLE)], costs
    assert max(costs.values()) <= 20, costs
