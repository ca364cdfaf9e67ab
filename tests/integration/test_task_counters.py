"""Per-employee task counters on both databases, each answered from one index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Select, event, text

from conveyor.domain.errors import Forbidden, InvalidValue
from conveyor.domain.tasks import Task, TaskAction, TaskStatus
from conveyor.services import tasks
from conveyor.services.task_counters import task_counters
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.task_team import Team, build_team, set_task

A = TaskAction


@pytest.fixture
def team(uow: UnitOfWork, clock: FakeClock) -> Team:
    return build_team(uow, clock())


def _counts(uow: UnitOfWork, team: Team, who: str, now: datetime, **period: Any) -> dict[str, int]:
    actor = getattr(team, who)
    found = task_counters(uow, actor.employee_id, actor=actor, now=now, **period)
    return {
        name: getattr(found, name)
        for name in ("in_work", "overdue", "completed", "deferred", "awaiting_control", "to_accept")
    }


def test_counters_follow_a_designers_tasks_through_their_lives(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    now = clock()
    late = set_task(uow, team.head, team.designer, now, deadline=now + timedelta(hours=1))
    checked = set_task(uow, team.head, team.designer, now, requires_acceptance=True)
    parked = set_task(uow, team.head, team.designer, now, deadline=now + timedelta(hours=1))
    quick = set_task(uow, team.head, team.designer, now)
    # Someone else's task, also late, counts for nobody here.
    set_task(uow, team.head, team.helper, now, deadline=now + timedelta(hours=1))
    ids = {name: v.task.id or 0 for name, v in locals().items() if isinstance(v, tasks.TaskView)}

    def act(task: str, action: A, who: str, comment: str | None = None) -> None:
        tasks.act_on_task(
            uow, ids[task], action, comment=comment, actor=getattr(team, who), now=clock()
        )

    assert _counts(uow, team, "designer", clock())["in_work"] == 4
    act("late", A.START, "designer")
    act("checked", A.COMPLETE, "designer")
    act("parked", A.DEFER, "designer")
    act("quick", A.COMPLETE, "designer")
    clock.advance(hours=2)
    assert _counts(uow, team, "designer", clock()) == {
        "in_work": 1,
        "overdue": 2,  # "late" in progress and "parked" deferred, both past their deadline
        "completed": 1,
        "deferred": 1,
        "awaiting_control": 1,
        "to_accept": 0,
    }
    assert _counts(uow, team, "head", clock())["to_accept"] == 1
    act("checked", A.ACCEPT, "head")
    assert _counts(uow, team, "designer", clock())["completed"] == 2
    assert _counts(uow, team, "designer", clock())["awaiting_control"] == 0
    assert _counts(uow, team, "head", clock())["to_accept"] == 0


def test_completed_counts_the_employees_own_month_unless_a_period_is_given(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    # 31 March, 20:30 UTC: still March in Moscow (23:30), already April in Yekaterinburg.
    clock.set(datetime(2026, 3, 31, 20, 30, tzinfo=UTC))
    for who in (team.designer, team.helper):
        view = set_task(uow, team.head, who, clock())
        tasks.act_on_task(uow, view.task.id or 0, A.COMPLETE, actor=who, now=clock())
    designer = task_counters(uow, team.designer.employee_id, actor=team.designer, now=clock())
    helper = task_counters(uow, team.helper.employee_id, actor=team.helper, now=clock())
    assert designer.period_from.isoformat() == "2026-04-01T00:00:00+05:00"
    assert helper.period_from.isoformat() == "2026-03-01T00:00:00+03:00"
    assert designer.completed == helper.completed == 1
    clock.advance(days=1)
    assert _counts(uow, team, "designer", clock())["completed"] == 1
    assert _counts(uow, team, "helper", clock())["completed"] == 0
    march = {"start": datetime(2026, 3, 1, tzinfo=UTC), "end": datetime(2026, 4, 1, tzinfo=UTC)}
    assert _counts(uow, team, "helper", clock(), **march)["completed"] == 1
    with pytest.raises(InvalidValue) as refused:
        _counts(uow, team, "helper", clock(), start=march["end"], end=march["start"])
    assert refused.value.field == "to"


def test_an_employee_sees_only_their_own_counters(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    with pytest.raises(Forbidden):
        task_counters(uow, team.head.employee_id, actor=team.designer, now=clock())
    assert task_counters(uow, team.designer.employee_id, actor=team.head, now=clock()).in_work == 0


EXPECTED_INDEX = {
    "in_work": "ix_tasks_responsible_status_deadline",
    "overdue": "ix_tasks_responsible_status_deadline",
    "completed": "ix_tasks_responsible_completed",
    "deferred": "ix_tasks_responsible_status_deadline",
    "awaiting_control": "ix_tasks_responsible_status_deadline",
    "to_accept": "ix_tasks_creator_status",
}


def _plan(connection: Connection, query: Select[Any]) -> str:
    """The database's plan for ``query``, bound exactly as the application binds it."""
    prefix = "EXPLAIN QUERY PLAN " if connection.dialect.name == "sqlite" else "EXPLAIN "

    def explain(*args: Any) -> tuple[str, Any]:
        statement, parameters = args[2], args[3]
        return prefix + statement, parameters

    event.listen(connection, "before_cursor_execute", explain, retval=True)
    try:
        rows = connection.execute(query).all()
    finally:
        event.remove(connection, "before_cursor_execute", explain)
    return "\n".join(str(row[-1]) for row in rows)


def _fill(uow: UnitOfWork, team: Team, now: datetime, count: int) -> None:
    """``count`` tasks spread over people and statuses, written straight to the table."""
    people = [a.employee_id for a in (team.head, team.designer, team.helper, team.watcher)]
    statuses = list(TaskStatus)
    with uow:
        for n in range(count):
            status = statuses[n % len(statuses)]
            uow.session.add(
                Task(
                    title=f"Task {n}",
                    creator_id=people[n % 3],
                    responsible_id=people[n % 4],
                    status=status,
                    deadline=now + timedelta(hours=n - count // 2),
                    created_at=now,
                    updated_at=now,
                    status_changed_at=now,
                    completed_at=now - timedelta(hours=n)
                    if status is TaskStatus.COMPLETED
                    else None,
                )
            )
        uow.commit()


def test_each_counter_is_one_query_answered_from_its_index(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    now = clock()
    _fill(uow, team, now, 400)
    with uow:
        connection = uow.session.connection()
        # Fresh statistics, so that the planners weigh the indexes as on a live database.
        connection.execute(text("ANALYZE"))
        if connection.dialect.name == "postgresql":
            # On a table this small a sequential scan is cheapest; forbid it to see which
            # index the planner would take.
            connection.execute(text("SET LOCAL enable_seqscan = off"))
        queries = uow.tasks.counter_queries(
            team.designer.employee_id, now=now, start=now - timedelta(days=30), end=now
        )
        assert set(queries) == set(EXPECTED_INDEX)
        for name, query in queries.items():
            plan = _plan(connection, query)
            assert EXPECTED_INDEX[name] in plan, (name, plan)
            assert "SCAN tasks" not in plan and "Seq Scan" not in plan, (name, plan)
