"""The outbox of domain events, read back: the newest id (what live pages watch) and one
entity's history."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conveyor.domain.events import StoredEvent
from conveyor.storage.repositories.base import Repository
from conveyor.storage.tables.system import events


class EventRepository(Repository[StoredEvent]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, StoredEvent, "event")

    def last_id(self) -> int:
        """The id of the newest event (0 with none): it grows with changes. On PostgreSQL a
        transaction may take an id and commit after a later one, so a reader may see that
        change only at the next one (live pages also refresh on a timer)."""
        return int(self.session.scalar(select(func.max(events.c.id))) or 0)

    def of_entity(self, entity: str, entity_id: int, *, limit: int = 200) -> list[StoredEvent]:
        """The entity's events, newest first."""
        query = (
            select(StoredEvent)
            .where(events.c.entity == entity, events.c.entity_id == entity_id)
            .order_by(events.c.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(query))

    def of_entities(
        self, entity: str, entity_ids: Collection[int], *, limit: int = 200
    ) -> list[StoredEvent]:
        """The events of several entities of one kind (an item's robot runs), newest first."""
        if not entity_ids:
            return []
        query = (
            select(StoredEvent)
            .where(events.c.entity == entity, events.c.entity_id.in_(sorted(entity_ids)))
            .order_by(events.c.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(query))
