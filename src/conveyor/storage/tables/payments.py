"""Payments registered on leads and deals."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Numeric, String, Table, Text

from conveyor.storage.tables.base import Id, metadata
from conveyor.storage.types import UtcDateTime

payments = Table(
    "payments",
    metadata,
    Column("id", Id, primary_key=True),
    Column("entity_type", String(16), nullable=False),
    # A payment is the item's history: it goes with the item.
    Column("item_id", Id, ForeignKey("crm_items.id", ondelete="CASCADE"), nullable=False),
    # As the items' own amount: 16 digits before the point, 2 after.
    Column("amount", Numeric(18, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("paid_at", UtcDateTime, nullable=False),
    Column("note", Text),
    Column("registered_by_id", Id, ForeignKey("employees.id", ondelete="SET NULL")),
    Column("created_at", UtcDateTime, nullable=False),
    # An item's payments in the order they came in.
    Index("ix_payments_item_paid_at", "item_id", "paid_at"),
)
