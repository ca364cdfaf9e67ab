"""/triggers: what moves items to a stage when something happens (admins);
``POST /triggers/hooks`` (token in the ``X-Conveyor-Hook-Token`` header, preferred) or
``POST /triggers/hooks/{token}``: an outside system firing a webhook trigger (the token is
the credential); ``/deals/{id}/trigger-runs``, ``/leads/{id}/trigger-runs``: what the
triggers did for an item."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, status

from conveyor.api.deps import ActorDep, IdPath, IdQuery, Limit, NowDep, Offset, UowDep
from conveyor.api.render import page
from conveyor.api.schemas.common import PageOf
from conveyor.api.schemas.triggers import (
    HookCall,
    Reorder,
    TriggerCreate,
    TriggerPublic,
    TriggerRunPublic,
    TriggerUpdate,
)
from conveyor.domain.pipelines import EntityType
from conveyor.domain.trigger_runs import Outcome
from conveyor.services import trigger_hooks, trigger_runs
from conveyor.services import triggers as service

router = APIRouter(prefix="/triggers", tags=["automation"])
runs_router = APIRouter(tags=["automation"])

Token = Annotated[str, Path(max_length=200, description="The trigger's `hook_token`")]
HeaderToken = Annotated[
    str | None,
    Header(alias="X-Conveyor-Hook-Token", max_length=200, description="The trigger's `hook_token`"),
]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TriggerPublic)
def create(body: TriggerCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> TriggerPublic:
    """A trigger at ``stage_id`` (the stage it moves items to), last in the stage's list
    unless ``position`` says where. Refused (422, naming the field) when its condition does
    not compile (the message points at the line and column), its event's parameters do not
    fit (``event.value`` against the field's type...), or what it names does not exist. A
    webhook trigger's answer carries its ``hook_token`` and ``hook_path``."""
    spec = service.TriggerSpec(
        name=body.name,
        stage_id=body.stage_id,
        event=body.event.kind,
        params=body.event.params(),
        enabled=body.enabled,
        condition=body.condition,
        allow_backwards=body.allow_backwards,
        position=body.position,
    )
    return TriggerPublic.of(service.create_trigger(uow, spec, actor=actor, now=now))


@router.get("", response_model=list[TriggerPublic])
def list_(
    uow: UowDep,
    actor: ActorDep,
    pipeline_id: IdQuery = None,
    stage_id: IdQuery = None,
) -> list[TriggerPublic]:
    """The triggers of a pipeline and/or a target stage (all when neither is given), in the
    stages' order and each stage's own."""
    found = service.list_triggers(uow, pipeline_id=pipeline_id, stage_id=stage_id, actor=actor)
    return [TriggerPublic.of(t) for t in found]


@router.post("/reorder", response_model=list[TriggerPublic])
def reorder(body: Reorder, uow: UowDep, actor: ActorDep, now: NowDep) -> list[TriggerPublic]:
    """Put a stage's triggers in the order of ``trigger_ids``, naming each exactly once."""
    found = service.reorder_triggers(uow, body.stage_id, body.trigger_ids, actor=actor, now=now)
    return [TriggerPublic.of(t) for t in found]


@router.post("/hooks", response_model=TriggerRunPublic)
def call_hook(
    body: HookCall, uow: UowDep, now: NowDep, token: HeaderToken = None
) -> TriggerRunPublic:
    """Fire a webhook trigger for the item named in the body; no API token: the trigger's
    secret, sent in the ``X-Conveyor-Hook-Token`` header, is the credential (the preferred
    form: a URL, and a token in it, ends up in access logs). 404 for a missing or unknown
    token; 422 for a body that names another entity type than the trigger's, or an item that
    does not exist or is not in the trigger's pipeline (alike, and nothing is recorded).
    Otherwise 200 with the run: ``moved``, or why not (``not_applicable`` for an item
    already at or past the stage, ``condition_false``, ``refused`` with the missing
    field...)."""
    return _call(token or "", body, uow, now)


@router.post("/hooks/{token}", response_model=TriggerRunPublic)
def call_hook_by_path(token: Token, body: HookCall, uow: UowDep, now: NowDep) -> TriggerRunPublic:
    """``POST /triggers/hooks`` with the token in the path (the trigger's ``hook_path``), for
    callers that cannot set a header; the header form keeps it out of access logs."""
    return _call(token, body, uow, now)


def _call(token: str, body: HookCall, uow: UowDep, now: NowDep) -> TriggerRunPublic:
    run = trigger_hooks.call_hook(
        uow, token, entity_type=body.entity_type, item_id=body.item_id, now=now
    )
    return TriggerRunPublic.model_validate(run, from_attributes=True)


@router.get("/{trigger_id}", response_model=TriggerPublic)
def get(trigger_id: IdPath, uow: UowDep, actor: ActorDep) -> TriggerPublic:
    return TriggerPublic.of(service.get_trigger(uow, trigger_id, actor=actor))


@router.patch("/{trigger_id}", response_model=TriggerPublic)
def update(
    trigger_id: IdPath, body: TriggerUpdate, uow: UowDep, actor: ActorDep, now: NowDep
) -> TriggerPublic:
    """Change what is sent. An ``event`` is sent whole (its kind and parameters); what it
    leaves out takes its default, not the trigger's current value."""
    changes = body.changes()
    if body.event is not None:
        changes["event"] = body.event.kind
        changes["params"] = body.event.params()
    trigger = service.update_trigger(uow, trigger_id, changes, actor=actor, now=now)
    return TriggerPublic.of(trigger)


@router.delete("/{trigger_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete(trigger_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> None:
    service.delete_trigger(uow, trigger_id, actor=actor, now=now)


def _runs_route(entity_type: EntityType) -> None:
    @runs_router.get(
        f"/{entity_type.value}s/{{item_id}}/trigger-runs",
        response_model=PageOf[TriggerRunPublic],
        name=f"{entity_type.value}_trigger_runs",
    )
    def runs(
        item_id: IdPath,
        uow: UowDep,
        actor: ActorDep,
        limit: Limit = 50,
        offset: Offset = 0,
        outcome: Outcome | None = None,
    ) -> PageOf[TriggerRunPublic]:
        """The item's trigger runs, newest first: which trigger, for what event, and its
        ``outcome`` (moved, not_applicable, condition_false, refused,
        stopped_by_depth_limit) with the ``detail`` in words."""
        found = trigger_runs.runs_of_item(
            uow, entity_type, item_id, actor=actor, limit=limit, offset=offset, outcome=outcome
        )
        return page(TriggerRunPublic, found)


for _entity in (EntityType.DEAL, EntityType.LEAD):
    _runs_route(_entity)
