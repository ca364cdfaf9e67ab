"""Moving the tasks that follow a late one: dates shifted, events written, people told.

Everything here runs INSIDE the caller's open unit of work and never commits, so a task
completed late and every successor it moves commit together or not at all. The rules of
the move are ``domain/task_dependencies.py``'s; this module reads the tasks and links they
need, locks the tasks that may move (in id order), counts working time on each task's
responsible's calendar, and applies each ``Shift``:

- the task's planned start and deadline change (``TaskDatesShifted``, saying from when to
  when and after which predecessor);
- its responsible and its creator (once when the same) are told, each on their own wall
  clock, from when to when and why (``task_dates_shifted``): after the predecessor named
  by its title, or only by ``#<id>`` to one who may not see it (``task_visibility``);
- its reminders follow its new deadline (``task_reminders.reschedule``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import TypeVar

from conveyor.domain.errors import CalendarNotCovered, InvalidValue, NoWorkingTime
from conveyor.domain.notification_texts import TASK_DATES_SHIFTED
from conveyor.domain.notifications import Link
from conveyor.domain.task_dependencies import LagUnit, Planned, Shift, earliest_start, shifts
from conveyor.domain.task_reminders import ReminderTerms, moment_text
from conveyor.domain.tasks import OVERDUE_STATUSES, Task
from conveyor.domain.working_time import WorkingTime
from conveyor.services import task_reminders, task_visibility
from conveyor.services.notifications import notify
from conveyor.services.robot_context import working_time_source
from conveyor.services.working_time import LAST_YEAR, EmployeeWorkingTime
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = ["SHIFTED", "align", "earliest_start_of", "shift_following"]

#: The event of a task moved after a predecessor.
SHIFTED = "TaskDatesShifted"

R = TypeVar("R")


def shift_following(uow: UnitOfWork, task_ids: Collection[int], *, now: datetime) -> list[Shift]:
    """The finish of ``task_ids`` may have moved later (completed late, deadline moved):
    shift what follows them, transitively; the moves made."""
    following = {d.successor_id for d in uow.task_dependencies.out_of(task_ids)}
    return _shift(uow, following, now=now)


def align(uow: UnitOfWork, task_id: int, *, now: datetime) -> list[Shift]:
    """Place the task after its predecessors (a dependency was just added), and what follows
    it after it; the moves made."""
    return _shift(uow, {task_id}, now=now)


def earliest_start_of(uow: UnitOfWork, task: Task) -> tuple[datetime, int] | None:
    """When ``task`` may start by its predecessors, and which one decides it; ``None`` when
    none of them has a finish yet."""
    assert task.id is not None
    links = uow.task_dependencies.into([task.id])
    if not links:
        return None
    tasks = _by_id(uow.tasks.with_ids([d.predecessor_id for d in links]))
    tasks[task.id] = task
    plans = {task_id: planned(t) for task_id, t in tasks.items()}
    return earliest_start(task.id, plans, links, ResponsibleClock(uow, tasks))


def planned(task: Task) -> Planned:
    assert task.id is not None
    return Planned(
        task_id=task.id,
        start_at=task.start_at,
        deadline=task.deadline,
        completed_at=task.completed_at,
        movable=task.status in OVERDUE_STATUSES,
        created_at=task.created_at,
    )


def _shift(uow: UnitOfWork, check: set[int], *, now: datetime) -> list[Shift]:
    if not check:
        return []
    repository = uow.task_dependencies
    affected = check | {d.successor_id for d in repository.onward(check)}
    links = repository.into(affected)
    tasks: dict[int, Task] = {}
    # The tasks that may move, locked in id order: two shifts never wait on each other in
    # a circle. Their predecessors are only read.
    for task_id in sorted(affected):
        found = uow.tasks.find(task_id, for_update=True)
        if found is not None:
            tasks[task_id] = found
    tasks.update(_by_id(uow.tasks.with_ids({d.predecessor_id for d in links} - affected)))
    plans = {task_id: planned(t) for task_id, t in tasks.items()}
    links = [d for d in links if d.predecessor_id in plans and d.successor_id in plans]
    moved = shifts(
        plans, links, check=[t for t in check if t in plans], clock=ResponsibleClock(uow, tasks)
    )
    for shift in moved:
        _apply(uow, tasks[shift.task_id], shift, cause=tasks[shift.after_id], now=now)
    return moved


def _apply(uow: UnitOfWork, task: Task, shift: Shift, *, cause: Task, now: datetime) -> None:
    before = ReminderTerms.of(task)
    task.start_at = shift.start_to
    task.deadline = shift.deadline_to
    task.updated_at = now
    uow.emit(
        task_reminders.task_event(
            task,
            SHIFTED,
            now,
            after_id=shift.after_id,
            start_from=_iso(shift.start_from),
            start_to=_iso(shift.start_to),
            deadline_from=_iso(shift.deadline_from),
            deadline_to=_iso(shift.deadline_to),
        )
    )
    for recipient_id in dict.fromkeys([task.responsible_id, task.creator_id]):
        employee = uow.employees.find(recipient_id)
        if employee is None:
            continue
        zone = employee.timezone
        assert cause.id is not None
        seen = task_visibility.seen_by_employee(uow, [cause.id], recipient_id)
        notify(
            uow,
            recipient_ids=[recipient_id],
            kind=TASK_DATES_SHIFTED,
            params={
                "title": task.title,
                "cause": cause.title if seen else f"#{cause.id}",
                "start_from": moment_text(shift.start_from, zone),
                "start_to": moment_text(shift.start_to, zone),
                "deadline_from": moment_text(shift.deadline_from, zone),
                "deadline_to": moment_text(shift.deadline_to, zone),
            },
            link=Link(entity="task", id=shift.task_id),
            now=now,
        )
    task_reminders.reschedule(uow, task, before=before, now=now)


class ResponsibleClock:
    """Working time on the calendar of each task's responsible (``WorkingClock``), read once
    per responsible and built once per span of years."""

    def __init__(self, uow: UnitOfWork, tasks: Mapping[int, Task]) -> None:
        self._uow = uow
        self._responsible = {task_id: t.responsible_id for task_id, t in tasks.items()}
        self._sources: dict[int, EmployeeWorkingTime] = {}
        self._built: dict[tuple[int, int, int], WorkingTime] = {}

    def after_lag(self, task_id: int, moment: datetime, lag: int, unit: LagUnit) -> datetime:
        if unit is LagUnit.WORKING_DAYS:
            return self._count(
                task_id,
                moment,
                lambda w: w.add_working_days(moment, lag),
                plain=lambda: moment + timedelta(days=lag),
            )
        hours = timedelta(hours=lag)
        return self._count(
            task_id,
            moment,
            lambda w: w.add_working_hours(moment, hours),
            plain=lambda: moment + hours,
        )

    def add(self, task_id: int, moment: datetime, amount: timedelta) -> datetime:
        return self._count(
            task_id,
            moment,
            lambda w: w.add_working_hours(moment, amount),
            plain=lambda: moment + amount,
        )

    def between(self, task_id: int, start: datetime, end: datetime) -> timedelta:
        return self._count(
            task_id,
            min(start, end),
            lambda w: w.working_time_between(start, end),
            plain=lambda: end - start,
            until=max(start, end),
        )

    def next_working(self, task_id: int, moment: datetime) -> datetime:
        return self._count(
            task_id, moment, lambda w: w.next_working_moment(moment), plain=lambda: moment
        )

    def _count(
        self,
        task_id: int,
        moment: datetime,
        compute: Callable[[WorkingTime], R],
        *,
        plain: Callable[[], R],
        until: datetime | None = None,
    ) -> R:
        """``compute`` on a calendar from the year before ``moment`` on, grown until the
        answer fits (up to ``LAST_YEAR``); ``plain`` (the same in plain time) when the
        responsible's schedule has no working time at all: a broken schedule of a successor's
        responsible must not keep its predecessor from being completed."""
        employee_id = self._responsible[task_id]
        first = moment.year - 1
        last = max(moment.year, until.year if until is not None else moment.year) + 2
        while True:
            try:
                return compute(self._working(employee_id, first, min(last, LAST_YEAR)))
            except NoWorkingTime:
                return plain()
            except CalendarNotCovered:
                if last >= LAST_YEAR:
                    raise InvalidValue(
                        f"The new dates fall after {LAST_YEAR}, beyond the years working time "
                        "is counted for",
                        field="deadline",
                    ) from None
                last = moment.year + 4 * (last - moment.year)

    def _working(self, employee_id: int, first: int, last: int) -> WorkingTime:
        built = self._built.get((employee_id, first, last))
        if built is None:
            source = self._sources.get(employee_id)
            if source is None:
                source = self._sources[employee_id] = working_time_source(self._uow, employee_id)
            built = self._built[(employee_id, first, last)] = source.build(first, last)
        return built


def _by_id(tasks: Iterable[Task]) -> dict[int, Task]:
    found = {}
    for task in tasks:
        assert task.id is not None
        found[task.id] = task
    return found


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
