"""Payments registered on a lead or deal: money that came in, a fact kept as it was told.

A payment is append-only, like a communication: a refund or a correction is a matter for
the accounting system, not a rewrite of what was registered. Amounts are exact decimals,
above zero, with at most two decimal places; the currency defaults to the item's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from conveyor.domain.errors import InvalidValue
from conveyor.domain.events import DomainEvent
from conveyor.domain.field_types import parse_amount
from conveyor.domain.moments import check_moment

MAX_NOTE = 2000
#: Clocks of payment systems drift; a payment "a minute from now" is not a lie.
FUTURE_TOLERANCE = timedelta(minutes=5)


@dataclass(kw_only=True)
class Payment:
    id: int | None = None
    entity_type: str
    item_id: int
    amount: Decimal
    currency: str
    #: When the money came in (told by the caller; the registration moment by default).
    paid_at: datetime
    note: str | None = None
    #: Who registered it (``None``: the system).
    registered_by_id: int | None = None
    created_at: datetime

    def registered(self) -> DomainEvent:
        """``PaymentRegistered``, about the item."""
        assert self.id is not None, "a payment gets its id when it is added"
        return DomainEvent(
            type="PaymentRegistered",
            entity=self.entity_type,
            entity_id=self.item_id,
            occurred_at=self.created_at,
            payload={
                "payment_id": self.id,
                "amount": str(self.amount),
                "currency": self.currency,
                "paid_at": self.paid_at.isoformat(),
                "registered_by_id": self.registered_by_id,
            },
        )


def check_payment_amount(raw: object) -> Decimal:
    """An amount above zero, with at most two decimal places."""
    amount = parse_amount(raw, where="amount")
    if amount <= 0:
        raise InvalidValue("A payment is an amount above zero", field="amount")
    return amount


def check_paid_at(moment: datetime, *, now: datetime) -> datetime:
    """When the money came in: aware, and not in the future beyond the tolerance."""
    moment = check_moment(moment, field="paid_at")
    if moment > now + FUTURE_TOLERANCE:
        raise InvalidValue("A payment cannot be registered as paid in the future", field="paid_at")
    return moment


def check_note(note: str | None) -> str | None:
    if note is None or not note.strip():
        return None
    if len(note) > MAX_NOTE:
        raise InvalidValue(f"A note has at most {MAX_NOTE} characters", field="note")
    return note.strip()


def paid_total(payments: list[Payment], currency: str) -> Decimal:
    """What ``payments`` add up to in ``currency`` (the others are not converted)."""
    return sum((p.amount for p in payments if p.currency == currency), Decimal("0.00"))
