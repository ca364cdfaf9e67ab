"""Task robots: the definitions per task status, and their runs per status entry."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from conveyor.domain.robot_runs import RunState
from conveyor.domain.robots import TimeUnit, TimingKind
from conveyor.domain.task_robot_params import TaskActionKind
from conveyor.domain.task_robot_runs import Reason
from conveyor.domain.tasks import TaskStatus
from conveyor.storage.tables.base import Id, metadata
from conveyor.storage.types import JsonDict, UtcDateTime, enum_of

task_robots = Table(
    "task_robots",
    metadata,
    Column("id", Id, primary_key=True),
    Column("status", enum_of(TaskStatus), nullable=False),
    Column("position", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("enabled", Boolean, nullable=False),
    # A department watched by robots is not deleted under them: losing the scope would make
    # a robot watch every task of the company, losing the robot would lose set-up silently.
    Column("department_id", Id, ForeignKey("departments.id", ondelete="RESTRICT"), index=True),
    Column("condition", Text),
    Column("timing_kind", enum_of(TimingKind), nullable=False),
    Column("delay_amount", Integer, nullable=False),
    Column("delay_unit", enum_of(TimeUnit)),
    Column("working_hours_only", Boolean, nullable=False),
    Column("timing_field", String(63)),
    Column("timing_working", Boolean, nullable=False),
    Column("action", enum_of(TaskActionKind, length=30), nullable=False),
    Column("params", JsonDict, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # A task entering a status reads its robots in order.
    Index("ix_task_robots_status_position", "status", "position"),
)

task_robot_runs = Table(
    "task_robot_runs",
    metadata,
    Column("id", Id, primary_key=True),
    # Runs are history: they outlive a deleted robot (its id, version and name stay readable).
    Column("robot_id", Id, nullable=False),
    Column("robot_version", Integer, nullable=False),
    Column("robot_name", String(200), nullable=False),
    Column("task_id", Id, ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False),
    Column("status", enum_of(TaskStatus), nullable=False),
    Column("status_changed_at", UtcDateTime, nullable=False),
    Column("state", enum_of(RunState), nullable=False),
    # NULL: waiting for the deadline its timing follows.
    Column("due_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    Column("reason", enum_of(Reason, length=30)),
    Column("detail", Text),
    Column("data", JsonDict, nullable=False),
    # The entry key: a robot runs at most once per status entry of a task, whoever replays.
    UniqueConstraint("robot_id", "task_id", "status_changed_at", name="uq_task_robot_runs_entry"),
    # A task's runs (its history, and the pending ones a status change cancels).
    Index("ix_task_robot_runs_task_state", "task_id", "state"),
    # Scheduled runs past their due time: the few whose job may have died.
    Index("ix_task_robot_runs_state_due_at", "state", "due_at"),
    # A robot's waiting runs, cancelled when it is deleted.
    Index("ix_task_robot_runs_robot_state", "robot_id", "state"),
)
