"""What a kanban board reads beyond the items themselves: each stage's totals and which
items wait in an assignment queue."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conveyor.domain.crm_items import ItemQuery
from conveyor.domain.stage_totals import StageTotal
from conveyor.storage.repositories.crm import item_conditions
from conveyor.storage.tables.assignment import assignment_queue as queue
from conveyor.storage.tables.crm import crm_items

#: Amounts have two decimals. SQLite keeps and sums them as floating point, exact to the
#: cent below about 10**13; PostgreSQL's sums are exact.
_CENT = Decimal("0.01")


class KanbanRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def stage_totals(self, query: ItemQuery) -> list[StageTotal]:
        """Per stage and currency, how many items ``query`` matches and their amounts
        summed: one grouped query, whatever the number of items."""
        c = crm_items.c
        grouped = (
            select(c.stage_id, c.currency, func.count(), func.sum(c.amount))
            .where(*item_conditions(query))
            .group_by(c.stage_id, c.currency)
            .order_by(c.stage_id, c.currency)
        )
        return [
            StageTotal(
                stage_id=stage_id,
                currency=currency,
                count=count,
                amount=None if amount is None else Decimal(amount).quantize(_CENT),
            )
            for stage_id, currency, count, amount in self.session.execute(grouped)
        ]

    def waiting_items(self, entity_type: str, item_ids: Collection[int]) -> set[int]:
        """Those of ``item_ids`` (of ``entity_type``) waiting in some rule's queue."""
        if not item_ids:
            return set()
        q = queue.c
        query = (
            select(q.item_id)
            .distinct()
            .where(q.entity_type == entity_type, q.item_id.in_(list(item_ids)))
        )
        return set(self.session.scalars(query))
