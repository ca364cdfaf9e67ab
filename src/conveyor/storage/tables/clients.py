"""Contacts, companies and the communications log."""

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text

from conveyor.domain.communications import CommunicationKind, Direction
from conveyor.storage.tables.base import Id, metadata
from conveyor.storage.types import JsonDict, UtcDateTime, enum_of

companies = Table(
    "companies",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(300), nullable=False),
    # Case-folded name for searches; folding may lengthen a name (ß -> ss).
    Column("name_key", String(1200), nullable=False),
    Column("responsible_id", Id, ForeignKey("employees.id", ondelete="SET NULL"), index=True),
    Column("fields", JsonDict, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

contacts = Table(
    "contacts",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(300), nullable=False),
    Column("name_key", String(1200), nullable=False),
    Column("email", String(320)),
    Column("phone", String(50)),
    Column("company_id", Id, ForeignKey("companies.id", ondelete="SET NULL"), index=True),
    Column("responsible_id", Id, ForeignKey("employees.id", ondelete="SET NULL"), index=True),
    Column("fields", JsonDict, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

communications = Table(
    "communications",
    metadata,
    Column("id", Id, primary_key=True),
    Column("kind", enum_of(CommunicationKind), nullable=False),
    Column("direction", enum_of(Direction), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("subject", String(500)),
    Column("body", Text),
    Column("employee_id", Id, ForeignKey("employees.id", ondelete="SET NULL")),
    # A call with a contact about a deal stays in the contact's log when the deal goes:
    # links are cleared, and a communication left with none is deleted by the service
    # (CommunicationRepository.delete_unlinked).
    Column("contact_id", Id, ForeignKey("contacts.id", ondelete="SET NULL")),
    Column("company_id", Id, ForeignKey("companies.id", ondelete="SET NULL")),
    Column("item_id", Id, ForeignKey("crm_items.id", ondelete="SET NULL")),
    Column("created_at", UtcDateTime, nullable=False),
    # "Last communication with company C" reads one index entry; the id settles ties the
    # same way on both databases (SQLite's rowid is in every index anyway).
    Index("ix_communications_company_at", "company_id", "occurred_at", "id"),
    Index("ix_communications_contact_at", "contact_id", "occurred_at", "id"),
    Index("ix_communications_item_at", "item_id", "occurred_at", "id"),
    # The unfiltered log, newest first.
    Index("ix_communications_at", "occurred_at", "id"),
)
