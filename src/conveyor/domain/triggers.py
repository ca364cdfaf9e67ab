"""Triggers: what moves a lead or deal to a stage when something happens to it.

A trigger is a definition (its runs are ``domain.trigger_runs``, what it reacts to
``domain.trigger_events``). It belongs to the stage it moves items to (its *target*) in one
pipeline and has a place in that stage's ordered list (``position``); it reacts to one
``event`` narrowed by its ``params`` (``normalize_params`` says what each event takes), may
have a ``condition`` (the robots' safe expression over the item, its contact and company and
its responsible, checked when the event happens) and moves items forward only unless
``allow_backwards`` says otherwise (``domain.trigger_runs.applicability``).

A ``webhook`` trigger has a secret, made when it is created (or becomes a webhook trigger):
``hook_token`` is what a caller puts in the URL, the trigger's id and its secret.

``check`` enforces what the trigger alone can tell, naming the field at fault
(``event.min_amount``, ``name``...); what it refers to (its stage, the custom field) and its
condition are checked by the service on save. ``version`` starts at 1 and grows by one on
every change, so a run names the exact definition it followed.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from conveyor.domain import definitions
from conveyor.domain.communications import CommunicationKind, Direction
from conveyor.domain.definitions import apply_changes
from conveyor.domain.errors import InvalidValue
from conveyor.domain.field_types import parse_amount
from conveyor.domain.pipelines import EntityType, check_pipeline_entity

#: A stage's list is short: a long one is a modelling mistake.
MAX_TRIGGERS_PER_STAGE = 50
MAX_NAME = 200
#: What a hook token looks like: ``cvh_<trigger id>_<secret>``.
HOOK_PREFIX = "cvh_"
_HOOK_TOKEN = re.compile(r"^cvh_([1-9][0-9]{0,18})_([A-Za-z0-9_-]{20,100})$")


class TriggerEvent(enum.StrEnum):
    #: A communication is logged for the item, or for its contact or company.
    COMMUNICATION_RECEIVED = "communication_received"
    #: A task linked to the item is completed (or accepted, when it needs acceptance).
    TASK_COMPLETED = "task_completed"
    #: A custom field of the item changes to a value (by hand, through the API or a robot).
    FIELD_CHANGED = "field_changed"
    #: A payment is registered on the item (``POST /deals/{id}/payments``).
    PAYMENT_REGISTERED = "payment_registered"
    #: An outside system calls the trigger's own URL naming the item.
    WEBHOOK = "webhook"


#: Each event's parameters and their defaults (``REQUIRED`` has none).
REQUIRED = object()
_PARAMS: dict[TriggerEvent, dict[str, object]] = {
    TriggerEvent.COMMUNICATION_RECEIVED: {"channels": None, "direction": None},
    TriggerEvent.TASK_COMPLETED: {},
    TriggerEvent.FIELD_CHANGED: {"field": REQUIRED, "value": None},
    TriggerEvent.PAYMENT_REGISTERED: {"min_amount": None, "paid_in_full": False},
    TriggerEvent.WEBHOOK: {},
}


@dataclass(kw_only=True)
class Trigger:
    """One trigger of one target stage (see the module)."""

    id: int | None = None
    entity_type: EntityType
    pipeline_id: int
    #: The stage the trigger moves items to.
    stage_id: int
    #: The trigger's place in its stage's list, 0 first.
    position: int = 0
    name: str
    enabled: bool = True
    condition: str | None = None
    event: TriggerEvent
    params: dict[str, Any] = field(default_factory=dict)
    #: Whether the trigger may move an item back (or reopen a closed one).
    allow_backwards: bool = False
    #: A webhook trigger's secret; ``None`` for the other events.
    hook_secret: str | None = None
    version: int = 1
    created_at: datetime
    updated_at: datetime

    def check(self) -> None:
        """Refuse, naming the field, what is wrong with the trigger on its own; ``params``
        are normalised for the event (defaults filled in)."""
        check_pipeline_entity(self.entity_type)
        name = self.name.strip()
        if not name or len(name) > MAX_NAME:
            raise InvalidValue(f"A trigger's name is 1 to {MAX_NAME} characters", field="name")
        self.name = name
        if self.condition is not None and not self.condition.strip():
            self.condition = None
        self.params = normalize_params(self.event, self.params)

    @property
    def hook_token(self) -> str | None:
        """The secret part of a webhook trigger's URL; ``None`` for other triggers."""
        if self.event is not TriggerEvent.WEBHOOK or self.hook_secret is None:
            return None
        return f"{HOOK_PREFIX}{self.id}_{self.hook_secret}"

    def change(self, changes: Mapping[str, Any], *, now: datetime) -> list[str]:
        """Apply ``changes`` and return the names that really changed (see
        ``definitions.apply_changes``); ``check`` is up to the caller."""
        return apply_changes(self, changes, CHANGEABLE, now=now)

    def summary(self) -> dict[str, Any]:
        """The trigger's identity for events: JSON-able, never its secret."""
        return {
            "name": self.name,
            "version": self.version,
            "entity_type": self.entity_type.value,
            "pipeline_id": self.pipeline_id,
            "stage_id": self.stage_id,
            "position": self.position,
            "event": self.event.value,
            "enabled": self.enabled,
            "allow_backwards": self.allow_backwards,
        }


#: What ``Trigger.change`` may set; a trigger stays on its stage (``hook_secret`` is the
#: service's: a trigger that becomes a webhook one gets a new secret).
CHANGEABLE = frozenset(
    {"name", "enabled", "condition", "event", "params", "allow_backwards", "hook_secret"}
)


def parse_hook_token(token: str) -> tuple[int, str] | None:
    """The trigger id and the secret a hook token holds; ``None`` when it is no such token."""
    match = _HOOK_TOKEN.match(token)
    if match is None:
        return None
    trigger_id = int(match.group(1))
    if trigger_id >= 2**63:
        return None
    return trigger_id, match.group(2)


def normalize_params(event: TriggerEvent, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` for ``event`` with its defaults, refused (naming ``event.<param>``) when
    a parameter is unknown to the event, missing, or of the wrong shape."""
    spec = _PARAMS[event]
    for name in params:
        if name not in spec:
            known = ", ".join(sorted(spec)) or "nothing"
            raise InvalidValue(
                f"'{name}' is not a parameter of a {event.value} trigger (it takes: {known})",
                field=f"event.{name}",
            )
    values: dict[str, Any] = {}
    for name, default in spec.items():
        if name in params:
            values[name] = params[name]
        elif default is REQUIRED:
            raise InvalidValue(f"A {event.value} trigger needs '{name}'", field=f"event.{name}")
        else:
            values[name] = default
    _CHECKS[event](values)
    return values


def _check_communication(values: dict[str, Any]) -> None:
    channels = values["channels"]
    if channels is not None:
        if not isinstance(channels, list):
            raise InvalidValue(
                _one_of("A list of channels", CommunicationKind), field="event.channels"
            )
        seen: list[str] = []
        for index, channel in enumerate(channels):
            where = f"event.channels.{index}"
            if not isinstance(channel, str) or channel not in _values(CommunicationKind):
                raise InvalidValue(_one_of("A channel", CommunicationKind), field=where)
            if channel in seen:
                raise InvalidValue(f"'{channel}' appears twice", field=where)
            seen.append(str(channel))
        # No channel named: any channel.
        values["channels"] = seen or None
    direction = values["direction"]
    if direction is not None and (
        not isinstance(direction, str) or direction not in _values(Direction)
    ):
        raise InvalidValue(_one_of("A direction", Direction), field="event.direction")


def _check_field_changed(values: dict[str, Any]) -> None:
    code = values["field"]
    if not isinstance(code, str) or not code.strip() or len(code) > 63:
        raise InvalidValue("The code of a custom field of the item", field="event.field")
    values["field"] = code.strip()


def _check_payment(values: dict[str, Any]) -> None:
    minimum = values["min_amount"]
    if minimum is not None:
        amount = parse_amount(minimum, where="event.min_amount")
        if amount <= 0:
            raise InvalidValue("The minimum is an amount above zero", field="event.min_amount")
        # Kept as text: exact in JSON.
        values["min_amount"] = str(amount)
    if not isinstance(values["paid_in_full"], bool):
        raise InvalidValue("true or false", field="event.paid_in_full")


def _nothing(values: dict[str, Any]) -> None:
    return None


_CHECKS = {
    TriggerEvent.COMMUNICATION_RECEIVED: _check_communication,
    TriggerEvent.TASK_COMPLETED: _nothing,
    TriggerEvent.FIELD_CHANGED: _check_field_changed,
    TriggerEvent.PAYMENT_REGISTERED: _check_payment,
    TriggerEvent.WEBHOOK: _nothing,
}


def min_amount(params: Mapping[str, Any]) -> Decimal | None:
    """A payment trigger's minimum, as stored by ``normalize_params``."""
    raw = params.get("min_amount")
    return None if raw is None else Decimal(raw)


def check_order(current_ids: list[int], wanted_ids: list[int]) -> None:
    """Refuse a new order of a stage's triggers unless it names each of them exactly once."""
    definitions.check_order(
        current_ids, wanted_ids, noun="trigger", place="stage", field="trigger_ids"
    )


def _values(cls: type[enum.StrEnum]) -> list[str]:
    return [m.value for m in cls]


def _one_of(what: str, cls: type[enum.StrEnum]) -> str:
    return f"{what}: {', '.join(_values(cls))}"
