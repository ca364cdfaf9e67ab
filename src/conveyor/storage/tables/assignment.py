"""Assignment: distribution rules."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
)

from conveyor.domain.distribution_rules import RuleEntity, RuleStrategy
from conveyor.storage.tables.base import Id, metadata
from conveyor.storage.types import JsonList, PointsByEmployee, UtcDateTime, enum_of

Points = Numeric(12, 3)

distribution_rules = Table(
    "distribution_rules",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("priority", Integer, nullable=False),
    Column("entity_type", enum_of(RuleEntity), nullable=False),
    # A rule pins its pipeline and stages: they cannot be deleted while it refers to them.
    Column("pipeline_id", Id, ForeignKey("pipelines.id", ondelete="RESTRICT")),
    Column("trigger_stage_id", Id, ForeignKey("stages.id", ondelete="RESTRICT")),
    Column("condition", Text),
    Column("target_field", String(63), nullable=False),
    Column("employee_ids", JsonList, nullable=False),
    Column("department_ids", JsonList, nullable=False),
    Column("include_subdepartments", Boolean, nullable=False),
    Column("excluded_ids", JsonList, nullable=False),
    Column("exclude_heads", Boolean, nullable=False),
    Column("allow_external", Boolean, nullable=False),
    Column("respect_absences", Boolean, nullable=False),
    Column("respect_day_status", Boolean, nullable=False),
    Column("respect_working_hours", Boolean, nullable=False),
    Column("default_capacity_points", Points),
    Column("capacity_overrides", PointsByEmployee, nullable=False),
    Column("in_work_stage_ids", JsonList, nullable=False),
    Column("count_open_tasks", Boolean, nullable=False),
    Column("weight", Text, nullable=False),
    Column("strategy", enum_of(RuleStrategy), nullable=False),
    Column("skill_field", String(63)),
    Column("never_previous_owner", Boolean, nullable=False),
    Column("look_ahead_days", Integer),
    Column("next_stage_id", Id, ForeignKey("stages.id", ondelete="RESTRICT")),
    Column("escalate_after_minutes", Integer),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # The engine's question when an item enters a stage: which enabled rules start here?
    Index("ix_distribution_rules_trigger", "entity_type", "trigger_stage_id", "enabled"),
    Index("ix_distribution_rules_pipeline", "pipeline_id"),
)
