"""Reading the assignment engine's recorded decisions: why an item went to whom."""

from __future__ import annotations

from datetime import datetime

from conveyor.domain.actors import Actor
from conveyor.domain.assignment_decisions import AssignmentDecision, AssignmentOutcome
from conveyor.domain.assignment_queue import WaitingEntry
from conveyor.domain.distribution_rules import RuleEntity
from conveyor.domain.errors import NotFound
from conveyor.domain.pages import Page
from conveyor.domain.pipelines import EntityType
from conveyor.domain.tokens import Role
from conveyor.services.tasks import get_task
from conveyor.storage.unit_of_work import UnitOfWork


def latest_decision(
    uow: UnitOfWork, entity_type: EntityType, item_id: int, *, actor: Actor
) -> AssignmentDecision:
    """The latest decision taken for the lead or deal; ``NotFound`` when the actor cannot
    see the item or no rule ever decided for it."""
    with uow:
        item = uow.items.find(item_id)
        if item is None or item.entity_type is not entity_type or not item.visible_to(actor):
            raise NotFound(entity_type.value, item_id)
        decision = uow.assignment_decisions.latest_for(entity_type.value, item_id)
        if decision is None:
            raise NotFound(f"assignment decision for {entity_type.value}", item_id)
        return decision


def latest_task_decision(
    uow: UnitOfWork, task_id: int, *, actor: Actor, now: datetime
) -> AssignmentDecision:
    """The decision of the task rules for a task created without a responsible; ``NotFound``
    when the actor cannot see the task or no rule decided for it."""
    get_task(uow, task_id, actor=actor, now=now)
    with uow:
        decision = uow.assignment_decisions.latest_for(RuleEntity.TASK.value, task_id)
        if decision is None:
            raise NotFound("assignment decision for task", task_id)
        return decision


def list_decisions(
    uow: UnitOfWork,
    *,
    actor: Actor,
    limit: int,
    offset: int,
    item_id: int | None = None,
    rule_id: int | None = None,
    outcome: AssignmentOutcome | None = None,
) -> Page[AssignmentDecision]:
    """Decisions matching every filter given, newest first (admins and heads)."""
    actor.require(Role.HEAD)
    with uow:
        repository = uow.assignment_decisions
        return repository.page(
            limit=limit,
            offset=offset,
            filters={"item_id": item_id, "rule_id": rule_id, "outcome": outcome},
            order_by=[repository.column("decided_at").desc(), repository.column("id").desc()],
        )


def waiting_for_rule(
    uow: UnitOfWork, rule_id: int, *, actor: Actor, limit: int, offset: int
) -> Page[WaitingEntry]:
    """The rule's waiting entries in the order they will be served: priority, then age
    (admins and heads)."""
    actor.require(Role.HEAD)
    with uow:
        uow.distribution_rules.get(rule_id)
        return uow.assignment_queue.page_of_rule(rule_id, limit=limit, offset=offset)
