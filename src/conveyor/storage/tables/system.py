"""The outbox of domain events."""

from sqlalchemy import Column, Index, String, Table

from conveyor.storage.tables.base import Id, metadata
from conveyor.storage.types import JsonDict, UtcDateTime

events = Table(
    "events",
    metadata,
    Column("id", Id, primary_key=True),
    Column("type", String(100), nullable=False),
    Column("entity", String(50), nullable=False),
    Column("entity_id", Id, nullable=False),
    Column("payload", JsonDict, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Index("ix_events_entity", "entity", "entity_id", "id"),
)
