"""/assignment-rules: the distribution rules the assignment engine follows (admins only)."""

from __future__ import annotations

from fastapi import APIRouter, status

from conveyor.api.deps import ActorDep, IdPath, IdQuery, Limit, NowDep, Offset, UowDep
from conveyor.api.render import one, page
from conveyor.api.schemas.assignment_rules import RuleCreate, RulePublic, RuleUpdate
from conveyor.api.schemas.common import PageOf
from conveyor.domain.distribution_rules import RuleEntity
from conveyor.services import distribution_rules as service

router = APIRouter(prefix="/assignment-rules", tags=["assignment"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RulePublic)
def create(body: RuleCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> object:
    spec = service.RuleSpec(**body.model_dump())
    return one(RulePublic, service.create_rule(uow, spec, actor=actor, now=now))


@router.get("", response_model=PageOf[RulePublic])
def list_(
    uow: UowDep,
    actor: ActorDep,
    limit: Limit = 50,
    offset: Offset = 0,
    entity_type: RuleEntity | None = None,
    pipeline_id: IdQuery = None,
    trigger_stage_id: IdQuery = None,
    enabled: bool | None = None,
) -> object:
    """Rules matching every filter given, highest priority first."""
    found = service.list_rules(
        uow,
        actor=actor,
        limit=limit,
        offset=offset,
        entity_type=entity_type,
        pipeline_id=pipeline_id,
        trigger_stage_id=trigger_stage_id,
        enabled=enabled,
    )
    return page(RulePublic, found)


@router.get("/{rule_id}", response_model=RulePublic)
def get(rule_id: IdPath, uow: UowDep, actor: ActorDep) -> object:
    return one(RulePublic, service.get_rule(uow, rule_id, actor=actor))


@router.patch("/{rule_id}", response_model=RulePublic)
def update(rule_id: IdPath, body: RuleUpdate, uow: UowDep, actor: ActorDep, now: NowDep) -> object:
    changes = body.changes()
    return one(RulePublic, service.update_rule(uow, rule_id, changes, actor=actor, now=now))


@router.delete("/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete(rule_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> None:
    service.delete_rule(uow, rule_id, actor=actor, now=now)
