"""Tasks and their co-executors and observers."""

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, text

from conveyor.domain.tasks import MemberRole, TaskStatus
from conveyor.storage.tables.base import Id, metadata
from conveyor.storage.types import UtcDateTime, enum_of

tasks = Table(
    "tasks",
    metadata,
    Column("id", Id, primary_key=True),
    Column("title", String(300), nullable=False),
    Column("description", Text, nullable=False),
    Column("creator_id", Id, ForeignKey("employees.id", ondelete="RESTRICT"), nullable=False),
    Column("responsible_id", Id, ForeignKey("employees.id", ondelete="RESTRICT"), nullable=False),
    Column("status", enum_of(TaskStatus), nullable=False),
    Column("deadline", UtcDateTime),
    Column("requires_acceptance", Boolean, nullable=False),
    Column("item_id", Id, ForeignKey("crm_items.id", ondelete="SET NULL"), index=True),
    Column("company_id", Id, ForeignKey("companies.id", ondelete="SET NULL"), index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("status_changed_at", UtcDateTime, nullable=False),
    Column("completed_at", UtcDateTime),
    Column("start_at", UtcDateTime),
    Column("remind_before_hours", Integer),
    # The return the current work answers to (``Task.return_comment``).
    Column("returned_at", UtcDateTime),
    Column("returned_by_id", Id, ForeignKey("employees.id", ondelete="SET NULL")),
    Column("return_comment", Text),
    # Per-employee counters each read one of these (see TaskRepository.counter_queries).
    Index("ix_tasks_responsible_status_deadline", "responsible_id", "status", "deadline"),
    # Only completed tasks: "completed in a period" reads a range of one employee's history,
    # and the planners cannot mistake it for an index of open work.
    Index(
        "ix_tasks_responsible_completed",
        "responsible_id",
        "completed_at",
        postgresql_where=text("completed_at IS NOT NULL"),
        sqlite_where=text("completed_at IS NOT NULL"),
    ),
    Index("ix_tasks_creator_status", "creator_id", "status"),
)

task_members = Table(
    "task_members",
    metadata,
    Column("task_id", Id, ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("employee_id", Id, ForeignKey("employees.id", ondelete="CASCADE"), primary_key=True),
    Column("role", enum_of(MemberRole), primary_key=True),
    Index("ix_task_members_employee", "employee_id", "role"),
)
