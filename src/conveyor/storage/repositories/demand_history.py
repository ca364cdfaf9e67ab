"""The reads behind a replay of the company's own demand: items of a period and the stages
they went through.

Stage history lives in the outbox: every creation (``DealCreated``) and stage entry
(``DealEnteredStage``) wrote an event with the stage in its payload, in the same
transaction as the change. One statement reads a period's entries for a whole entity type.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.domain.crm_items import CrmItem
from conveyor.domain.pipelines import EntityType
from conveyor.storage.tables.crm import crm_items
from conveyor.storage.tables.system import events


@dataclass(frozen=True, kw_only=True, slots=True)
class StageEntry:
    """Item ``item_id`` was placed in ``stage_id`` at ``at`` (created there or moved)."""

    item_id: int
    stage_id: int
    at: datetime


class DemandHistoryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def created_between(
        self, entity_type: EntityType, since: datetime, until: datetime
    ) -> list[CrmItem]:
        """Leads or deals created in ``[since, until)``, oldest first."""
        c = crm_items.c
        query = (
            select(CrmItem)
            .where(c.entity_type == entity_type, c.created_at >= since, c.created_at < until)
            .order_by(c.created_at, c.id)
        )
        return list(self.session.scalars(query))

    def entered_between(self, stage_id: int, since: datetime, until: datetime) -> list[CrmItem]:
        """Items sitting in ``stage_id`` that entered it in ``[since, until)``."""
        c = crm_items.c
        query = select(CrmItem).where(
            c.stage_id == stage_id, c.stage_entered_at >= since, c.stage_entered_at < until
        )
        return list(self.session.scalars(query.order_by(c.stage_entered_at, c.id)))

    def items(self, item_ids: Collection[int]) -> list[CrmItem]:
        """The leads and deals with these ids, by id."""
        if not item_ids:
            return []
        query = select(CrmItem).where(crm_items.c.id.in_(list(item_ids)))
        return list(self.session.scalars(query.order_by(crm_items.c.id)))

    def stage_entries(self, entity_type: EntityType, since: datetime) -> list[StageEntry]:
        """Every creation and stage entry of ``entity_type`` items from ``since`` on, by item
        and time (events without a stage in their payload are skipped)."""
        kind = entity_type.value.capitalize()
        e = events.c
        query = (
            select(e.entity_id, e.payload, e.occurred_at)
            .where(
                e.entity == entity_type.value,
                e.type.in_([f"{kind}Created", f"{kind}EnteredStage"]),
                e.occurred_at >= since,
            )
            .order_by(e.entity_id, e.occurred_at, e.id)
        )
        entries = []
        for item_id, payload, at in self.session.execute(query):
            stage_id = payload.get("stage_id") if isinstance(payload, dict) else None
            if isinstance(stage_id, int) and not isinstance(stage_id, bool):
                entries.append(StageEntry(item_id=item_id, stage_id=stage_id, at=at))
        return entries
