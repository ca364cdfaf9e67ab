"""Triggers: defined by admins per target stage, validated on save, kept in order.

Each use case is one transaction; every change emits ``TriggerCreated``, ``TriggerChanged``,
``TriggerDeleted`` or ``TriggersReordered`` (never with a webhook trigger's secret).
Changes to a stage's list (create, delete, reorder) lock the stage's row, so concurrent
edits never give two triggers one place. A webhook trigger gets its secret when it is
created or becomes a webhook trigger; it keeps it while it stays one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from conveyor.domain.actors import Actor
from conveyor.domain.errors import InvalidValue
from conveyor.domain.events import DomainEvent
from conveyor.domain.triggers import (
    MAX_TRIGGERS_PER_STAGE,
    Trigger,
    TriggerEvent,
    check_order,
)
from conveyor.services.trigger_checks import check_trigger
from conveyor.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class TriggerSpec:
    """Everything a new trigger says; see ``Trigger`` for the meaning of each part."""

    name: str
    stage_id: int
    event: TriggerEvent
    params: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    condition: str | None = None
    allow_backwards: bool = False
    #: Where in the stage's list (0 first); ``None`` puts it last.
    position: int | None = None


def create_trigger(uow: UnitOfWork, spec: TriggerSpec, *, actor: Actor, now: datetime) -> Trigger:
    actor.require_admin()
    with uow:
        stage = uow.stages.get(spec.stage_id, field="stage_id", for_update=True)
        pipeline = uow.pipelines.get(stage.pipeline_id)
        trigger = Trigger(
            entity_type=pipeline.entity_type,
            pipeline_id=stage.pipeline_id,
            stage_id=spec.stage_id,
            name=spec.name,
            enabled=spec.enabled,
            condition=spec.condition,
            event=spec.event,
            params=dict(spec.params),
            allow_backwards=spec.allow_backwards,
            hook_secret=_secret(spec.event, None),
            created_at=now,
            updated_at=now,
        )
        check_trigger(uow, trigger)
        siblings = uow.triggers.at_stage(spec.stage_id)
        if len(siblings) >= MAX_TRIGGERS_PER_STAGE:
            raise InvalidValue(
                f"A stage has at most {MAX_TRIGGERS_PER_STAGE} triggers", field="stage_id"
            )
        position = len(siblings) if spec.position is None else spec.position
        if not 0 <= position <= len(siblings):
            raise InvalidValue(
                f"The stage has {len(siblings)} triggers: a new one goes at 0 to {len(siblings)}",
                field="position",
            )
        for later in siblings[position:]:
            later.position += 1
        trigger.position = position
        uow.triggers.add(trigger)
        uow.emit(_event("TriggerCreated", trigger, now))
        uow.commit()
    return trigger


def get_trigger(uow: UnitOfWork, trigger_id: int, *, actor: Actor) -> Trigger:
    actor.require_admin()
    with uow:
        return uow.triggers.get(trigger_id)


def list_triggers(
    uow: UnitOfWork, *, pipeline_id: int | None, stage_id: int | None, actor: Actor
) -> list[Trigger]:
    """The triggers of a pipeline and/or a stage (every trigger when neither is given),
    pipeline by pipeline, in the stages' order and each stage's own."""
    actor.require_admin()
    with uow:
        if pipeline_id is not None:
            uow.pipelines.get(pipeline_id, field="pipeline_id")
        if stage_id is not None:
            uow.stages.get(stage_id, field="stage_id")
        return uow.triggers.listed(pipeline_id=pipeline_id, stage_id=stage_id)


def update_trigger(
    uow: UnitOfWork, trigger_id: int, changes: dict[str, Any], *, actor: Actor, now: datetime
) -> Trigger:
    """Change name, enabled, condition, allow_backwards or ``event`` with its ``params``
    (given together: a new event takes its own parameters); ``new_hook_token: True`` gives a
    webhook trigger a new secret (the old URL stops working at once). The whole trigger is
    checked again; its version grows by one when anything really changed."""
    actor.require_admin()
    changes = dict(changes)
    new_token = changes.pop("new_hook_token", False) is True
    if "event" in changes and "params" not in changes:
        raise InvalidValue("A new event comes with its parameters", field="event")
    if "hook_secret" in changes:
        raise InvalidValue("'hook_secret' cannot be changed", field="hook_secret")
    with uow:
        trigger = uow.triggers.get(trigger_id, for_update=True)
        # Checked on a detached copy first: the checks' own queries could flush a
        # half-changed trigger before refusing it.
        draft = replace(trigger, params=dict(trigger.params))
        draft.change(changes, now=now)
        check_trigger(uow, draft)
        if new_token and draft.event is not TriggerEvent.WEBHOOK:
            raise InvalidValue("Only a webhook trigger has a hook token", field="new_hook_token")
        changed = trigger.change(
            {
                "name": draft.name,
                "enabled": draft.enabled,
                "condition": draft.condition,
                "event": draft.event,
                "params": draft.params,
                "allow_backwards": draft.allow_backwards,
                "hook_secret": _secret(draft.event, None if new_token else trigger.hook_secret),
            },
            now=now,
        )
        if changed:
            uow.flush()
            uow.emit(_event("TriggerChanged", trigger, now, changed=changed))
            uow.commit()
    return trigger


def delete_trigger(uow: UnitOfWork, trigger_id: int, *, actor: Actor, now: datetime) -> None:
    actor.require_admin()
    with uow:
        trigger = uow.triggers.get(trigger_id)
        uow.stages.get(trigger.stage_id, for_update=True)
        uow.triggers.delete(trigger)
        for position, other in enumerate(uow.triggers.at_stage(trigger.stage_id)):
            other.position = position
        uow.emit(_event("TriggerDeleted", trigger, now))
        uow.commit()


def reorder_triggers(
    uow: UnitOfWork, stage_id: int, trigger_ids: list[int], *, actor: Actor, now: datetime
) -> list[Trigger]:
    """Put the stage's triggers in the order of ``trigger_ids``, which names each once."""
    actor.require_admin()
    with uow:
        uow.stages.get(stage_id, field="stage_id", for_update=True)
        found = uow.triggers.at_stage(stage_id)
        by_id = {t.id: t for t in found if t.id is not None}
        check_order(list(by_id), trigger_ids)
        for position, trigger_id in enumerate(trigger_ids):
            by_id[trigger_id].position = position
        uow.flush()
        uow.emit(
            DomainEvent(
                type="TriggersReordered",
                entity="stage",
                entity_id=stage_id,
                occurred_at=now,
                payload={"trigger_ids": list(trigger_ids)},
            )
        )
        uow.commit()
        return uow.triggers.at_stage(stage_id)


def _secret(event: TriggerEvent, current: str | None) -> str | None:
    """A webhook trigger's secret: the one it has, or a new one; none for other events."""
    if event is not TriggerEvent.WEBHOOK:
        return None
    return current or secrets.token_urlsafe(32)


def _event(type_: str, trigger: Trigger, now: datetime, **extra: Any) -> DomainEvent:
    assert trigger.id is not None
    return DomainEvent(
        type=type_,
        entity="trigger",
        entity_id=trigger.id,
        occurred_at=now,
        payload={**trigger.summary(), **extra},
    )
