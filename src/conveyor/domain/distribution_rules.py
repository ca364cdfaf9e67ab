"""Distribution rules: which employee gets a new lead, deal or task, defined as data.

A rule is a definition (the assignment engine's runs read it): its scope (entity type,
pipeline, the stage that triggers analysis, an optional condition), the field it sets, the
candidate pool, availability switches, capacity in points, what counts as in work, the
item's weight, the strategy and what happens after assignment. ``check`` enforces what the
rule alone can tell; references (stages, fields, employees) and the expressions are checked
by the service on save, so a stored rule is always valid when it was saved.

``version`` starts at 1 and grows by one on every change, so a recorded decision names the
exact rule it followed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from conveyor.domain.errors import InvalidValue

#: The target field that means "the item's responsible" rather than a custom field.
RESPONSIBLE = "responsible"
#: Bounds that keep a rule sane (and every number storable).
MAX_LOOK_AHEAD_DAYS = 365
MAX_ESCALATION_MINUTES = 60 * 24 * 365
MAX_PRIORITY = 1_000_000
MAX_POINTS = Decimal("1000000")


class RuleEntity(enum.StrEnum):
    """What a rule distributes."""

    LEAD = "lead"
    DEAL = "deal"
    TASK = "task"

    @property
    def has_pipelines(self) -> bool:
        return self is not RuleEntity.TASK


class RuleStrategy(enum.StrEnum):
    """How the kept candidates are ranked; mirrors the assignment engine's ``Strategy``
    (a unit test keeps the two in step) so that the domain stays free of the engine."""

    ROUND_ROBIN = "round_robin"
    LEAST_LOADED = "least_loaded"
    FAIR_SHARE = "fair_share"


@dataclass(kw_only=True)
class DistributionRule:
    """One distribution rule. Lists and ``capacity_overrides`` are replaced, never edited in
    place (``change`` does so), so that storage sees every change."""

    id: int | None = None
    name: str
    enabled: bool = True
    version: int = 1
    priority: int = 0
    # Scope.
    entity_type: RuleEntity
    pipeline_id: int | None = None
    trigger_stage_id: int | None = None
    condition: str | None = None
    # What is set.
    target_field: str = RESPONSIBLE
    # Candidate pool.
    employee_ids: list[int] = field(default_factory=list)
    department_ids: list[int] = field(default_factory=list)
    include_subdepartments: bool = True
    excluded_ids: list[int] = field(default_factory=list)
    exclude_heads: bool = False
    allow_external: bool = True
    # Availability.
    respect_absences: bool = True
    respect_day_status: bool = False
    respect_working_hours: bool = False
    # Capacity, in points; ``None`` means no cap.
    default_capacity_points: Decimal | None = None
    capacity_overrides: dict[int, Decimal] = field(default_factory=dict)
    # What counts as in work.
    in_work_stage_ids: list[int] = field(default_factory=list)
    count_open_tasks: bool = False
    # The item's weight in points: an expression (a plain number is one).
    weight: str = "1"
    # Strategy.
    strategy: RuleStrategy = RuleStrategy.LEAST_LOADED
    skill_field: str | None = None
    never_previous_owner: bool = False
    look_ahead_days: int | None = None
    # After assignment, and when nobody is free.
    next_stage_id: int | None = None
    escalate_after_minutes: int | None = None
    #: The order of the waiting queue: an expression giving an integer (higher goes first;
    #: ``None`` means every entry has priority 0), then the longest waiting.
    queue_priority: str | None = None
    created_at: datetime
    updated_at: datetime

    def check(self) -> None:
        """Refuse, naming the field, what is wrong with the rule on its own."""
        if self.entity_type.has_pipelines:
            if self.pipeline_id is None:
                raise InvalidValue(
                    f"A {self.entity_type} rule needs a pipeline", field="pipeline_id"
                )
            if self.trigger_stage_id is None:
                raise InvalidValue(
                    f"A {self.entity_type} rule needs the stage that triggers it",
                    field="trigger_stage_id",
                )
        else:
            _tasks_have_none(self.pipeline_id, "pipeline_id", "pipelines")
            _tasks_have_none(self.trigger_stage_id, "trigger_stage_id", "stages")
            _tasks_have_none(self.next_stage_id, "next_stage_id", "stages")
            _tasks_have_none(self.in_work_stage_ids or None, "in_work_stage_ids", "stages")
        if self.next_stage_id is not None and self.next_stage_id == self.trigger_stage_id:
            raise InvalidValue(
                "The stage to move to must differ from the stage that triggers the rule",
                field="next_stage_id",
            )
        if not self.employee_ids and not self.department_ids:
            raise InvalidValue(
                "The pool needs at least one employee or department", field="employee_ids"
            )
        for name in ("employee_ids", "department_ids", "excluded_ids", "in_work_stage_ids"):
            _no_repeats(getattr(self, name), name)
        if self.default_capacity_points is not None:
            _positive_points(self.default_capacity_points, "default_capacity_points")
        for employee_id, points in self.capacity_overrides.items():
            _positive_points(points, f"capacity_overrides.{employee_id}")
        _bounded(self.look_ahead_days, 0, MAX_LOOK_AHEAD_DAYS, "look_ahead_days")
        _bounded(self.escalate_after_minutes, 1, MAX_ESCALATION_MINUTES, "escalate_after_minutes")
        _bounded(self.priority, -MAX_PRIORITY, MAX_PRIORITY, "priority")
        if not self.weight.strip():
            raise InvalidValue("The weight is empty", field="weight")

    def change(self, changes: dict[str, Any], *, now: datetime) -> list[str]:
        """Apply ``changes`` (attribute -> new value) and return the names that really changed;
        when any did, the version grows by one. ``check`` is up to the caller."""
        changed = []
        for name, value in changes.items():
            if name in _NOT_CHANGEABLE or not hasattr(self, name):
                raise InvalidValue(f"'{name}' cannot be changed", field=name)
            if getattr(self, name) != value:
                setattr(self, name, value)
                changed.append(name)
        if changed:
            self.version += 1
            self.updated_at = now
        return sorted(changed)

    def summary(self) -> dict[str, Any]:
        """The rule's identity for events: JSON-able."""
        return {
            "name": self.name,
            "version": self.version,
            "entity_type": self.entity_type.value,
            "pipeline_id": self.pipeline_id,
            "trigger_stage_id": self.trigger_stage_id,
            "enabled": self.enabled,
        }


_NOT_CHANGEABLE = frozenset({"id", "version", "created_at", "updated_at"})


def _tasks_have_none(value: object, name: str, what: str) -> None:
    if value is not None:
        raise InvalidValue(f"Task rules have no {what}; leave '{name}' empty", field=name)


def _no_repeats(ids: list[int], name: str) -> None:
    seen: set[int] = set()
    for index, value in enumerate(ids):
        if value in seen:
            raise InvalidValue(f"{value} appears twice", field=f"{name}.{index}")
        seen.add(value)


def _positive_points(points: Decimal, name: str) -> None:
    if not points.is_finite() or not 0 < points <= MAX_POINTS:
        raise InvalidValue(
            f"Capacity must be a number of points above 0 and at most {MAX_POINTS}", field=name
        )


def _bounded(value: int | None, low: int, high: int, name: str) -> None:
    if value is not None and not low <= value <= high:
        raise InvalidValue(f"Must be between {low} and {high}", field=name)
