"""Payments on leads and deals: register one (the item's payment triggers fire in the same
transaction), list them.

Whoever sees an item may register a payment on it and read its payments (external
partners: only on the items they are responsible for; other items do not exist for them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from conveyor.domain.actors import Actor
from conveyor.domain.crm_items import CrmItem, check_currency
from conveyor.domain.errors import NotFound
from conveyor.domain.pages import Page
from conveyor.domain.payments import (
    Payment,
    check_note,
    check_paid_at,
    check_payment_amount,
)
from conveyor.domain.pipelines import EntityType
from conveyor.services import trigger_firing
from conveyor.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class RegisterPayment:
    #: Raw input, checked by ``check_payment_amount``: above zero, two decimals at most.
    amount: object
    #: ISO 4217; ``None``: the item's currency.
    currency: str | None = None
    #: When the money came in; ``None``: now.
    paid_at: datetime | None = None
    note: str | None = None


def register_payment(
    uow: UnitOfWork,
    entity_type: EntityType,
    item_id: int,
    command: RegisterPayment,
    *,
    actor: Actor,
    now: datetime,
) -> Payment:
    """Register a payment on the item; emits ``PaymentRegistered``. The item's
    ``payment_registered`` triggers fire in this same transaction: a move they make (or
    record as refused) commits with the payment."""
    amount = check_payment_amount(command.amount)
    paid_at = check_paid_at(command.paid_at or now, now=now)
    note = check_note(command.note)
    with uow:
        item = _visible(uow, entity_type, item_id, actor, for_update=True)
        currency = item.currency if command.currency is None else check_currency(command.currency)
        payment = uow.payments.add(
            Payment(
                entity_type=entity_type.value,
                item_id=item_id,
                amount=amount,
                currency=currency,
                paid_at=paid_at,
                note=note,
                registered_by_id=actor.employee_id or None,
                created_at=now,
            )
        )
        uow.emit(payment.registered())
        trigger_firing.payment_registered(uow, item, payment, now=now)
        uow.commit()
    return payment


def list_payments(
    uow: UnitOfWork,
    entity_type: EntityType,
    item_id: int,
    *,
    actor: Actor,
    limit: int,
    offset: int,
) -> Page[Payment]:
    """The item's payments, newest first (by when they were paid)."""
    with uow:
        _visible(uow, entity_type, item_id, actor)
        repository = uow.payments
        return repository.page(
            limit=limit,
            offset=offset,
            filters={"item_id": item_id},
            order_by=[repository.column("paid_at").desc(), repository.column("id").desc()],
        )


def _visible(
    uow: UnitOfWork,
    entity_type: EntityType,
    item_id: int,
    actor: Actor,
    *,
    for_update: bool = False,
) -> CrmItem:
    item = uow.items.find(item_id, for_update=for_update)
    if item is None or item.entity_type is not entity_type or not item.visible_to(actor):
        raise NotFound(entity_type.value, item_id)
    return item
