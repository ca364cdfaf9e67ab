"""What happened to an item, as a trigger sees it: one class per ``TriggerEvent``.

An occurrence ``matches`` a trigger's parameters or not (a call against a trigger for
emails does not concern it at all: no run is recorded); ``data`` is what a run keeps of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Protocol

from conveyor.domain.field_types import is_empty
from conveyor.domain.triggers import TriggerEvent, min_amount


class Occurrence(Protocol):
    event: ClassVar[TriggerEvent]

    def matches(self, params: Mapping[str, Any]) -> bool: ...

    def data(self) -> dict[str, Any]: ...


@dataclass(frozen=True, kw_only=True)
class CommunicationReceived:
    """A communication logged for the item, or for its contact or company."""

    event: ClassVar[TriggerEvent] = TriggerEvent.COMMUNICATION_RECEIVED
    communication_id: int
    channel: str
    direction: str

    def matches(self, params: Mapping[str, Any]) -> bool:
        channels = params.get("channels")
        direction = params.get("direction")
        return (channels is None or self.channel in channels) and (
            direction is None or self.direction == direction
        )

    def data(self) -> dict[str, Any]:
        return {
            "communication_id": self.communication_id,
            "channel": self.channel,
            "direction": self.direction,
        }


@dataclass(frozen=True, kw_only=True)
class TaskCompleted:
    """A task linked to the item reached ``completed``."""

    event: ClassVar[TriggerEvent] = TriggerEvent.TASK_COMPLETED
    task_id: int

    def matches(self, params: Mapping[str, Any]) -> bool:
        return True

    def data(self) -> dict[str, Any]:
        return {"task_id": self.task_id}


@dataclass(frozen=True, kw_only=True)
class FieldChanged:
    """A custom field of the item changed from ``before`` to ``after`` (normalised values,
    ``None`` when empty)."""

    event: ClassVar[TriggerEvent] = TriggerEvent.FIELD_CHANGED
    field: str
    before: Any
    after: Any

    def matches(self, params: Mapping[str, Any]) -> bool:
        """The trigger's field changed to its value; a trigger without a value reacts to
        any new value that is not empty."""
        if params.get("field") != self.field or _same(self.before, self.after):
            return False
        wanted = params.get("value")
        if wanted is None:
            return not is_empty(self.after)
        return _same(self.after, wanted)

    def data(self) -> dict[str, Any]:
        return {"field": self.field, "from": self.before, "to": self.after}


@dataclass(frozen=True, kw_only=True)
class PaymentRegistered:
    """A payment registered on the item. ``paid_total`` sums the item's payments in the
    item's currency, this one included."""

    event: ClassVar[TriggerEvent] = TriggerEvent.PAYMENT_REGISTERED
    payment_id: int
    amount: Decimal
    currency: str
    paid_total: Decimal
    item_amount: Decimal | None
    item_currency: str

    def matches(self, params: Mapping[str, Any]) -> bool:
        """``min_amount``: this payment, in the item's currency, is at least that much;
        ``paid_in_full``: the item has an amount and its payments cover it."""
        minimum = min_amount(params)
        if minimum is not None and (self.currency != self.item_currency or self.amount < minimum):
            return False
        return not params.get("paid_in_full") or self.paid_in_full

    @property
    def paid_in_full(self) -> bool:
        return self.item_amount is not None and self.paid_total >= self.item_amount

    def data(self) -> dict[str, Any]:
        return {
            "payment_id": self.payment_id,
            "amount": str(self.amount),
            "currency": self.currency,
            "paid_total": str(self.paid_total),
            "item_amount": None if self.item_amount is None else str(self.item_amount),
        }


@dataclass(frozen=True, kw_only=True)
class HookCalled:
    """An outside system called the trigger's own URL for the item."""

    event: ClassVar[TriggerEvent] = TriggerEvent.WEBHOOK

    def matches(self, params: Mapping[str, Any]) -> bool:
        return True

    def data(self) -> dict[str, Any]:
        return {}


def _same(a: Any, b: Any) -> bool:
    """Equal as field values: ``True`` is not ``1`` (a JSON boolean is no number)."""
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b
