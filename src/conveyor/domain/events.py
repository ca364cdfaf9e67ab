"""Domain events: what happened, written to the outbox in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """A past-tense fact about one entity, e.g. ``DealEnteredStage`` for deal 42.

    ``payload`` holds JSON-able values only (str, int, float, bool, None, lists, dicts).
    """

    type: str
    entity: str
    entity_id: int
    occurred_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(kw_only=True)
class StoredEvent:
    """An outbox row: a domain event with its sequence number."""

    id: int | None = None
    type: str
    entity: str
    entity_id: int
    occurred_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, event: DomainEvent) -> StoredEvent:
        return cls(
            type=event.type,
            entity=event.entity,
            entity_id=event.entity_id,
            occurred_at=event.occurred_at,
            payload=dict(event.payload),
        )
