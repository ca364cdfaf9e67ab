"""Call distributions (scheduled hand-outs of companies to call) and their runs."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from conveyor.domain.call_distribution_runs import RunTrigger
from conveyor.storage.tables.base import Id, metadata
from conveyor.storage.types import JsonDict, JsonList, UtcDateTime, enum_of

call_distributions = Table(
    "call_distributions",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("schedule", String(100), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("enabled", Boolean, nullable=False),
    # A distribution pins its list and people: they cannot go while it names them.
    Column("managers_list_id", Id, ForeignKey("lists.id", ondelete="RESTRICT"), nullable=False),
    Column("employee_column", String(63), nullable=False),
    Column("managers_where", JsonDict, nullable=False),
    Column("per_manager", Integer, nullable=False),
    Column("company_responsible_id", Id, ForeignKey("employees.id", ondelete="RESTRICT")),
    Column("quiet_days", Integer),
    Column("task_title", String(300), nullable=False),
    Column("task_description", Text, nullable=False),
    Column("deadline_working_days", Integer, nullable=False),
    Column("creator_id", Id, ForeignKey("employees.id", ondelete="RESTRICT"), nullable=False),
    # Cursors are positions, not links: the company or element they name may be gone.
    Column("company_cursor", Id),
    Column("manager_cursor", Id),
    Column("next_run_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # "Which distributions are due" reads the head of this index (NULL: disabled).
    Index("ix_call_distributions_next_run_at", "next_run_at"),
)

call_distribution_runs = Table(
    "call_distribution_runs",
    metadata,
    Column("id", Id, primary_key=True),
    Column(
        "distribution_id",
        Id,
        ForeignKey("call_distributions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("occurrence", UtcDateTime, nullable=False),
    Column("trigger", enum_of(RunTrigger), nullable=False),
    Column("actor_id", Id, ForeignKey("employees.id", ondelete="SET NULL")),
    Column("ran_at", UtcDateTime, nullable=False),
    Column("companies_given", Integer, nullable=False),
    Column("given", JsonList, nullable=False),
    Column("skipped", JsonList, nullable=False),
    Column("company_cursor_before", Id),
    Column("company_cursor_after", Id),
    Column("manager_cursor_before", Id),
    Column("manager_cursor_after", Id),
    Column("wrapped", Boolean, nullable=False),
    Column("error", Text),
    # One run per occurrence, whoever asks how often: the key that makes runs idempotent.
    Index(
        "uq_call_distribution_runs_occurrence",
        "distribution_id",
        "occurrence",
        unique=True,
    ),
)
