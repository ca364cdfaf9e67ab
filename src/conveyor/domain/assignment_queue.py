"""The waiting queue: stage entries a rule could not give to anyone yet.

When nobody in a rule's pool is free, the entry's decision is recorded as ``nobody_free``
and the entry waits in the rule's queue. It leaves the queue when it is assigned (the same
decision then becomes ``assigned``), or when the item is no longer at that stage entry
(moved on, closed, deleted) — whichever comes first. Waiting entries are tried in the order
(priority, highest first; then the longest waiting), and the entry key (item, stage,
``stage_entered_at``) is the queue's unique key too, so an entry waits at most once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from conveyor.domain.events import DomainEvent


@dataclass(kw_only=True)
class WaitingEntry:
    """One stage entry waiting for a free employee under one rule."""

    id: int | None = None
    rule_id: int
    entity_type: str
    item_id: int
    stage_id: int | None = None
    stage_entered_at: datetime
    #: The entry's decision (outcome ``nobody_free`` while it waits).
    decision_id: int
    #: The item's weight in points when it was last weighed (a first look at whether it
    #: fits; it is weighed afresh before it is assigned).
    weight: Decimal
    priority: int = 0
    queued_at: datetime
    attempts: int = 0
    last_attempt_at: datetime | None = None
    escalated_at: datetime | None = None

    def tried(self, now: datetime) -> None:
        self.attempts += 1
        self.last_attempt_at = now

    def waited(self, now: datetime) -> timedelta:
        return now - self.queued_at

    def due_for_escalation(self, after_minutes: int | None, now: datetime) -> bool:
        """Waiting longer than ``after_minutes`` and nobody told yet."""
        return (
            after_minutes is not None
            and self.escalated_at is None
            and self.waited(now) >= timedelta(minutes=after_minutes)
        )

    def escalate(self, head_ids: list[int], rule_name: str, now: datetime) -> DomainEvent:
        """Mark the entry escalated; the event names the heads to notify."""
        self.escalated_at = now
        return DomainEvent(
            type="AssignmentEscalated",
            entity=self.entity_type,
            entity_id=self.item_id,
            occurred_at=now,
            payload={
                "rule_id": self.rule_id,
                "rule_name": rule_name,
                "decision_id": self.decision_id,
                "stage_id": self.stage_id,
                "waiting_since": self.queued_at.isoformat(),
                "waited_minutes": int(self.waited(now).total_seconds() // 60),
                "head_ids": head_ids,
            },
        )

    def left(self, why: str, now: datetime) -> DomainEvent:
        """The entry left the queue without being assigned (the item moved on)."""
        return DomainEvent(
            type="AssignmentWaitingEnded",
            entity=self.entity_type,
            entity_id=self.item_id,
            occurred_at=now,
            payload={"rule_id": self.rule_id, "decision_id": self.decision_id, "why": why},
        )


@dataclass(frozen=True, kw_only=True)
class QueueCounts:
    """A rule's queue at a glance: how many wait, since when, how many were escalated."""

    rule_id: int
    rule_name: str
    waiting: int
    oldest_queued_at: datetime | None
    escalated: int
