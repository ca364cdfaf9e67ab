"""/workload: the live workload board, and each rule's waiting queue at a glance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from conveyor.api.deps import ActorDep, IdQuery, Limit, NowDep, Offset, UowDep
from conveyor.api.schemas.workload import BoardPublic, EmployeeLoadPublic, QueuePublic
from conveyor.services import workload_board as service

router = APIRouter(prefix="/workload", tags=["assignment"])


@router.get("", response_model=BoardPublic)
def board(
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
    limit: Limit = 50,
    offset: Offset = 0,
    department_id: Annotated[
        IdQuery, Query(description="Only this department and those below it")
    ] = None,
    rule_id: Annotated[
        IdQuery, Query(description="The rule's pool, in-work stages, weights and caps")
    ] = None,
    include_dismissed: bool = False,
) -> BoardPublic:
    """Per employee, by name: in-work count and points against capacity, tasks overdue,
    done today and this week, deferred and awaiting approval, presence and why, and when
    they will next have free capacity (``free_at``, with ``free_at_basis``). Admins see
    everyone, heads their departments, employees themselves."""
    query = service.BoardQuery(
        department_id=department_id,
        rule_id=rule_id,
        include_dismissed=include_dismissed,
        limit=limit,
        offset=offset,
    )
    found = service.workload_board(uow, query, actor=actor, now=now)
    return BoardPublic(
        at=found.at,
        rule_id=found.rule_id,
        counted_stage_ids=list(found.counted_stage_ids),
        counts_open_tasks=found.counts_open_tasks,
        items=[EmployeeLoadPublic.of(row) for row in found.rows],
        total=found.total,
        limit=found.limit,
        offset=found.offset,
    )


@router.get("/queues", response_model=list[QueuePublic])
def queues(uow: UowDep, actor: ActorDep, now: NowDep) -> list[QueuePublic]:
    """Every enabled rule's queue, highest priority first: how many wait, the oldest wait,
    how many were escalated (admins and heads)."""
    return [QueuePublic.of(line) for line in service.rule_queues(uow, actor=actor, now=now)]
