"""/tasks/{id}/dependencies: what a task starts after (finish-to-start, with a lag in working
time), what starts after it, and how a late finish moves them."""

from __future__ import annotations

from fastapi import APIRouter, status

from conveyor.api.deps import ActorDep, IdPath, NowDep, UowDep
from conveyor.api.schemas.task_dependencies import (
    DependenciesPublic,
    DependencyCreate,
    LinkedTaskPublic,
    ShiftPublic,
)
from conveyor.services import task_dependencies

router = APIRouter(tags=["tasks"])


def _linked(linked: task_dependencies.Linked) -> LinkedTaskPublic:
    task = linked.task
    assert task.id is not None
    return LinkedTaskPublic(
        task_id=task.id,
        title=task.title,
        status=task.status,
        start_at=task.start_at,
        deadline=task.deadline,
        completed_at=task.completed_at,
        lag=linked.lag,
        lag_unit=linked.lag_unit,
        created_at=linked.created_at,
    )


def _public(found: task_dependencies.Dependencies) -> DependenciesPublic:
    task = found.task
    assert task.id is not None
    return DependenciesPublic(
        task_id=task.id,
        start_at=task.start_at,
        deadline=task.deadline,
        predecessors=[_linked(p) for p in found.predecessors],
        successors=[_linked(s) for s in found.successors],
        shifts=[ShiftPublic.model_validate(s, from_attributes=True) for s in found.shifts],
    )


@router.post(
    "/tasks/{task_id}/dependencies",
    status_code=status.HTTP_201_CREATED,
    response_model=DependenciesPublic,
)
def add(
    task_id: IdPath, body: DependencyCreate, uow: UowDep, actor: ActorDep, now: NowDep
) -> DependenciesPublic:
    """The task starts after ``predecessor_id`` finishes, ``lag`` later. It is placed after
    it at once (its planned start, and its deadline keeping its working time; what follows
    it moves in turn: ``shifts``). A task following itself is 422, a circle or a pair
    already linked 409, each naming ``predecessor_id``; only who may change the task (its
    creator, an admin) may link it."""
    found = task_dependencies.add_dependency(
        uow,
        task_id,
        body.predecessor_id,
        lag=body.lag,
        lag_unit=body.lag_unit,
        actor=actor,
        now=now,
    )
    return _public(found)


@router.get("/tasks/{task_id}/dependencies", response_model=DependenciesPublic)
def get(task_id: IdPath, uow: UowDep, actor: ActorDep) -> DependenciesPublic:
    """What the task starts after, and what starts after it."""
    return _public(task_dependencies.dependencies_of(uow, task_id, actor=actor))


@router.delete(
    "/tasks/{task_id}/dependencies/{predecessor_id}", status_code=status.HTTP_204_NO_CONTENT
)
def remove(
    task_id: IdPath, predecessor_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep
) -> None:
    """The task no longer starts after ``predecessor_id``; its dates stay as they are."""
    task_dependencies.remove_dependency(uow, task_id, predecessor_id, actor=actor, now=now)
