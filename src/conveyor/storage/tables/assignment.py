"""Assignment: distribution rules, their round-robin cursors and the recorded decisions."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from conveyor.domain.assignment_decisions import AssignmentOutcome
from conveyor.domain.distribution_rules import RuleEntity, RuleStrategy
from conveyor.storage.tables.base import Id, metadata
from conveyor.storage.types import JsonDict, JsonList, PointsByEmployee, UtcDateTime, enum_of

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
    Column("queue_priority", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # The engine's question when an item enters a stage: which enabled rules start here?
    Index("ix_distribution_rules_trigger", "entity_type", "trigger_stage_id", "enabled"),
    Index("ix_distribution_rules_pipeline", "pipeline_id"),
)

# Where round robin continues for a rule: the employee chosen last. Kept apart from the
# rule so that assigning never bumps the rule's version.
rule_cursors = Table(
    "rule_cursors",
    metadata,
    Column(
        "rule_id", Id, ForeignKey("distribution_rules.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("employee_id", Id, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

assignment_decisions = Table(
    "assignment_decisions",
    metadata,
    Column("id", Id, primary_key=True),
    # Decisions are history: they outlive a deleted rule (its id and version stay readable).
    Column("rule_id", Id, nullable=False),
    Column("rule_version", Integer, nullable=False),
    Column("entity_type", String(16), nullable=False),
    Column("item_id", Id, nullable=False),
    Column("stage_id", Id),
    Column("stage_entered_at", UtcDateTime, nullable=False),
    Column("decided_at", UtcDateTime, nullable=False),
    Column("chosen_id", Id, ForeignKey("employees.id", ondelete="RESTRICT")),
    Column("outcome", enum_of(AssignmentOutcome), nullable=False),
    Column("data", JsonDict, nullable=False),
    Column("sentence", Text, nullable=False),
    # The entry key: one stage entry of one item is decided at most once, whoever races.
    UniqueConstraint(
        "entity_type", "item_id", "stage_id", "stage_entered_at", name="uq_assignment_entry"
    ),
    Index("ix_assignment_decisions_item", "item_id", "decided_at"),
    Index("ix_assignment_decisions_rule", "rule_id", "decided_at"),
)

# Stage entries waiting for a free employee. The entry key is unique here too: an entry waits
# at most once, and leaves when assigned or when the item moves on.
assignment_queue = Table(
    "assignment_queue",
    metadata,
    Column("id", Id, primary_key=True),
    Column("rule_id", Id, ForeignKey("distribution_rules.id", ondelete="CASCADE"), nullable=False),
    Column("entity_type", String(16), nullable=False),
    Column("item_id", Id, nullable=False),
    Column("stage_id", Id),
    Column("stage_entered_at", UtcDateTime, nullable=False),
    Column(
        "decision_id",
        Id,
        ForeignKey("assignment_decisions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("weight", Points, nullable=False),
    Column("priority", Integer, nullable=False),
    Column("queued_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_attempt_at", UtcDateTime),
    Column("escalated_at", UtcDateTime),
    UniqueConstraint(
        "entity_type", "item_id", "stage_id", "stage_entered_at", name="uq_assignment_queue_entry"
    ),
    # The order entries are tried in: a rule's queue by priority, then age.
    Index("ix_assignment_queue_order", "rule_id", "priority", "queued_at"),
    Index("ix_assignment_queue_item", "entity_type", "item_id"),
)

# A rule's weight of each item it has weighed, so that a decision sums its pool's load in
# the database instead of weighing every item in work again. A row is fresh while both the
# rule's version and the item's revision are the ones it was computed for; anything else is
# weighed again. Thousandths of a point as an integer: sums are exact on both databases.
assignment_weights = Table(
    "assignment_weights",
    metadata,
    Column(
        "rule_id",
        Id,
        ForeignKey("distribution_rules.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("item_id", Id, ForeignKey("crm_items.id", ondelete="CASCADE"), primary_key=True),
    Column("rule_version", Integer, nullable=False),
    Column("item_revision", Integer, nullable=False),
    Column("milli_points", BigInteger, nullable=False),
    Index("ix_assignment_weights_item", "item_id"),
    # On SQLite the rows are kept in the primary key's order: a lookup reads no second page.
    sqlite_with_rowid=False,
)
