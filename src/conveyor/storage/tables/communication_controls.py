"""Communication controls (service deals for silent companies) and their checks."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from conveyor.storage.tables.base import Id, metadata
from conveyor.storage.types import UtcDateTime

communication_controls = Table(
    "communication_controls",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("silent_days", Integer, nullable=False),
    # A control pins its pipeline, stage and creator: they cannot go while it names them.
    Column("pipeline_id", Id, ForeignKey("pipelines.id", ondelete="RESTRICT"), nullable=False),
    Column("stage_id", Id, ForeignKey("stages.id", ondelete="RESTRICT")),
    Column("deal_title", String(300), nullable=False),
    Column("task_title", String(300), nullable=False),
    Column("task_description", Text, nullable=False),
    Column("deadline_working_days", Integer, nullable=False),
    Column("creator_id", Id, ForeignKey("employees.id", ondelete="RESTRICT"), nullable=False),
    Column("schedule", String(100), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("next_run_at", UtcDateTime),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_communication_controls_next_run_at", "next_run_at"),
)

control_checks = Table(
    "communication_checks",
    metadata,
    Column("id", Id, primary_key=True),
    Column(
        "control_id",
        Id,
        ForeignKey("communication_controls.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("company_id", Id, ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    Column("last_communication_at", UtcDateTime),
    # The deal and the task stay the user's: deleting them leaves the check, unlinked.
    Column("item_id", Id, ForeignKey("crm_items.id", ondelete="SET NULL"), index=True),
    Column("task_id", Id, ForeignKey("tasks.id", ondelete="SET NULL"), index=True),
    Column("detail", Text, nullable=False),
    Column("checked_at", UtcDateTime, nullable=False),
    # "Has this company a deal of this control still open" probes this index per company.
    Index("ix_communication_checks_company", "control_id", "company_id"),
    # The control's checks, the latest first.
    Index("ix_communication_checks_at", "control_id", "checked_at"),
)
