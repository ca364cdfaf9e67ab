"""The task robots' invariants, on both databases, whatever the sequence of actions on the
task (by hand, and by an engine that changes its status without telling the robots),
deadlines moved, robots switched off and on, and clock advances.

Safety: a delayed task robot never fires after its task left the status entry it was
started for, never twice, never before it is due (by the deadline as it stood then).
Liveness: once the worker has run past every due time, no run is left waiting.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conveyor.domain.actors import SYSTEM
from conveyor.domain.errors import TransitionNotAllowed
from conveyor.domain.robot_runs import RunState
from conveyor.domain.robots import TimeUnit, Timing, TimingKind
from conveyor.domain.task_robot_params import TaskActionKind
from conveyor.domain.tasks import TaskAction, TaskStatus
from conveyor.services import task_robots, tasks
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.robot_office import run_worker
from tests.integration.task_office import Company, material_company, set_task, task_robot

S, K = TaskStatus, TaskActionKind
TELL = {"to": ["responsible", "creator"], "text": "«{task.title}»"}
SWITCHED = ["10 minutes", "at the deadline", "1 working hour"]

steps = st.lists(
    st.one_of(
        st.tuples(st.just("act"), st.sampled_from(list(TaskAction))),
        # Another engine changes the status without stopping the runs or starting new ones:
        # only the delayed runs' own re-check keeps them from acting.
        st.tuples(st.just("act unannounced"), st.sampled_from(list(TaskAction))),
        st.tuples(st.just("deadline"), st.integers(min_value=-180, max_value=600)),
        st.tuples(st.just("switch"), st.sampled_from(SWITCHED)),
        st.tuples(st.just("wait"), st.integers(min_value=0, max_value=240)),
        st.tuples(st.just("work"), st.just(0)),
    ),
    min_size=1,
    max_size=16,
)


@dataclass(frozen=True, kw_only=True)
class Setup:
    company: Company
    robot_ids: dict[str, int]


@pytest.fixture
def setup(uow: UnitOfWork, clock: FakeClock) -> Setup:
    """Robots at three statuses: plain and working-time delays, deadline-relative ones (one
    of which moves the deadline itself), and immediate ones."""
    company = material_company(uow, clock)
    at_deadline = Timing(kind=TimingKind.AT_FIELD, field="deadline")
    made = [
        task_robot(
            uow,
            clock,
            S.PENDING,
            K.NOTIFY,
            TELL,
            name="10 minutes",
            timing=Timing(kind=TimingKind.AFTER, amount=10, unit=TimeUnit.MINUTES),
        ),
        task_robot(
            uow, clock, S.PENDING, K.NOTIFY, TELL, name="at the deadline", timing=at_deadline
        ),
        task_robot(
            uow,
            clock,
            S.IN_PROGRESS,
            K.NOTIFY,
            TELL,
            name="1 working hour",
            timing=Timing(kind=TimingKind.AFTER_WORKING, amount=1, unit=TimeUnit.HOURS),
        ),
        task_robot(uow, clock, S.IN_PROGRESS, K.NOTIFY, TELL, name="at once"),
        task_robot(
            uow,
            clock,
            S.IN_PROGRESS,
            K.SHIFT_DEADLINE,
            {"amount": 2, "unit": "hours", "working": False},
            name="2 hours more",
            timing=Timing(
                kind=TimingKind.AFTER_FIELD, field="deadline", amount=30, unit=TimeUnit.MINUTES
            ),
        ),
        task_robot(
            uow,
            clock,
            S.AWAITING_CONTROL,
            K.ADD_CO_EXECUTORS,
            {"to": [{"position": "Storekeeper"}]},
            name="storekeepers help",
            timing=Timing(kind=TimingKind.AFTER, amount=90, unit=TimeUnit.MINUTES),
        ),
    ]
    return Setup(company=company, robot_ids={r.name: r.id or 0 for r in made})


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(
    # Left and entered again at one instant: the entry key comes back, its runs are the
    # ones already made (ended), and nothing acts for it twice.
    plan=[
        ("act", TaskAction.START),
        ("act", TaskAction.PAUSE),
        ("act", TaskAction.START),
        ("wait", 120),
        ("work", 0),
    ]
)
@example(
    plan=[
        ("act unannounced", TaskAction.START),
        ("deadline", -60),
        ("wait", 11),
        ("work", 0),
        ("act", TaskAction.COMPLETE),
    ]
)
@given(plan=steps)
def test_a_delayed_task_robot_never_fires_after_its_task_left_the_status(
    uow: UnitOfWork, clock: FakeClock, setup: Setup, plan: list[tuple[str, Any]]
) -> None:
    company = setup.company
    task_id = set_task(
        uow,
        clock,
        company.peter,
        company.wanda,
        "Accept the material",
        deadline=clock() + timedelta(hours=3),
        requires_acceptance=True,
    )
    for kind, value in plan:
        if kind == "act":
            with contextlib.suppress(TransitionNotAllowed):
                tasks.act_on_task(uow, task_id, value, comment="Not yet", actor=SYSTEM, now=clock())
        elif kind == "act unannounced":
            act_unannounced(uow, clock, task_id, value)
        elif kind == "deadline":
            move_deadline(uow, clock, task_id, value)
        elif kind == "switch":
            switch(uow, clock, setup.robot_ids[value])
        elif kind == "wait":
            clock.advance(minutes=value)
        else:
            run_worker(uow, clock)
            assert overdue_runs(uow, task_id, clock()) == []
    for _ in range(3):
        clock.advance(days=30)
        run_worker(uow, clock)
    with uow:
        waiting = [r for r in uow.task_robot_runs.of_task(task_id) if r.is_pending]
    assert waiting == []
    check_outbox(uow, task_id)


def act_unannounced(uow: UnitOfWork, clock: FakeClock, task_id: int, action: TaskAction) -> None:
    """Change the status as an engine that neither stops nor starts task robots would."""
    with uow:
        task = uow.tasks.get(task_id, for_update=True)
        try:
            event = task.take(action, actor_id=0, is_admin=True, comment="Not yet", now=clock())
        except TransitionNotAllowed:
            return
        uow.emit(event)
        uow.commit()


def move_deadline(uow: UnitOfWork, clock: FakeClock, task_id: int, minutes: int) -> None:
    """Move the deadline to ``minutes`` from now (into the past too), as its creator would."""
    with uow:
        start = uow.tasks.get(task_id).start_at
    deadline = clock() + timedelta(minutes=minutes)
    if start is not None and start > deadline:
        return
    tasks.update_task(uow, task_id, {"deadline": deadline}, actor=SYSTEM, now=clock())


def switch(uow: UnitOfWork, clock: FakeClock, robot_id: int) -> None:
    with uow:
        enabled = uow.task_robots.get(robot_id).enabled
    task_robots.update_task_robot(
        uow, robot_id, {"enabled": not enabled}, actor=SYSTEM, now=clock()
    )


def overdue_runs(uow: UnitOfWork, task_id: int, now: datetime) -> list[int]:
    """Runs still waiting although due: the worker has looked since, so there must be none."""
    with uow:
        return [
            r.id or 0
            for r in uow.task_robot_runs.of_task(task_id)
            if r.is_pending and r.due_at is not None and r.due_at <= now
        ]


def check_outbox(uow: UnitOfWork, task_id: int) -> None:
    """Replay the outbox in commit order: every fired run belongs to the status entry the
    task is in at that point, fires once, and not before its due time as last set."""
    with uow:
        events = sorted(uow.events.where(), key=lambda e: e.id or 0)
        made = {r.id: r for r in uow.task_robot_runs.of_task(task_id)}
    current: tuple[str, datetime] | None = None
    due: dict[int, datetime | None] = {}
    fired: set[int] = set()
    for event in events:
        payload = event.payload
        if event.entity == "task" and event.entity_id == task_id:
            if event.type == "TaskCreated":
                current = (S.PENDING.value, event.occurred_at)
            elif "action" in payload and "to" in payload:
                current = (payload["to"], event.occurred_at)
        elif event.entity != "task_robot_run" or payload["task_id"] != task_id:
            continue
        elif event.type in ("TaskRobotRunScheduled", "TaskRobotRunRescheduled"):
            moment = payload["due_at"]
            due[event.entity_id] = None if moment is None else datetime.fromisoformat(moment)
        elif event.type == "TaskRobotRunFired":
            entry = (payload["status"], datetime.fromisoformat(payload["status_changed_at"]))
            assert entry == current, f"run {event.entity_id} fired for a left status entry"
            assert event.entity_id not in fired, f"run {event.entity_id} fired twice"
            moment = due[event.entity_id]
            assert moment is not None and event.occurred_at >= moment, "fired before due"
            fired.add(event.entity_id)
    assert fired == {i for i, r in made.items() if r.state is RunState.FIRED}
