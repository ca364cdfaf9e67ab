"""Why an item went to whom: ``/deals/{id}/assignment``, ``/leads/{id}/assignment`` and
``/assignment-decisions``."""

from __future__ import annotations

from fastapi import APIRouter

from conveyor.api.deps import ActorDep, IdPath, IdQuery, Limit, NowDep, Offset, UowDep
from conveyor.api.render import one, page
from conveyor.api.schemas.assignment_decisions import DecisionPublic, WaitingPublic
from conveyor.api.schemas.common import PageOf
from conveyor.domain.assignment_decisions import AssignmentDecision, AssignmentOutcome
from conveyor.domain.pipelines import EntityType
from conveyor.services import assignment_decisions as service

router = APIRouter(tags=["assignment"])


def _public(decision: AssignmentDecision) -> DecisionPublic:
    return one(DecisionPublic, decision, verdicts=decision.data.get("verdicts", []))


@router.get("/deals/{item_id}/assignment", response_model=DecisionPublic)
def deal_assignment(item_id: IdPath, uow: UowDep, actor: ActorDep) -> DecisionPublic:
    """The latest decision for the deal; 404 when no rule has decided for it."""
    return _public(service.latest_decision(uow, EntityType.DEAL, item_id, actor=actor))


@router.get("/leads/{item_id}/assignment", response_model=DecisionPublic)
def lead_assignment(item_id: IdPath, uow: UowDep, actor: ActorDep) -> DecisionPublic:
    """The latest decision for the lead; 404 when no rule has decided for it."""
    return _public(service.latest_decision(uow, EntityType.LEAD, item_id, actor=actor))


@router.get("/assignment-decisions", response_model=PageOf[DecisionPublic])
def list_(
    uow: UowDep,
    actor: ActorDep,
    limit: Limit = 50,
    offset: Offset = 0,
    item_id: IdQuery = None,
    rule_id: IdQuery = None,
    outcome: AssignmentOutcome | None = None,
) -> PageOf[DecisionPublic]:
    """Decisions matching every filter given, newest first (admins and heads)."""
    found = service.list_decisions(
        uow,
        actor=actor,
        limit=limit,
        offset=offset,
        item_id=item_id,
        rule_id=rule_id,
        outcome=outcome,
    )
    return page(DecisionPublic, found, _public)


@router.get("/tasks/{task_id}/assignment", response_model=DecisionPublic)
def task_assignment(task_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> DecisionPublic:
    """The task rules' decision for a task created without a responsible; 404 when none."""
    return _public(service.latest_task_decision(uow, task_id, actor=actor, now=now))


@router.get("/assignment-rules/{rule_id}/queue", response_model=PageOf[WaitingPublic])
def rule_queue(
    rule_id: IdPath, uow: UowDep, actor: ActorDep, limit: Limit = 50, offset: Offset = 0
) -> object:
    """The items waiting for someone to be free under the rule, in the order they will be
    served (priority, then the longest waiting)."""
    found = service.waiting_for_rule(uow, rule_id, actor=actor, limit=limit, offset=offset)
    return page(WaitingPublic, found)
