"""/tasks: tasks, their actions (start ... accept), and per-employee task counters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from conveyor.api import render
from conveyor.api.deps import ActorDep, IdPath, IdQuery, Limit, NowDep, Offset, UowDep
from conveyor.api.render import one
from conveyor.api.schemas.common import PageOf
from conveyor.api.schemas.tasks import (
    AwareTime,
    TaskActionTaken,
    TaskCountersPublic,
    TaskCreate,
    TaskPublic,
    TaskUpdate,
)
from conveyor.domain.tasks import TaskQuery, TaskStatus
from conveyor.services import task_counters, tasks

router = APIRouter(tags=["tasks"])

TimeQuery = Annotated[AwareTime | None, Query()]


def _public(view: tasks.TaskView) -> TaskPublic:
    return one(
        TaskPublic,
        view.task,
        co_executor_ids=view.co_executor_ids,
        observer_ids=view.observer_ids,
        overdue=view.overdue,
        predecessor_ids=view.predecessor_ids,
        successor_ids=view.successor_ids,
    )


@router.post("/tasks", status_code=status.HTTP_201_CREATED, response_model=TaskPublic)
def create(body: TaskCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> TaskPublic:
    command = tasks.CreateTask(**body.model_dump())
    return _public(tasks.create_task(uow, command, actor=actor, now=now))


@router.get("/tasks", response_model=PageOf[TaskPublic])
def list_(
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
    limit: Limit = 50,
    offset: Offset = 0,
    responsible_id: IdQuery = None,
    creator_id: IdQuery = None,
    member_id: IdQuery = None,
    status: Annotated[list[TaskStatus] | None, Query(description="Repeatable")] = None,
    overdue: bool | None = None,
    item_id: IdQuery = None,
    company_id: IdQuery = None,
    deadline_from: TimeQuery = None,
    deadline_to: Annotated[AwareTime | None, Query(description="Exclusive")] = None,
) -> PageOf[TaskPublic]:
    """Tasks by deadline (tasks without one last), then id. ``member_id`` matches
    co-executors and observers; ``status`` may repeat; ``overdue`` is judged now."""
    query = TaskQuery(
        responsible_id=responsible_id,
        creator_id=creator_id,
        member_id=member_id,
        statuses=frozenset(status or ()),
        overdue=overdue,
        item_id=item_id,
        company_id=company_id,
        deadline_from=deadline_from,
        deadline_to=deadline_to,
    )
    found = tasks.list_tasks(uow, query, actor=actor, now=now, limit=limit, offset=offset)
    return render.page(TaskPublic, found, _public)


@router.get("/tasks/{task_id}", response_model=TaskPublic)
def get(task_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> TaskPublic:
    return _public(tasks.get_task(uow, task_id, actor=actor, now=now))


@router.patch("/tasks/{task_id}", response_model=TaskPublic)
def update(
    task_id: IdPath, body: TaskUpdate, uow: UowDep, actor: ActorDep, now: NowDep
) -> TaskPublic:
    return _public(tasks.update_task(uow, task_id, body.changes(), actor=actor, now=now))


@router.post("/tasks/{task_id}/actions", response_model=TaskPublic)
def act(
    task_id: IdPath, body: TaskActionTaken, uow: UowDep, actor: ActorDep, now: NowDep
) -> TaskPublic:
    """start, pause, complete, accept, return (with a comment), defer, resume, decline,
    renew. The wrong state is 409 naming the current status; the wrong person 403."""
    view = tasks.act_on_task(uow, task_id, body.action, comment=body.comment, actor=actor, now=now)
    return _public(view)


@router.get("/employees/{employee_id}/task-counters", response_model=TaskCountersPublic)
def counters(
    employee_id: IdPath,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
    start: Annotated[AwareTime | None, Query(alias="from")] = None,
    end: Annotated[AwareTime | None, Query(alias="to", description="Exclusive")] = None,
) -> TaskCountersPublic:
    """The employee's task counters now; "completed" counts ``[from, to)``, by default the
    current month in the employee's timezone."""
    found = task_counters.task_counters(
        uow, employee_id, start=start, end=end, actor=actor, now=now
    )
    return one(TaskCountersPublic, found)
