"""Notifications: the in-app feed, outward deliveries with every attempt, webhook endpoints."""

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table

from conveyor.domain.notifications import MAX_ERROR, Channel, DeliveryState
from conveyor.storage.tables.base import Id, metadata
from conveyor.storage.types import JsonDict, JsonList, UtcDateTime, enum_of

notifications = Table(
    "notifications",
    metadata,
    Column("id", Id, primary_key=True),
    Column("recipient_id", Id, ForeignKey("employees.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(50), nullable=False),
    Column("params", JsonDict, nullable=False),
    Column("link_entity", String(50)),
    Column("link_id", Id),
    Column("created_at", UtcDateTime, nullable=False),
    Column("read_at", UtcDateTime),
    # The feed, newest first; the unread count and "unread only" read the same index.
    Index("ix_notifications_recipient", "recipient_id", "id"),
    Index("ix_notifications_recipient_unread", "recipient_id", "read_at"),
)

webhooks = Table(
    "webhooks",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("secret", String(200), nullable=False),
    Column("kinds", JsonList, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Id, primary_key=True),
    Column(
        "notification_id",
        Id,
        ForeignKey("notifications.id", ondelete="CASCADE"),
        # None: a message of its own (``content``), not a notification's.
        nullable=True,
        index=True,
    ),
    Column("channel", enum_of(Channel, 10), nullable=False),
    Column("address", String(2000), nullable=False),
    Column("webhook_id", Id, ForeignKey("webhooks.id", ondelete="SET NULL"), index=True),
    Column("state", enum_of(DeliveryState, 10), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", String(MAX_ERROR)),
    Column("next_attempt_at", UtcDateTime),
    Column("sent_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("content", JsonDict),
    # What is due: pending deliveries by due time (finished ones have no due time).
    Index("ix_deliveries_due", "next_attempt_at", "state"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", Id, primary_key=True),
    Column(
        "delivery_id",
        Id,
        ForeignKey("deliveries.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("at", UtcDateTime, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("error", String(MAX_ERROR)),
)
