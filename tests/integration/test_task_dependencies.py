"""Dependencies between tasks on both databases: the seed's material chain, where paying a
day late moves delivery and acceptance by a day and tells their people; what does not move;
and links refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.errors import Forbidden, InvalidValue, NotFound
from conveyor.domain.notification_texts import TASK_DATES_SHIFTED
from conveyor.domain.task_dependencies import DependencyCycle, DuplicateDependency, LagUnit
from conveyor.domain.tasks import TaskAction, TaskQuery
from conveyor.domain.tokens import Role
from conveyor.services import org, task_dependencies, task_reminders, tasks
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import outbox
from tests.integration.task_timeline import notices, reminder_jobs

REMIND, OVERDUE = task_reminders.JOB_KINDS.values()


def msk(day: int, hour: int) -> datetime:
    """March ``day``, 2026 (the 2nd is a Monday), ``hour``:00 in Moscow (UTC+3)."""
    return datetime(2026, 3, day, hour - 3, tzinfo=UTC)


@dataclass(frozen=True)
class Works:
    head: Actor
    accountant: Actor
    storekeeper: Actor
    foreman: Actor
    #: Works in Samara, an hour ahead of Moscow.
    surveyor: Actor


@pytest.fixture
def works(uow: UnitOfWork, clock: FakeClock) -> Works:
    def hire(name: str, role: Role = Role.EMPLOYEE, timezone: str = "Europe/Moscow") -> Actor:
        employee, _ = org.create_employee(
            uow, org.CreateEmployee(name=name, timezone=timezone), actor=SYSTEM, now=clock()
        )
        assert employee.id is not None
        return Actor(employee_id=employee.id, role=role)

    return Works(
        head=hire("Hanna Head", Role.HEAD),
        accountant=hire("Alla Accountant"),
        storekeeper=hire("Stepan Storekeeper"),
        foreman=hire("Fedor Foreman"),
        surveyor=hire("Sofia Surveyor", timezone="Europe/Samara"),
    )


def task(
    uow: UnitOfWork,
    clock: FakeClock,
    works: Works,
    title: str,
    to: Actor,
    start: datetime | None,
    deadline: datetime | None,
) -> int:
    command = tasks.CreateTask(
        title=title, responsible_id=to.employee_id, start_at=start, deadline=deadline
    )
    view = tasks.create_task(uow, command, actor=works.head, now=clock())
    assert view.task.id is not None
    return view.task.id


def after(
    uow: UnitOfWork, clock: FakeClock, works: Works, successor: int, predecessor: int, **lag: object
) -> task_dependencies.Dependencies:
    return task_dependencies.add_dependency(
        uow,
        successor,
        predecessor,
        actor=works.head,
        now=clock(),
        **lag,  # type: ignore[arg-type]
    )


def dates(uow: UnitOfWork, task_id: int) -> tuple[datetime | None, datetime | None]:
    with uow:
        found = uow.tasks.get(task_id)
        return found.start_at, found.deadline


@pytest.fixture
def chain(uow: UnitOfWork, clock: FakeClock, works: Works) -> tuple[int, int, int]:
    """Pay for the material on Monday, deliver it Tuesday to Wednesday, accept it Thursday."""
    pay = task(uow, clock, works, "Pay for the material", works.accountant, None, msk(2, 18))
    deliver = task(
        uow, clock, works, "Deliver the material", works.storekeeper, msk(3, 9), msk(4, 18)
    )
    accept = task(uow, clock, works, "Accept the material", works.foreman, msk(5, 9), msk(5, 18))
    assert after(uow, clock, works, deliver, pay).shifts == []
    assert after(uow, clock, works, accept, deliver).shifts == []
    return pay, deliver, accept


def test_material_paid_a_day_late_moves_delivery_and_acceptance_by_a_day(
    uow: UnitOfWork, clock: FakeClock, works: Works, chain: tuple[int, int, int]
) -> None:
    pay, deliver, accept = chain
    clock.set(msk(3, 18))  # Tuesday evening instead of Monday evening
    tasks.act_on_task(uow, pay, TaskAction.COMPLETE, actor=works.accountant, now=clock())

    assert dates(uow, deliver) == (msk(4, 9), msk(5, 18))  # Wednesday to Thursday
    assert dates(uow, accept) == (msk(6, 9), msk(6, 18))  # Friday

    # Each one's people hear from when to when, and why, on their own wall clock; the
    # predecessor by its number only, as they may not see it.
    [told] = notices(uow, works.storekeeper.employee_id, TASK_DATES_SHIFTED)
    assert told == {
        "kind": TASK_DATES_SHIFTED,
        "title": "Deliver the material",
        "cause": f"#{pay}",
        "start_from": "2026-03-03 09:00 MSK",
        "start_to": "2026-03-04 09:00 MSK",
        "deadline_from": "2026-03-04 18:00 MSK",
        "deadline_to": "2026-03-05 18:00 MSK",
        "link": ("task", deliver),
    }
    [foreman_told] = notices(uow, works.foreman.employee_id, TASK_DATES_SHIFTED)
    assert (foreman_told["cause"], foreman_told["deadline_to"]) == (
        f"#{deliver}",
        "2026-03-06 18:00 MSK",
    )
    head_told = notices(uow, works.head.employee_id, TASK_DATES_SHIFTED)
    assert [n["title"] for n in head_told] == ["Deliver the material", "Accept the material"]
    assert [n["cause"] for n in head_told] == ["Pay for the material", "Deliver the material"]

    shifted = [(p["after_id"], p["deadline_to"]) for t, p in outbox(uow) if t == "TaskDatesShifted"]
    assert shifted == [
        (pay, msk(5, 18).isoformat()),
        (deliver, msk(6, 18).isoformat()),
    ]
    # Their reminders follow the new deadlines.
    assert reminder_jobs(uow, deliver) == [
        (REMIND, msk(4, 18).isoformat()),
        (OVERDUE, msk(5, 18).isoformat()),
    ]


def test_material_paid_early_pulls_nothing_earlier(
    uow: UnitOfWork, clock: FakeClock, works: Works, chain: tuple[int, int, int]
) -> None:
    pay, deliver, accept = chain
    tasks.act_on_task(uow, pay, TaskAction.COMPLETE, actor=works.accountant, now=clock())
    assert dates(uow, deliver) == (msk(3, 9), msk(4, 18))
    assert dates(uow, accept) == (msk(5, 9), msk(5, 18))
    assert notices(uow, works.storekeeper.employee_id, TASK_DATES_SHIFTED) == []


def test_a_payment_deadline_moved_later_moves_what_follows_and_moved_back_leaves_it(
    uow: UnitOfWork, clock: FakeClock, works: Works, chain: tuple[int, int, int]
) -> None:
    pay, deliver, accept = chain
    tasks.update_task(uow, pay, {"deadline": msk(3, 13)}, actor=works.head, now=clock())
    # Tuesday 13:00 is lunch: delivery starts at 14:00 and keeps its sixteen working hours,
    # which end on Thursday at lunch; acceptance keeps its eight.
    assert dates(uow, deliver) == (msk(3, 14), msk(5, 13))
    assert dates(uow, accept) == (msk(5, 14), msk(6, 13))

    tasks.update_task(uow, pay, {"deadline": msk(2, 18)}, actor=works.head, now=clock())
    assert dates(uow, deliver) == (msk(3, 14), msk(5, 13))


def test_a_lag_counts_on_the_successors_working_time(
    uow: UnitOfWork, clock: FakeClock, works: Works
) -> None:
    pay = task(uow, clock, works, "Pay", works.accountant, None, msk(6, 17))  # Friday 17:00
    accept = task(uow, clock, works, "Accept", works.surveyor, None, None)
    found = after(uow, clock, works, accept, pay, lag=2, lag_unit=LagUnit.WORKING_HOURS)
    # Samara works 09:00-18:00 its time (08:00-17:00 in Moscow): Friday is over at 17:00
    # Moscow, Monday the 9th is the day off for Women's Day, so the two hours are Tuesday
    # 09:00-11:00 in Samara.
    [shift] = found.shifts
    assert shift.start_to == datetime(2026, 3, 10, 7, 0, tzinfo=UTC)
    assert dates(uow, accept) == (shift.start_to, None)
    assert [p.task.id for p in found.predecessors] == [pay]
    assert found.predecessors[0].lag == 2


def test_a_task_linked_after_a_later_one_is_placed_after_it_at_once(
    uow: UnitOfWork, clock: FakeClock, works: Works
) -> None:
    deliver = task(uow, clock, works, "Deliver", works.storekeeper, msk(3, 9), msk(3, 18))
    pay = task(uow, clock, works, "Pay", works.accountant, None, msk(4, 18))
    found = after(uow, clock, works, deliver, pay)
    assert [(s.task_id, s.start_to, s.deadline_to) for s in found.shifts] == [
        (deliver, msk(5, 9), msk(5, 18))
    ]
    view = tasks.get_task(uow, pay, actor=works.head, now=clock())
    assert (view.predecessor_ids, view.successor_ids) == ([], [deliver])


def test_a_planned_start_before_the_predecessor_allows_is_refused(
    uow: UnitOfWork, clock: FakeClock, works: Works, chain: tuple[int, int, int]
) -> None:
    _, deliver, _ = chain
    with pytest.raises(InvalidValue) as refused:
        tasks.update_task(uow, deliver, {"start_at": msk(2, 12)}, actor=works.head, now=clock())
    assert refused.value.field == "start_at"
    assert "2026-03-02 18:00 MSK" in refused.value.message
    assert dates(uow, deliver) == (msk(3, 9), msk(4, 18))


def test_circles_duplicates_and_a_task_following_itself_are_refused_and_change_nothing(
    uow: UnitOfWork, clock: FakeClock, works: Works, chain: tuple[int, int, int]
) -> None:
    pay, deliver, accept = chain
    cases: list[tuple[int, int, type[Exception]]] = [
        (pay, accept, DependencyCycle),
        (deliver, pay, DuplicateDependency),
        (pay, pay, InvalidValue),
        (pay, 4242, NotFound),
    ]
    for successor, predecessor, error in cases:
        with pytest.raises(error) as refused:
            after(uow, clock, works, successor, predecessor)
        assert refused.value.field == "predecessor_id"  # type: ignore[attr-defined]
    with uow:
        assert len(uow.task_dependencies.where()) == 2


def test_only_who_may_change_the_successor_links_it_to_what_they_can_see(
    uow: UnitOfWork, clock: FakeClock, works: Works
) -> None:
    mine = tasks.create_task(
        uow,
        tasks.CreateTask(title="Count stock", responsible_id=works.accountant.employee_id),
        actor=works.storekeeper,
        now=clock(),
    ).task.id
    hidden = task(uow, clock, works, "Payroll", works.accountant, None, msk(2, 18))
    assert mine is not None
    with pytest.raises(NotFound) as refused:
        task_dependencies.add_dependency(uow, mine, hidden, actor=works.storekeeper, now=clock())
    assert refused.value.field == "predecessor_id"
    # The responsible sees the task but may not move it.
    with pytest.raises(Forbidden):
        task_dependencies.add_dependency(uow, mine, hidden, actor=works.accountant, now=clock())


def test_removing_a_dependency_leaves_the_dates_and_a_later_delay_moves_nothing(
    uow: UnitOfWork, clock: FakeClock, works: Works, chain: tuple[int, int, int]
) -> None:
    pay, deliver, _ = chain
    task_dependencies.remove_dependency(uow, deliver, pay, actor=works.head, now=clock())
    with pytest.raises(NotFound):
        task_dependencies.remove_dependency(uow, deliver, pay, actor=works.head, now=clock())
    clock.set(msk(3, 18))
    tasks.act_on_task(uow, pay, TaskAction.COMPLETE, actor=works.accountant, now=clock())
    assert dates(uow, deliver) == (msk(3, 9), msk(4, 18))
    found = task_dependencies.dependencies_of(uow, deliver, actor=works.head)
    assert (found.predecessors, [s.task.id for s in found.successors]) == ([], [chain[2]])


def test_a_responsible_sees_only_the_linked_tasks_they_may_see(
    uow: UnitOfWork, clock: FakeClock, works: Works, chain: tuple[int, int, int]
) -> None:
    pay, deliver, accept = chain

    # The storekeeper delivers, but neither pays nor accepts: those stay hidden from him.
    mine = task_dependencies.dependencies_of(uow, deliver, actor=works.storekeeper)
    assert (mine.predecessors, mine.successors) == ([], [])
    # The head sees both ends.
    every = task_dependencies.dependencies_of(uow, deliver, actor=works.head)
    assert [p.task.id for p in every.predecessors] == [pay]
    assert [s.task.id for s in every.successors] == [accept]
    # Once he observes the payment, he sees it.
    tasks.update_task(
        uow,
        pay,
        {"observer_ids": [works.storekeeper.employee_id]},
        actor=works.head,
        now=clock(),
    )
    mine = task_dependencies.dependencies_of(uow, deliver, actor=works.storekeeper)
    assert ([p.task.id for p in mine.predecessors], mine.successors) == ([pay], [])


def test_the_task_itself_names_only_the_linked_tasks_its_reader_may_see(
    uow: UnitOfWork, clock: FakeClock, works: Works, chain: tuple[int, int, int]
) -> None:
    pay, deliver, accept = chain
    mine = tasks.get_task(uow, deliver, actor=works.storekeeper, now=clock())
    assert (mine.predecessor_ids, mine.successor_ids) == ([], [])
    listed = tasks.list_tasks(
        uow, TaskQuery(), actor=works.storekeeper, now=clock(), limit=50, offset=0
    )
    [seen] = [view for view in listed.items if view.task.id == deliver]
    assert (seen.predecessor_ids, seen.successor_ids) == ([], [])
    every = tasks.get_task(uow, deliver, actor=works.head, now=clock())
    assert (every.predecessor_ids, every.successor_ids) == ([pay], [accept])


def test_linking_answers_only_with_the_tasks_the_linker_may_see(
    uow: UnitOfWork, clock: FakeClock, works: Works
) -> None:
    def own(title: str, start: datetime, deadline: datetime) -> int:
        command = tasks.CreateTask(
            title=title,
            responsible_id=works.storekeeper.employee_id,
            start_at=start,
            deadline=deadline,
        )
        made = tasks.create_task(uow, command, actor=works.storekeeper, now=clock()).task.id
        assert made is not None
        return made

    count = own("Count stock", msk(2, 9), msk(2, 18))
    report = own("Report stock", msk(2, 10), msk(2, 12))
    audit = task(uow, clock, works, "Audit", works.accountant, msk(2, 13), msk(2, 15))
    after(uow, clock, works, audit, report)  # the head makes the audit follow the report

    linked = task_dependencies.add_dependency(
        uow, report, count, actor=works.storekeeper, now=clock()
    )

    # The report moved after the count, and the hidden audit after it: he hears of neither.
    assert [p.task.id for p in linked.predecessors] == [count]
    assert linked.successors == []
    assert [s.task_id for s in linked.shifts] == [report]
    assert dates(uow, audit)[0] == msk(3, 11)
