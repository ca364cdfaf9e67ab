"""/task-robots: what happens by itself while a task stays in a status (heads and admins),
and ``/tasks/{id}/robot-runs``: what they did for a task (whoever sees the task)."""

from __future__ import annotations

from fastapi import APIRouter, status

from conveyor.api.deps import ActorDep, IdPath, Limit, NowDep, Offset, UowDep
from conveyor.api.render import page
from conveyor.api.schemas.common import PageOf
from conveyor.api.schemas.task_robots import (
    TaskRobotCreate,
    TaskRobotPublic,
    TaskRobotRunPublic,
    TaskRobotsReorder,
    TaskRobotUpdate,
    TaskTimingIn,
)
from conveyor.domain.robot_runs import RunState
from conveyor.domain.robots import Timing
from conveyor.domain.tasks import TaskStatus
from conveyor.services import task_robots as service

router = APIRouter(prefix="/task-robots", tags=["automation"])
runs_router = APIRouter(tags=["tasks"])


def _timing(body: TaskTimingIn) -> Timing:
    return Timing(
        kind=body.kind,
        amount=body.amount,
        unit=body.unit,
        working_hours_only=body.working_hours_only,
        field=body.field,
        working=body.working,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TaskRobotPublic)
def create(body: TaskRobotCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> TaskRobotPublic:
    """A robot at ``status``, last in its list unless ``position`` says where. Refused (422,
    naming the field) when its condition or a text template does not compile (the message
    points at the line and column), or a person or department it names does not exist."""
    spec = service.TaskRobotSpec(
        name=body.name,
        status=body.status,
        action=body.action.kind,
        params=body.action.params(),
        enabled=body.enabled,
        department_id=body.department_id,
        condition=body.condition,
        timing=_timing(body.timing),
        position=body.position,
    )
    return TaskRobotPublic.of(service.create_task_robot(uow, spec, actor=actor, now=now))


@router.get("", response_model=list[TaskRobotPublic])
def list_(uow: UowDep, actor: ActorDep, status: TaskStatus | None = None) -> list[TaskRobotPublic]:
    """The robots of ``status`` in the order they act; without it, every status's."""
    found = service.list_task_robots(uow, actor=actor, status=status)
    return [TaskRobotPublic.of(r) for r in found]


@router.post("/reorder", response_model=list[TaskRobotPublic])
def reorder(
    body: TaskRobotsReorder, uow: UowDep, actor: ActorDep, now: NowDep
) -> list[TaskRobotPublic]:
    """Put a status's robots in the order of ``robot_ids``, naming each exactly once."""
    found = service.reorder_task_robots(uow, body.status, body.robot_ids, actor=actor, now=now)
    return [TaskRobotPublic.of(r) for r in found]


@router.get("/{robot_id}", response_model=TaskRobotPublic)
def get(robot_id: IdPath, uow: UowDep, actor: ActorDep) -> TaskRobotPublic:
    return TaskRobotPublic.of(service.get_task_robot(uow, robot_id, actor=actor))


@router.patch("/{robot_id}", response_model=TaskRobotPublic)
def update(
    robot_id: IdPath, body: TaskRobotUpdate, uow: UowDep, actor: ActorDep, now: NowDep
) -> TaskRobotPublic:
    """Change what is sent. An ``action`` is sent whole (its kind and parameters), and so is
    a ``timing`` (its ``kind`` required; what it leaves out takes its default). A robot
    stays on its status: make a new one for another."""
    changes = body.changes()
    if body.timing is not None:
        changes["timing"] = _timing(body.timing)
    if body.action is not None:
        changes["action"] = body.action.kind
        changes["params"] = body.action.params()
    robot = service.update_task_robot(uow, robot_id, changes, actor=actor, now=now)
    return TaskRobotPublic.of(robot)


@router.delete("/{robot_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete(robot_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> None:
    """Delete the robot; its waiting runs end ``cancelled`` at once."""
    service.delete_task_robot(uow, robot_id, actor=actor, now=now)


@runs_router.get("/tasks/{task_id}/robot-runs", response_model=PageOf[TaskRobotRunPublic])
def runs(
    task_id: IdPath,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
    limit: Limit = 50,
    offset: Offset = 0,
    state: RunState | None = None,
) -> PageOf[TaskRobotRunPublic]:
    """The task's robot runs, latest status entry first: pending ones with their due time
    (``null`` while waiting for a deadline), ended ones with how (``state``) and why
    (``reason``, ``detail``)."""
    found = service.runs_of_task(
        uow, task_id, actor=actor, now=now, limit=limit, offset=offset, state=state
    )
    return page(TaskRobotRunPublic, found)
