"""Task robots: defined by heads and admins per task status, validated on save, in order.

Admins keep any robot; a head only those of a department they head or one below it, and
names no external partner in them (``task_robot_access``).

Each use case is one transaction; every change emits ``TaskRobotCreated``,
``TaskRobotChanged``, ``TaskRobotDeleted`` or ``TaskRobotsReordered``. Changes to a status's
list (create, delete, reorder) lock its robots, so they take turns.

A changed robot acts as it is when a run of it is due (its scope is read when a task
enters the status; its condition and action when the run acts); a run already scheduled
keeps its due time, unless its timing follows the deadline and the deadline moves. A
disabled robot's scheduled runs end ``skipped`` when due; a deleted robot's end
``cancelled`` at once, their jobs dropped.

``runs_of_task`` lists what the robots did for a task, to whoever sees the task.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from conveyor.domain.actors import Actor
from conveyor.domain.errors import InvalidValue
from conveyor.domain.events import DomainEvent
from conveyor.domain.pages import Page
from conveyor.domain.robot_runs import RunState
from conveyor.domain.robots import Timing
from conveyor.domain.task_robot_params import TaskActionKind
from conveyor.domain.task_robot_runs import TaskRobotRun
from conveyor.domain.task_robots import MAX_ROBOTS_PER_STATUS, TaskRobot, check_order
from conveyor.domain.tasks import TaskStatus
from conveyor.domain.tokens import Role
from conveyor.services import task_robot_access, task_robot_runs, tasks
from conveyor.services.task_robot_checks import check_task_robot
from conveyor.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class TaskRobotSpec:
    """Everything a new task robot says; see ``TaskRobot`` for the meaning of each part."""

    name: str
    status: TaskStatus
    action: TaskActionKind
    params: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    department_id: int | None = None
    condition: str | None = None
    timing: Timing = field(default_factory=Timing)
    #: Where in the status's list (0 first); ``None`` puts it last.
    position: int | None = None


def create_task_robot(
    uow: UnitOfWork, spec: TaskRobotSpec, *, actor: Actor, now: datetime
) -> TaskRobot:
    actor.require(Role.HEAD)
    with uow:
        robot = TaskRobot(
            status=spec.status,
            name=spec.name,
            enabled=spec.enabled,
            department_id=spec.department_id,
            condition=spec.condition,
            action=spec.action,
            params=dict(spec.params),
            created_at=now,
            updated_at=now,
        )
        robot.set_timing(spec.timing)
        check_task_robot(uow, robot)
        task_robot_access.check_may_keep(uow, robot, actor)
        task_robot_access.check_people(uow, robot, actor)
        siblings = uow.task_robots.at_status_locked(spec.status)
        if len(siblings) >= MAX_ROBOTS_PER_STATUS:
            raise InvalidValue(
                f"A status has at most {MAX_ROBOTS_PER_STATUS} robots", field="status"
            )
        position = len(siblings) if spec.position is None else spec.position
        if not 0 <= position <= len(siblings):
            raise InvalidValue(
                f"The status has {len(siblings)} robots: a new one goes at 0 to {len(siblings)}",
                field="position",
            )
        for later in siblings[position:]:
            later.position += 1
        robot.position = position
        uow.task_robots.add(robot)
        uow.emit(_event("TaskRobotCreated", robot, now, actor_id=actor.employee_id))
        uow.commit()
    return robot


def get_task_robot(uow: UnitOfWork, robot_id: int, *, actor: Actor) -> TaskRobot:
    actor.require(Role.HEAD)
    with uow:
        return uow.task_robots.get(robot_id)


def list_task_robots(
    uow: UnitOfWork, *, actor: Actor, status: TaskStatus | None = None
) -> list[TaskRobot]:
    """The robots of ``status`` in the order they act; without it, every status's, status
    by status (in the order of ``TaskStatus``)."""
    actor.require(Role.HEAD)
    statuses = list(TaskStatus) if status is None else [status]
    with uow:
        return [robot for one in statuses for robot in uow.task_robots.at_status(one)]


def update_task_robot(
    uow: UnitOfWork, robot_id: int, changes: dict[str, Any], *, actor: Actor, now: datetime
) -> TaskRobot:
    """Change name, enabled, department_id, condition, ``timing`` (a ``Timing``) or
    ``action`` with its ``params`` (given together: a new action takes its own
    parameters). The whole robot is checked again; its version grows by one when anything
    really changed. A robot stays on its status."""
    actor.require(Role.HEAD)
    if "action" in changes and "params" not in changes:
        raise InvalidValue("A new action comes with its parameters", field="action")
    with uow:
        robot = uow.task_robots.get(robot_id, for_update=True)
        task_robot_access.check_may_keep(uow, robot, actor)
        # Checked on a detached copy first: the checks' own queries could flush a
        # half-changed robot before refusing it.
        draft = replace(robot, params=dict(robot.params))
        draft.change(changes, now=now)
        check_task_robot(uow, draft)
        task_robot_access.check_may_keep(uow, draft, actor)
        task_robot_access.check_people(uow, draft, actor)
        changed = robot.change(
            {
                "name": draft.name,
                "enabled": draft.enabled,
                "department_id": draft.department_id,
                "condition": draft.condition,
                "timing": draft.timing,
                "action": draft.action,
                "params": draft.params,
            },
            now=now,
        )
        if changed:
            uow.flush()
            uow.emit(
                _event("TaskRobotChanged", robot, now, changed=changed, actor_id=actor.employee_id)
            )
            uow.commit()
    return robot


def delete_task_robot(uow: UnitOfWork, robot_id: int, *, actor: Actor, now: datetime) -> None:
    """Delete the robot; its waiting runs end ``cancelled`` (``robot_deleted``) at once."""
    actor.require(Role.HEAD)
    with uow:
        robot = uow.task_robots.get(robot_id)
        task_robot_access.check_may_keep(uow, robot, actor)
        uow.task_robots.at_status_locked(robot.status)
        task_robot_runs.robot_deleted(uow, robot_id, now=now)
        uow.task_robots.delete(robot)
        for position, other in enumerate(uow.task_robots.at_status(robot.status)):
            other.position = position
        uow.emit(_event("TaskRobotDeleted", robot, now, actor_id=actor.employee_id))
        uow.commit()


def reorder_task_robots(
    uow: UnitOfWork, status: TaskStatus, robot_ids: list[int], *, actor: Actor, now: datetime
) -> list[TaskRobot]:
    """Put the status's robots in the order of ``robot_ids``, which names each exactly once."""
    actor.require(Role.HEAD)
    with uow:
        robots = uow.task_robots.at_status_locked(status)
        by_id = {r.id: r for r in robots if r.id is not None}
        check_order(list(by_id), robot_ids)
        for position, robot_id in enumerate(robot_ids):
            by_id[robot_id].position = position
        uow.flush()
        uow.emit(
            DomainEvent(
                type="TaskRobotsReordered",
                # A status is no row of its own: the event names it in its payload.
                entity="task_status",
                entity_id=0,
                occurred_at=now,
                payload={
                    "status": status.value,
                    "robot_ids": list(robot_ids),
                    "actor_id": actor.employee_id,
                },
            )
        )
        uow.commit()
        return uow.task_robots.at_status(status)


def runs_of_task(
    uow: UnitOfWork,
    task_id: int,
    *,
    actor: Actor,
    now: datetime,
    limit: int,
    offset: int,
    state: RunState | None = None,
) -> Page[TaskRobotRun]:
    """The task's robot runs, latest status entry first, each entry's in the order they
    were started: pending ones with their due time (none while waiting for a deadline),
    ended ones with how and why. Whoever sees the task sees them."""
    tasks.get_task(uow, task_id, actor=actor, now=now)
    with uow:
        repository = uow.task_robot_runs
        return repository.page(
            limit=limit,
            offset=offset,
            filters={"task_id": task_id, "state": state},
            order_by=[repository.column("status_changed_at").desc()],
        )


def _event(type_: str, robot: TaskRobot, now: datetime, **extra: Any) -> DomainEvent:
    assert robot.id is not None
    return DomainEvent(
        type=type_,
        entity="task_robot",
        entity_id=robot.id,
        occurred_at=now,
        payload={**robot.summary(), **extra},
    )
