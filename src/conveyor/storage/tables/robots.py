"""Robots: the definitions at each stage, and their runs per stage entry."""

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

from conveyor.domain.pipelines import EntityType
from conveyor.domain.robot_params import ActionKind
from conveyor.domain.robot_runs import Reason, RunState
from conveyor.domain.robots import TimeUnit, TimingKind
from conveyor.storage.tables.base import Id, metadata
from conveyor.storage.types import JsonDict, UtcDateTime, enum_of

robots = Table(
    "robots",
    metadata,
    Column("id", Id, primary_key=True),
    Column("entity_type", enum_of(EntityType), nullable=False),
    # Robots are part of their stage's set-up: they go when the stage (or pipeline) goes.
    Column("pipeline_id", Id, ForeignKey("pipelines.id", ondelete="CASCADE"), nullable=False),
    Column("stage_id", Id, ForeignKey("stages.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("condition", Text),
    Column("timing_kind", enum_of(TimingKind), nullable=False),
    Column("delay_amount", Integer, nullable=False),
    Column("delay_unit", enum_of(TimeUnit)),
    Column("working_hours_only", Boolean, nullable=False),
    # A timing at / before / after a date field: the field's code, and whether the amount
    # counts working time.
    Column("timing_field", String(63)),
    Column("timing_working", Boolean, nullable=False),
    Column("action", enum_of(ActionKind, length=30), nullable=False),
    Column("params", JsonDict, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # An item entering a stage reads its robots in order.
    Index("ix_robots_stage_position", "stage_id", "position"),
)

robot_runs = Table(
    "robot_runs",
    metadata,
    Column("id", Id, primary_key=True),
    # Runs are history: they outlive a deleted robot (its id, version and name stay readable).
    Column("robot_id", Id, nullable=False),
    Column("robot_version", Integer, nullable=False),
    Column("robot_name", String(200), nullable=False),
    Column("entity_type", String(16), nullable=False),
    Column("item_id", Id, ForeignKey("crm_items.id", ondelete="CASCADE"), nullable=False),
    Column("stage_id", Id, nullable=False),
    Column("stage_entered_at", UtcDateTime, nullable=False),
    Column("state", enum_of(RunState), nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    Column("reason", enum_of(Reason, length=30)),
    Column("detail", Text),
    Column("data", JsonDict, nullable=False),
    # The entry key: a robot runs at most once per stage entry of an item, whoever replays.
    UniqueConstraint("robot_id", "item_id", "stage_entered_at", name="uq_robot_runs_entry"),
    # An item's runs (its history, and the pending ones a move cancels).
    Index("ix_robot_runs_item_state", "item_id", "state"),
    # Scheduled runs past their due time: the few whose job may have died.
    Index("ix_robot_runs_state_due_at", "state", "due_at"),
)
