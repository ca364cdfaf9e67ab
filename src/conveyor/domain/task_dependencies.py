"""Finish-to-start dependencies between tasks, and how a late finish moves what follows.

A dependency says: the successor starts once the predecessor has finished and the lag has
passed, the lag counted in working time on the successor's responsible's calendar.

- A task's finish is when it was completed, while it is; otherwise its deadline (the
  planned finish); a task with neither sets no constraint yet.
- ``shifts`` keeps every successor's planned start at or after each predecessor's finish
  plus the lag. A successor that would start too early moves later to that moment (or to
  when its responsible's working time next begins), and its deadline keeps the working
  time it had from its start (never moving earlier); a successor without a planned start
  gets one. What follows a moved task moves in turn,
  transitively, each task once, in dependency order.
- Nothing ever moves earlier: a predecessor finishing early leaves its successors where
  they are (people plan around dates they were given; pulling work forward is a person's
  decision). Only work still owed moves: a completed, declined or awaiting-control task
  keeps its dates.

Working time is asked of a ``WorkingClock`` (each task's responsible's calendar), so the
rules here are pure and tested without a database.
"""

from __future__ import annotations

import enum
import heapq
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from conveyor.domain.errors import Conflict, InvalidValue


class LagUnit(enum.StrEnum):
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"


#: The longest lag in each unit (about a year of work).
MAX_LAG = {LagUnit.WORKING_HOURS: 2000, LagUnit.WORKING_DAYS: 250}


class DependencyCycle(Conflict):
    """The dependency would make tasks wait for one another in a circle."""


class DuplicateDependency(Conflict):
    """The task already follows that predecessor."""


@dataclass(kw_only=True)
class TaskDependency:
    """``successor_id`` starts after ``predecessor_id`` finishes, ``lag`` ``lag_unit`` later."""

    id: int | None = None
    predecessor_id: int
    successor_id: int
    lag: int = 0
    lag_unit: LagUnit = LagUnit.WORKING_HOURS
    created_at: datetime

    def __post_init__(self) -> None:
        check_lag(self.lag, self.lag_unit)


def check_lag(lag: int, unit: LagUnit) -> None:
    if isinstance(lag, bool) or not isinstance(lag, int):
        raise InvalidValue("A lag is a whole number", field="lag")
    if not 0 <= lag <= MAX_LAG[unit]:
        raise InvalidValue(f"A lag in {unit.value} is 0 to {MAX_LAG[unit]}", field="lag")


def check_link(
    predecessor_id: int, successor_id: int, downstream: Iterable[TaskDependency]
) -> None:
    """Refuse ``predecessor_id`` → ``successor_id`` when it is a task following itself
    (``InvalidValue``) or would close a circle (``DependencyCycle``, naming the chain);
    ``downstream`` holds at least every dependency reachable onward from the successor."""
    if predecessor_id == successor_id:
        raise InvalidValue("A task cannot follow itself", field="predecessor_id")
    path = path_between(successor_id, predecessor_id, downstream)
    if path is not None:
        chain = " → ".join(str(task_id) for task_id in path)
        raise DependencyCycle(
            f"Task {predecessor_id} already follows task {successor_id} ({chain}), "
            f"so {successor_id} cannot wait for it",
            field="predecessor_id",
        )


def path_between(start: int, goal: int, links: Iterable[TaskDependency]) -> list[int] | None:
    """The shortest chain of tasks from ``start`` onward to ``goal`` along ``links``, both
    ends included; ``None`` when there is none."""
    onward: dict[int, list[int]] = {}
    for link in links:
        onward.setdefault(link.predecessor_id, []).append(link.successor_id)
    came_from: dict[int, int | None] = {start: None}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        if current == goal:
            path = [current]
            while (previous := came_from[path[-1]]) is not None:
                path.append(previous)
            return path[::-1]
        for following in sorted(onward.get(current, ())):
            if following not in came_from:
                came_from[following] = current
                queue.append(following)
    return None


@dataclass(frozen=True, kw_only=True)
class Planned:
    """A task's dates as the dependencies see them."""

    task_id: int
    start_at: datetime | None
    deadline: datetime | None
    #: When it was completed, while it is.
    completed_at: datetime | None
    #: Whether its dates may move: it is still owed (pending, in progress, deferred).
    movable: bool
    created_at: datetime

    @property
    def finish(self) -> datetime | None:
        """When it finished, or is planned to; ``None``: unknown yet."""
        return self.completed_at if self.completed_at is not None else self.deadline


class WorkingClock(Protocol):
    """Working time on the calendar of each task's responsible."""

    def after_lag(self, task_id: int, moment: datetime, lag: int, unit: LagUnit) -> datetime:
        """``lag`` ``unit`` of the task's working time after ``moment``."""
        ...

    def add(self, task_id: int, moment: datetime, amount: timedelta) -> datetime:
        """The moment ``amount`` of the task's working time after ``moment``."""
        ...

    def between(self, task_id: int, start: datetime, end: datetime) -> timedelta:
        """The task's working time in ``[start, end)``."""
        ...

    def next_working(self, task_id: int, moment: datetime) -> datetime:
        """``moment`` when it is the task's working time, else when that next begins."""
        ...


@dataclass(frozen=True, kw_only=True)
class Shift:
    """A task moved later so that it starts after ``after_id`` (the predecessor whose finish
    plus lag is the latest) is done."""

    task_id: int
    after_id: int
    start_from: datetime | None
    start_to: datetime
    deadline_from: datetime | None
    deadline_to: datetime | None


def earliest_start(
    task_id: int,
    plans: Mapping[int, Planned],
    links_into: Iterable[TaskDependency],
    clock: WorkingClock,
) -> tuple[datetime, int] | None:
    """The earliest moment the task may start by its predecessors (those of ``links_into``
    whose successor it is), and the predecessor that decides it; ``None`` when no
    predecessor has a finish yet. Ties go to the lower predecessor id."""
    found: tuple[datetime, int] | None = None
    for link in sorted(links_into, key=lambda d: d.predecessor_id):
        if link.successor_id != task_id:
            continue
        finish = plans[link.predecessor_id].finish
        if finish is None:
            continue
        moment = clock.after_lag(task_id, finish, link.lag, link.lag_unit)
        if found is None or moment > found[0]:
            found = (moment, link.predecessor_id)
    return found


def shifts(
    plans: Mapping[int, Planned],
    links: Iterable[TaskDependency],
    *,
    check: Iterable[int],
    clock: WorkingClock,
) -> list[Shift]:
    """Every move that keeps the successors of ``check`` (and ``check`` themselves) from
    starting before their predecessors finish plus the lag, in the order they apply.

    ``plans`` holds each task of ``check``, everything downstream of them along ``links``,
    and each of their predecessors; ``links`` at least every dependency into those.
    """
    links = list(links)
    into: dict[int, list[TaskDependency]] = {}
    onward: dict[int, list[int]] = {}
    for link in links:
        into.setdefault(link.successor_id, []).append(link)
        onward.setdefault(link.predecessor_id, []).append(link.successor_id)
    current = dict(plans)
    moved: list[Shift] = []
    for task_id in _in_dependency_order(_downstream(check, onward), into):
        plan = current[task_id]
        if not plan.movable:
            continue
        found = earliest_start(task_id, current, into.get(task_id, ()), clock)
        if found is None:
            continue
        required, after_id = found
        aligned = _aligned(plan, required, clock)
        if aligned is None:
            continue
        current[task_id] = aligned
        assert aligned.start_at is not None
        moved.append(
            Shift(
                task_id=task_id,
                after_id=after_id,
                start_from=plan.start_at,
                start_to=aligned.start_at,
                deadline_from=plan.deadline,
                deadline_to=aligned.deadline,
            )
        )
    return moved


def _aligned(plan: Planned, required: datetime, clock: WorkingClock) -> Planned | None:
    """``plan`` starting when it may (at ``required``, or when its working time next
    begins: Wednesday 09:00 rather than Tuesday 18:00) if it starts earlier or has no
    start, its deadline keeping its working time from the start and never moving earlier;
    ``None`` when it need not move."""
    task_id, start, deadline = plan.task_id, plan.start_at, plan.deadline
    if start is not None and start >= required:
        return None
    new_start = clock.next_working(task_id, required)
    new_deadline = deadline
    if deadline is not None:
        if start is not None:
            duration = clock.between(task_id, start, deadline)
            new_deadline = max(deadline, clock.add(task_id, new_start, duration))
        elif deadline < new_start:
            # No start to measure from: the working time it was given when it was set.
            given = max(timedelta(), clock.between(task_id, plan.created_at, deadline))
            new_deadline = max(deadline, clock.add(task_id, new_start, given))
    return replace(plan, start_at=new_start, deadline=new_deadline)


def _downstream(check: Iterable[int], onward: Mapping[int, list[int]]) -> set[int]:
    found = set(check)
    queue = deque(found)
    while queue:
        for following in onward.get(queue.popleft(), ()):
            if following not in found:
                found.add(following)
                queue.append(following)
    return found


def _in_dependency_order(tasks: set[int], into: Mapping[int, list[TaskDependency]]) -> list[int]:
    """``tasks`` with each after those of its predecessors that are among them (Kahn's
    algorithm, lowest id first among the ready). A circle, which the links refuse, would
    leave its tasks out rather than loop."""
    waiting: dict[int, int] = {}
    onward: dict[int, list[int]] = {}
    for task_id in tasks:
        before = {d.predecessor_id for d in into.get(task_id, ()) if d.predecessor_id in tasks}
        waiting[task_id] = len(before)
        for predecessor_id in before:
            onward.setdefault(predecessor_id, []).append(task_id)
    ready = [task_id for task_id, count in waiting.items() if not count]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        task_id = heapq.heappop(ready)
        order.append(task_id)
        for following in onward.get(task_id, ()):
            waiting[following] -= 1
            if not waiting[following]:
                heapq.heappush(ready, following)
    return order
