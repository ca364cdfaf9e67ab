"""Triggers: the definitions at each target stage, and their runs per event and item."""

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
)

from conveyor.domain.pipelines import EntityType
from conveyor.domain.trigger_runs import Outcome
from conveyor.domain.triggers import TriggerEvent
from conveyor.storage.tables.base import Id, metadata
from conveyor.storage.types import JsonDict, UtcDateTime, enum_of

triggers = Table(
    "triggers",
    metadata,
    Column("id", Id, primary_key=True),
    Column("entity_type", enum_of(EntityType), nullable=False),
    # Triggers are part of their stage's set-up: they go when the stage (or pipeline) goes.
    Column("pipeline_id", Id, ForeignKey("pipelines.id", ondelete="CASCADE"), nullable=False),
    Column("stage_id", Id, ForeignKey("stages.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("condition", Text),
    Column("event", enum_of(TriggerEvent, length=30), nullable=False),
    Column("params", JsonDict, nullable=False),
    Column("allow_backwards", Boolean, nullable=False),
    # Shown to admins on the trigger, so kept as is (an API token is kept hashed: it is
    # shown once); compared in constant time on every call.
    Column("hook_secret", String(100)),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # A stage's list, in order.
    Index("ix_triggers_stage_position", "stage_id", "position"),
    # An event reads the triggers of the item's pipeline that react to it.
    Index("ix_triggers_pipeline_event", "pipeline_id", "event"),
)

trigger_runs = Table(
    "trigger_runs",
    metadata,
    Column("id", Id, primary_key=True),
    # Runs are history: they outlive a deleted trigger (its id, version and name stay readable).
    Column("trigger_id", Id, nullable=False),
    Column("trigger_version", Integer, nullable=False),
    Column("trigger_name", String(200), nullable=False),
    Column("entity_type", String(16), nullable=False),
    Column("item_id", Id, ForeignKey("crm_items.id", ondelete="CASCADE"), nullable=False),
    Column("event", String(30), nullable=False),
    Column("event_data", JsonDict, nullable=False),
    Column("outcome", enum_of(Outcome, length=30), nullable=False),
    Column("detail", Text, nullable=False),
    Column("from_stage_id", Id, nullable=False),
    Column("to_stage_id", Id, nullable=False),
    Column("depth", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # An item's runs, newest first.
    Index("ix_trigger_runs_item", "item_id", "id"),
)
