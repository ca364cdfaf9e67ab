"""Finish-to-start dependencies between tasks (``domain/task_dependencies.py``)."""

from sqlalchemy import Column, ForeignKey, Index, Integer, Table, UniqueConstraint

from conveyor.domain.task_dependencies import LagUnit
from conveyor.storage.tables.base import Id, metadata
from conveyor.storage.types import UtcDateTime, enum_of

task_dependencies = Table(
    "task_dependencies",
    metadata,
    Column("id", Id, primary_key=True),
    # A dependency goes with either of its tasks.
    Column("predecessor_id", Id, ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False),
    Column("successor_id", Id, ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False),
    Column("lag", Integer, nullable=False),
    Column("lag_unit", enum_of(LagUnit), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # One dependency per pair; it also serves "what follows these tasks".
    UniqueConstraint("predecessor_id", "successor_id"),
    # "What does this task wait for".
    Index("ix_task_dependencies_successor", "successor_id"),
)
