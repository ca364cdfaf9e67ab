"""Finish-to-start dependencies: circles refused, successors moved after a late finish, never
earlier, on each responsible's working time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conveyor.domain.calendars import HolidayCalendar
from conveyor.domain.errors import InvalidValue
from conveyor.domain.schedules import WorkSchedule
from conveyor.domain.task_dependencies import (
    DependencyCycle,
    LagUnit,
    Planned,
    TaskDependency,
    check_lag,
    check_link,
    earliest_start,
    path_between,
    shifts,
)
from conveyor.domain.working_time import WorkingTime

H = timedelta(hours=1)
T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # Monday 09:00 in Moscow
CALENDAR = HolidayCalendar(name="weekdays", first_year=2020, last_year=2035)
MOSCOW = WorkingTime(WorkSchedule.five_day_week("Europe/Moscow"), CALENDAR)
VLADIVOSTOK = WorkingTime(WorkSchedule.five_day_week("Asia/Vladivostok"), CALENDAR)


def link(
    predecessor: int, successor: int, lag: int = 0, unit: LagUnit = LagUnit.WORKING_HOURS
) -> TaskDependency:
    return TaskDependency(
        predecessor_id=predecessor, successor_id=successor, lag=lag, lag_unit=unit, created_at=T0
    )


def plan(
    task_id: int,
    start: datetime | None,
    deadline: datetime | None,
    *,
    completed: datetime | None = None,
    movable: bool = True,
) -> Planned:
    return Planned(
        task_id=task_id,
        start_at=start,
        deadline=deadline,
        completed_at=completed,
        movable=movable,
        created_at=T0,
    )


class OfficeHours:
    """Each task's responsible works 9-18 with lunch, Monday to Friday: odd tasks in Moscow,
    even ones in Vladivostok."""

    def _of(self, task_id: int) -> WorkingTime:
        return MOSCOW if task_id % 2 else VLADIVOSTOK

    def after_lag(self, task_id: int, moment: datetime, lag: int, unit: LagUnit) -> datetime:
        working = self._of(task_id)
        if unit is LagUnit.WORKING_DAYS:
            return working.add_working_days(moment, lag)
        return working.add_working_hours(moment, timedelta(hours=lag))

    def add(self, task_id: int, moment: datetime, amount: timedelta) -> datetime:
        return self._of(task_id).add_working_hours(moment, amount)

    def between(self, task_id: int, start: datetime, end: datetime) -> timedelta:
        return self._of(task_id).working_time_between(start, end)

    def next_working(self, task_id: int, moment: datetime) -> datetime:
        return self._of(task_id).next_working_moment(moment)


CLOCK = OfficeHours()


def msk(day: int, hour: int) -> datetime:
    """March ``day``, 2026, ``hour``:00 in Moscow (UTC+3)."""
    return datetime(2026, 3, day, hour - 3, tzinfo=UTC)


# -- links ----------------------------------------------------------------------------------


def test_a_task_cannot_follow_itself() -> None:
    with pytest.raises(InvalidValue) as refused:
        check_link(3, 3, [])
    assert refused.value.field == "predecessor_id"


def test_a_link_closing_a_circle_is_refused_naming_the_chain() -> None:
    existing = [link(1, 2), link(2, 3), link(3, 4)]
    check_link(1, 4, existing)  # 4 after 1 as well: no circle
    with pytest.raises(DependencyCycle) as refused:
        check_link(4, 1, existing)
    assert refused.value.field == "predecessor_id"
    assert "1 → 2 → 3 → 4" in refused.value.message


def test_the_shortest_chain_is_found_and_none_where_there_is_none() -> None:
    links = [link(1, 2), link(2, 3), link(1, 3), link(5, 6)]
    assert path_between(1, 3, links) == [1, 3]
    assert path_between(3, 1, links) is None
    assert path_between(1, 6, links) is None


def test_a_lag_is_a_whole_number_within_its_units_bounds() -> None:
    check_lag(0, LagUnit.WORKING_HOURS)
    check_lag(250, LagUnit.WORKING_DAYS)
    for lag, unit in (
        (-1, LagUnit.WORKING_HOURS),
        (251, LagUnit.WORKING_DAYS),
        (True, LagUnit.WORKING_HOURS),
    ):
        with pytest.raises(InvalidValue) as refused:
            check_lag(lag, unit)
        assert refused.value.field == "lag"


# -- shifts ---------------------------------------------------------------------------------


def test_material_paid_a_day_late_moves_delivery_and_acceptance_by_a_day() -> None:
    pay, delivery, acceptance = 1, 3, 5  # all responsible in Moscow
    plans = {
        pay: plan(pay, msk(2, 9), msk(2, 18), completed=msk(3, 18)),
        delivery: plan(delivery, msk(3, 9), msk(4, 18)),
        acceptance: plan(acceptance, msk(5, 9), msk(5, 18)),
    }
    links = [link(pay, delivery), link(delivery, acceptance)]

    moved = shifts(plans, links, check=[delivery], clock=CLOCK)

    assert [(s.task_id, s.after_id) for s in moved] == [(delivery, pay), (acceptance, delivery)]
    # Paid on Tuesday evening: delivery starts Wednesday morning and keeps its two days.
    assert (moved[0].start_from, moved[0].start_to) == (msk(3, 9), msk(4, 9))
    assert (moved[0].deadline_from, moved[0].deadline_to) == (msk(4, 18), msk(5, 18))
    assert (moved[1].start_to, moved[1].deadline_to) == (msk(6, 9), msk(6, 18))


def test_a_predecessor_finishing_early_pulls_nothing_earlier() -> None:
    plans = {
        1: plan(1, msk(2, 9), msk(3, 18), completed=msk(2, 12)),
        3: plan(3, msk(4, 9), msk(4, 18)),
    }
    assert shifts(plans, [link(1, 3)], check=[3], clock=CLOCK) == []


def test_slack_absorbs_a_delay_and_only_the_missing_time_moves_the_successor() -> None:
    # Delivery was planned a day after the payment's deadline; payment comes 1.5 days late.
    plans = {
        1: plan(1, msk(2, 9), msk(2, 18), completed=msk(4, 14)),
        3: plan(3, msk(4, 9), msk(4, 18)),
    }
    [moved] = shifts(plans, [link(1, 3)], check=[3], clock=CLOCK)
    # It starts at the finish; its eight working hours end before lunch the next day.
    assert (moved.start_to, moved.deadline_to) == (msk(4, 14), msk(5, 13))


def test_the_lag_counts_working_time_on_the_successors_calendar() -> None:
    plans = {
        1: plan(1, None, msk(6, 17)),  # Friday 17:00 Moscow
        3: plan(3, msk(6, 9), msk(6, 18)),
    }
    [moved] = shifts(plans, [link(1, 3, lag=2)], check=[3], clock=CLOCK)
    # One hour on Friday, one on Monday morning.
    assert moved.start_to == msk(9, 10)
    days = shifts(plans, [link(1, 3, lag=1, unit=LagUnit.WORKING_DAYS)], check=[3], clock=CLOCK)
    assert days[0].start_to == msk(9, 17)


def test_a_successor_without_a_planned_start_gets_one_and_keeps_a_later_deadline() -> None:
    plans = {1: plan(1, None, msk(3, 18)), 3: plan(3, None, msk(6, 18))}
    [moved] = shifts(plans, [link(1, 3)], check=[3], clock=CLOCK)
    assert (moved.start_from, moved.start_to) == (None, msk(4, 9))
    assert moved.deadline_to == msk(6, 18)


def test_finished_work_keeps_its_dates_and_a_predecessor_without_dates_sets_nothing() -> None:
    plans = {
        1: plan(1, None, msk(5, 18)),
        3: plan(3, msk(3, 9), msk(3, 18), completed=msk(3, 17), movable=False),
        5: plan(5, None, None),
        7: plan(7, msk(2, 9), msk(2, 18)),
    }
    assert shifts(plans, [link(1, 3), link(5, 7)], check=[3, 7], clock=CLOCK) == []


def test_the_latest_predecessor_decides_and_each_task_moves_once() -> None:
    plans = {
        1: plan(1, None, msk(3, 18)),
        3: plan(3, None, msk(4, 12)),
        5: plan(5, msk(3, 9), msk(3, 18)),
        7: plan(7, msk(4, 9), msk(4, 18)),
    }
    links = [link(1, 5), link(3, 5), link(1, 7), link(5, 7)]
    moved = shifts(plans, links, check=[5, 7], clock=CLOCK)
    assert [s.task_id for s in moved] == [5, 7]
    assert (moved[0].after_id, moved[0].start_to) == (3, msk(4, 12))
    assert moved[1].after_id == 5
    assert earliest_start(7, plans, links, CLOCK) == (msk(3, 18), 1)


# -- the invariants, for any plan ----------------------------------------------------------

HOURS = st.integers(min_value=0, max_value=24 * 20)
MOSTLY = st.integers(min_value=0, max_value=3).map(bool)


@st.composite
def projects(draw: st.DrawFn) -> tuple[dict[int, Planned], list[TaskDependency], list[int]]:
    """Tasks 1..n with random dates, a random DAG over them (links go from lower to higher
    ids), and some of them completed late."""
    n = draw(st.integers(min_value=2, max_value=9))
    plans: dict[int, Planned] = {}
    for task_id in range(1, n + 1):
        # Mostly tasks with dates that may still move: where the interesting cases are.
        start = T0 + draw(HOURS) * H if draw(MOSTLY) else None
        deadline = None
        if draw(MOSTLY):
            deadline = (start or T0 + draw(HOURS) * H) + draw(st.integers(0, 24 * 5)) * H
        plans[task_id] = plan(task_id, start, deadline, movable=draw(MOSTLY))
    pairs = [(a, b) for a in range(1, n + 1) for b in range(a + 1, n + 1)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=2 * n))
    links = [
        link(a, b, draw(st.integers(0, 16)), draw(st.sampled_from(list(LagUnit))))
        for a, b in chosen
    ]
    late = draw(st.lists(st.sampled_from(sorted(plans)), unique=True))
    return plans, links, late


def _apply(plans: dict[int, Planned], moved: list) -> None:
    for shift in moved:
        before = plans[shift.task_id]
        assert before.start_at is None or shift.start_to > before.start_at
        if before.deadline is not None:
            assert shift.deadline_to is not None and shift.deadline_to >= before.deadline
        assert shift.deadline_to is None or shift.deadline_to >= shift.start_to
        plans[shift.task_id] = Planned(
            task_id=before.task_id,
            start_at=shift.start_to,
            deadline=shift.deadline_to,
            completed_at=before.completed_at,
            movable=before.movable,
            created_at=before.created_at,
        )


def _assert_links_kept(plans: dict[int, Planned], links: list[TaskDependency]) -> None:
    for d in links:
        successor, finish = plans[d.successor_id], plans[d.predecessor_id].finish
        if successor.movable and finish is not None:
            earliest = CLOCK.after_lag(d.successor_id, finish, d.lag, d.lag_unit)
            assert successor.start_at is not None and successor.start_at >= earliest, d


@settings(max_examples=150, deadline=None)
@given(projects(), st.data())
def test_no_successor_starts_before_its_predecessor_finishes_and_nothing_moves_earlier(
    project: tuple[dict[int, Planned], list[TaskDependency], list[int]], data: st.DataObject
) -> None:
    plans, links, late = project
    # The plan as the links keep it, then tasks finish late one by one, each moving what
    # follows it; after each, every link holds.
    _apply(plans, shifts(plans, links, check=list(plans), clock=CLOCK))
    _assert_links_kept(plans, links)
    for task_id in late:
        finish = plans[task_id].finish or T0
        completed = finish + data.draw(HOURS, label=f"late {task_id}") * H
        plans[task_id] = Planned(
            task_id=task_id,
            start_at=plans[task_id].start_at,
            deadline=plans[task_id].deadline,
            completed_at=completed,
            movable=False,
            created_at=T0,
        )
        following = [d.successor_id for d in links if d.predecessor_id == task_id]
        _apply(plans, shifts(plans, links, check=following, clock=CLOCK))
        _assert_links_kept(plans, links)
