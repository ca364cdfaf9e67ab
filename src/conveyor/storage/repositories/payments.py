"""The repository of payments."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.domain.payments import Payment
from conveyor.storage.repositories.base import Repository
from conveyor.storage.tables.payments import payments


class PaymentRepository(Repository[Payment]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Payment, "payment")

    def of_item(self, item_id: int) -> list[Payment]:
        """Every payment of the item, in the order they came in."""
        query = (
            select(Payment)
            .where(payments.c.item_id == item_id)
            .order_by(payments.c.paid_at, payments.c.id)
        )
        return list(self.session.scalars(query))
