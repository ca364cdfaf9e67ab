"""Universal lists and their elements."""

from sqlalchemy import Column, ForeignKey, Index, String, Table

from conveyor.storage.tables.base import Id, metadata
from conveyor.storage.types import JsonDict, JsonList, UtcDateTime

lists = Table(
    "lists",
    metadata,
    Column("id", Id, primary_key=True),
    Column("code", String(63), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("columns", JsonList, nullable=False),
)

list_elements = Table(
    "list_elements",
    metadata,
    Column("id", Id, primary_key=True),
    Column("list_id", Id, ForeignKey("lists.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(300), nullable=False),
    Column("name_key", String(1200), nullable=False),
    Column("values", JsonDict, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_list_elements_list", "list_id", "id"),
)
