"""Triggers (``/triggers``), their runs (``/deals/{id}/trigger-runs``) and incoming hooks."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, JsonValue, StringConstraints

from conveyor.api.schemas.common import Id, Input, Name, Output, Update
from conveyor.domain.communications import CommunicationKind, Direction
from conveyor.domain.pipelines import EntityType
from conveyor.domain.trigger_runs import Outcome
from conveyor.domain.triggers import MAX_TRIGGERS_PER_STAGE, Trigger, TriggerEvent
from conveyor.engines.expressions import MAX_LENGTH

Condition = Annotated[str, StringConstraints(max_length=MAX_LENGTH)]
#: Where a webhook trigger is called (its token follows).
HOOKS_PATH = "/triggers/hooks/"


class EventIn(Input):
    """The event and its parameters; each kind takes only its own (see each parameter)."""

    kind: TriggerEvent
    channels: (
        Annotated[list[CommunicationKind], Field(max_length=len(CommunicationKind))] | None
    ) = Field(
        default=None,
        description="communication_received: the channels (communication kinds) it reacts "
        "to; none: any",
    )
    direction: Direction | None = Field(
        default=None,
        description="communication_received: only communications of this direction "
        "(`incoming` for what the client sent); none: any",
    )
    field: Annotated[str, StringConstraints(max_length=63)] | None = Field(
        default=None, description="field_changed: the code of the custom field"
    )
    value: JsonValue = Field(
        default=None,
        description="field_changed: the value it must change to (checked against the field's "
        "type); null: any new value that is not empty",
    )
    min_amount: Annotated[Decimal, Field(allow_inf_nan=False)] | None = Field(
        default=None,
        description="payment_registered: only a payment of at least this much, in the item's "
        "currency",
    )
    paid_in_full: bool | None = Field(
        default=None,
        description="payment_registered: only once the item's payments in its currency add "
        "up to its amount (an item without an amount is never paid in full)",
    )

    def params(self) -> dict[str, Any]:
        """The parameters sent, for the kind to check (``value`` counts when ``field`` is)."""
        sent = self.model_dump(mode="json", exclude_unset=True, exclude={"kind"})
        if "field" in sent and "value" not in sent:
            sent["value"] = None
        return sent


class TriggerFields(Input):
    enabled: bool = True
    condition: Condition | None = Field(
        default=None,
        description="When the trigger moves the item, e.g. `contact.vip` (the robots' "
        "expressions and context; checked when the event happens)",
    )
    allow_backwards: bool = Field(
        default=False,
        description="Move items from later stages too, and reopen closed ones; by default a "
        "trigger moves an open item forward only",
    )


class TriggerCreate(TriggerFields):
    name: Name
    stage_id: Id = Field(description="The stage the trigger moves items to")
    event: EventIn
    position: Annotated[int, Field(ge=0, le=MAX_TRIGGERS_PER_STAGE)] | None = Field(
        default=None, description="Place in the stage's list, 0 first (default: last)"
    )


class TriggerUpdate(Update):
    NOT_NULL = ("name", "enabled", "event", "allow_backwards", "new_hook_token")

    name: Name | None = None
    enabled: bool | None = None
    condition: Condition | None = None
    allow_backwards: bool | None = None
    event: EventIn | None = Field(
        default=None, description="The whole new event: its ``kind`` and its parameters"
    )
    new_hook_token: bool | None = Field(
        default=None,
        description="true: a webhook trigger gets a new token; the old one stops working",
    )


class Reorder(Input):
    stage_id: Id
    trigger_ids: Annotated[list[Id], Field(max_length=MAX_TRIGGERS_PER_STAGE)]


class TriggerPublic(Output):
    id: int
    entity_type: str
    pipeline_id: int
    stage_id: int
    position: int
    name: str
    enabled: bool
    condition: str | None
    event: dict[str, Any] = Field(description="``kind`` and the event's parameters")
    allow_backwards: bool
    hook_token: str | None = Field(
        description="webhook: the secret that authorises calls; keep it like a password"
    )
    hook_path: str | None = Field(description="webhook: where to POST, relative to the API")
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, trigger: Trigger) -> TriggerPublic:
        token = trigger.hook_token
        return cls(
            id=trigger.id or 0,
            entity_type=trigger.entity_type.value,
            pipeline_id=trigger.pipeline_id,
            stage_id=trigger.stage_id,
            position=trigger.position,
            name=trigger.name,
            enabled=trigger.enabled,
            condition=trigger.condition,
            event={"kind": trigger.event.value, **trigger.params},
            allow_backwards=trigger.allow_backwards,
            hook_token=token,
            hook_path=None if token is None else HOOKS_PATH + token,
            version=trigger.version,
            created_at=trigger.created_at,
            updated_at=trigger.updated_at,
        )


class TriggerRunPublic(Output):
    id: int
    trigger_id: int
    trigger_version: int
    trigger_name: str
    item_id: int
    event: TriggerEvent
    event_data: dict[str, Any] = Field(description="What happened: communication, task, ...")
    outcome: Outcome
    detail: str = Field(description="The outcome in words: where it moved, or why not")
    from_stage_id: int
    to_stage_id: int
    depth: int = Field(description="Automatic moves that led to the event in its transaction")
    created_at: datetime


class HookCall(Input):
    entity_type: EntityType = Field(description="`deal` or `lead`, as the trigger's pipeline")
    item_id: Id
