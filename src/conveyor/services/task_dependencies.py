"""Dependencies between tasks: link a task after another, read and remove its links.

Who may: a dependency moves its successor's dates, so linking and unlinking is changing the
successor (its creator, or an admin: ``Task.check_may_edit``); the predecessor need only be
visible to the actor. Whoever sees a task sees what it follows and what follows it, as
far as they may see those tasks (``task_visibility``): a link to a task hidden from them
is not shown, nor what linking moved of such a task.

A task linked after another is placed after it at once (``task_shifts.align``): its planned
start becomes the predecessor's finish plus the lag when that is later (a task without a
planned start gets one), its deadline keeping its working time; what follows it moves in
turn. Removing a dependency moves nothing back. Starting a successor early is not refused:
a person may know better than the plan (the material came early); the plan's dates are
what the dependencies keep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from conveyor.domain.actors import Actor
from conveyor.domain.errors import NotFound
from conveyor.domain.task_dependencies import (
    DuplicateDependency,
    LagUnit,
    Shift,
    TaskDependency,
    check_lag,
    check_link,
)
from conveyor.domain.tasks import Task
from conveyor.services import task_shifts, task_visibility
from conveyor.services.task_reminders import task_event
from conveyor.services.tasks import _visible
from conveyor.storage.unit_of_work import UnitOfWork

#: The fields a dependency changes on its successor (who may link is who may change them).
MOVES = frozenset({"start_at", "deadline"})


@dataclass(frozen=True, kw_only=True)
class Linked:
    """A task at the other end of a dependency, and the dependency's lag."""

    task: Task
    lag: int
    lag_unit: LagUnit
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class Dependencies:
    """A task with what it follows and what follows it; ``shifts``: what linking moved."""

    task: Task
    predecessors: list[Linked]
    successors: list[Linked]
    shifts: list[Shift]


def add_dependency(
    uow: UnitOfWork,
    task_id: int,
    predecessor_id: int,
    *,
    lag: int = 0,
    lag_unit: LagUnit = LagUnit.WORKING_HOURS,
    actor: Actor,
    now: datetime,
) -> Dependencies:
    """Make task ``task_id`` follow ``predecessor_id``. Refused, changing nothing: a task
    following itself or a bad lag (``InvalidValue``), a predecessor the actor cannot see
    (``NotFound`` on ``predecessor_id``), a successor they may not change (``Forbidden``),
    a pair already linked (``DuplicateDependency``) or a circle (``DependencyCycle``)."""
    check_lag(lag, lag_unit)
    with uow:
        # Links take turns: two made at once cannot each close half of a circle.
        uow.task_dependencies.serialize()
        task = _visible(uow, task_id, actor, for_update=True)
        task.check_may_edit(set(MOVES), actor_id=actor.employee_id, is_admin=actor.is_admin)
        check_link(predecessor_id, task_id, [])
        try:
            _visible(uow, predecessor_id, actor)
        except NotFound:
            raise NotFound("task", predecessor_id, field="predecessor_id") from None
        if uow.task_dependencies.between(predecessor_id, task_id) is not None:
            raise DuplicateDependency(
                f"Task {task_id} already follows task {predecessor_id}", field="predecessor_id"
            )
        check_link(predecessor_id, task_id, uow.task_dependencies.onward([task_id]))
        uow.task_dependencies.add(
            TaskDependency(
                predecessor_id=predecessor_id,
                successor_id=task_id,
                lag=lag,
                lag_unit=lag_unit,
                created_at=now,
            )
        )
        uow.emit(
            task_event(
                task,
                "TaskDependencyAdded",
                now,
                predecessor_id=predecessor_id,
                lag=lag,
                lag_unit=lag_unit.value,
                actor_id=actor.employee_id,
            )
        )
        moved = task_shifts.align(uow, task_id, now=now)
        found = _dependencies(uow, task, moved, actor)
        uow.commit()
    return found


def dependencies_of(uow: UnitOfWork, task_id: int, *, actor: Actor) -> Dependencies:
    """What the task follows and what follows it, each by id."""
    with uow:
        return _dependencies(uow, _visible(uow, task_id, actor), [], actor)


def remove_dependency(
    uow: UnitOfWork, task_id: int, predecessor_id: int, *, actor: Actor, now: datetime
) -> None:
    """Task ``task_id`` no longer follows ``predecessor_id``; its dates stay as they are."""
    with uow:
        task = _visible(uow, task_id, actor, for_update=True)
        task.check_may_edit(set(MOVES), actor_id=actor.employee_id, is_admin=actor.is_admin)
        link = uow.task_dependencies.between(predecessor_id, task_id)
        if link is None:
            raise NotFound(f"dependency of task {task_id} on task", predecessor_id)
        uow.task_dependencies.delete(link)
        uow.emit(
            task_event(
                task,
                "TaskDependencyRemoved",
                now,
                predecessor_id=predecessor_id,
                actor_id=actor.employee_id,
            )
        )
        uow.commit()


def _dependencies(uow: UnitOfWork, task: Task, moved: list[Shift], actor: Actor) -> Dependencies:
    """The task's links to the tasks ``actor`` may see, and what of those ``moved``."""
    assert task.id is not None
    every = uow.task_dependencies.touching([task.id])
    other_ids = {d.predecessor_id for d in every} | {d.successor_id for d in every}
    moved_ids = {s.task_id for s in moved}
    seen = task_visibility.seen_by(uow, other_ids | moved_ids, actor) | {task.id}
    links = [d for d in every if {d.predecessor_id, d.successor_id} <= seen]
    others = {t.id: t for t in uow.tasks.with_ids((other_ids & seen) - {task.id})}

    def linked(other_id: int, link: TaskDependency) -> Linked:
        return Linked(
            task=others[other_id], lag=link.lag, lag_unit=link.lag_unit, created_at=link.created_at
        )

    return Dependencies(
        task=task,
        predecessors=[linked(d.predecessor_id, d) for d in links if d.successor_id == task.id],
        successors=[linked(d.successor_id, d) for d in links if d.predecessor_id == task.id],
        shifts=[s for s in moved if s.task_id in seen],
    )
