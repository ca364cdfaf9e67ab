"""Robots: what happens by itself when a lead or deal reaches a stage.

A robot is a definition (its runs are ``domain.robot_runs``): it belongs to one stage of
one pipeline and has a place in the stage's ordered list (``position``), a ``condition``
(a safe expression over the item, its contact and company and its responsible, checked
when the robot is about to act), a ``Timing`` (when it acts: counted from the item's
entry into the stage, or from a date field of the item) and an action (``action`` and its
``params``; ``domain.robot_params`` says what each action takes).

``check`` enforces what the robot alone can tell, naming the field at fault
(``timing.amount``, ``action.text``...); what it refers to (stages, employees, fields,
rules) and its expressions and templates are checked by the service on save, so a stored
robot was valid when it was saved. ``version`` starts at 1 and grows by one on every
change, so a run names the exact definition it followed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from conveyor.domain import definitions
from conveyor.domain.custom_fields import check_code
from conveyor.domain.definitions import apply_changes
from conveyor.domain.errors import InvalidValue
from conveyor.domain.pipelines import EntityType, check_pipeline_entity
from conveyor.domain.robot_params import ActionKind, normalize_params

#: A stage's list is short: a long one is a modelling mistake (and each runs per entry).
MAX_ROBOTS_PER_STAGE = 50
MAX_NAME = 200
#: The longest delay, per unit: a year.
MAX_AMOUNT = {"minutes": 60 * 24 * 365, "hours": 24 * 365, "days": 365}


class TimingKind(enum.StrEnum):
    #: As soon as the item enters the stage, in the same transaction as the move.
    IMMEDIATELY = "immediately"
    #: After ``amount`` ``unit`` of plain elapsed time.
    AFTER = "after"
    #: After ``amount`` ``unit`` of working time on the responsible's schedule and calendar.
    AFTER_WORKING = "after_working"
    #: At the moment a date field of the item holds (``field``).
    AT_FIELD = "at_field"
    #: ``amount`` ``unit`` before that moment (of working time when ``working``).
    BEFORE_FIELD = "before_field"
    #: ``amount`` ``unit`` after that moment (of working time when ``working``).
    AFTER_FIELD = "after_field"


#: The timings counted from a date field of the item rather than from the stage entry.
FIELD_KINDS = frozenset({TimingKind.AT_FIELD, TimingKind.BEFORE_FIELD, TimingKind.AFTER_FIELD})
#: The dates every item has, usable as a timing's ``field`` besides its date and datetime
#: custom fields. (Not ``stage_entered_at``: the other timings count from it already; nor
#: ``closed_at``: an item has it only at a final stage, which it entered at that moment.)
BUILT_IN_DATES = frozenset({"created_at"})


class TimeUnit(enum.StrEnum):
    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"


@dataclass(frozen=True, kw_only=True)
class Timing:
    """When a robot acts: counted from the moment the item entered the stage, or, for the
    ``FIELD_KINDS``, from the moment a date field of the item holds (``field``: a date or
    datetime custom field's code, or one of ``BUILT_IN_DATES``).

    ``working`` (before or after a field only): ``amount`` counts working time on the
    responsible's schedule and calendar. ``working_hours_only``: a moment outside the
    responsible's working hours is put off to the next working moment (an immediate robot
    entered at night acts in the morning).
    """

    kind: TimingKind = TimingKind.IMMEDIATELY
    amount: int = 0
    unit: TimeUnit | None = None
    working_hours_only: bool = False
    field: str | None = None
    working: bool = False

    def check(self) -> None:
        self._check_field()
        if self.kind in (TimingKind.IMMEDIATELY, TimingKind.AT_FIELD):
            what = "An immediate robot" if self.kind is TimingKind.IMMEDIATELY else "At a field"
            if self.amount:
                raise InvalidValue(
                    f"{what} has no delay; leave the amount out", field="timing.amount"
                )
            if self.unit is not None:
                raise InvalidValue(f"{what} has no delay; leave the unit out", field="timing.unit")
            return
        if self.unit is None:
            raise InvalidValue(
                "Say the unit of the delay: minutes, hours or days", field="timing.unit"
            )
        limit = MAX_AMOUNT[self.unit.value]
        if isinstance(self.amount, bool) or not 1 <= self.amount <= limit:
            raise InvalidValue(
                f"The delay is 1 to {limit} {self.unit.value}", field="timing.amount"
            )

    def _check_field(self) -> None:
        if self.kind not in FIELD_KINDS:
            if self.field is not None:
                raise InvalidValue(
                    "Only a timing at, before or after a field names one; leave it out",
                    field="timing.field",
                )
        elif not isinstance(self.field, str) or not self.field:
            raise InvalidValue(
                "Name the date field: the code of a date or datetime field of the item, "
                f"or {', '.join(sorted(BUILT_IN_DATES))}",
                field="timing.field",
            )
        else:
            check_code(self.field, where="timing.field")
        if self.working and self.kind not in (TimingKind.BEFORE_FIELD, TimingKind.AFTER_FIELD):
            raise InvalidValue(
                "Only a timing before or after a field counts its amount in working time "
                "(a delay from the entry does with the kind after_working)",
                field="timing.working",
            )

    @property
    def delayed(self) -> bool:
        return self.kind is not TimingKind.IMMEDIATELY

    @property
    def follows_field(self) -> bool:
        """Whether the moment is counted from a date field (``field``)."""
        return self.kind in FIELD_KINDS

    @property
    def needs_working_time(self) -> bool:
        return self.kind is TimingKind.AFTER_WORKING or self.working or self.working_hours_only

    def elapsed(self) -> timedelta:
        """The plain delay of an ``after`` timing (zero for the others)."""
        if self.kind is not TimingKind.AFTER or self.unit is None:
            return timedelta(0)
        return timedelta(**{self.unit.value: self.amount})

    def offset(self) -> timedelta:
        """The plain time added to the moment counted from: the ``after`` delay, or the
        amount after (positive) or before (negative) a field; zero for the others and when
        the amount counts working time."""
        if self.unit is None or self.working:
            return timedelta(0)
        amount = timedelta(**{self.unit.value: self.amount})
        if self.kind in (TimingKind.AFTER, TimingKind.AFTER_FIELD):
            return amount
        if self.kind is TimingKind.BEFORE_FIELD:
            return -amount
        return timedelta(0)

    def as_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "amount": self.amount,
            "unit": None if self.unit is None else self.unit.value,
            "working_hours_only": self.working_hours_only,
            "field": self.field,
            "working": self.working,
        }


@dataclass(kw_only=True)
class Robot:
    """One robot of one stage (see the module)."""

    id: int | None = None
    entity_type: EntityType
    pipeline_id: int
    stage_id: int
    #: The robot's place in its stage's list, 0 first; robots act in this order.
    position: int = 0
    name: str
    enabled: bool = True
    condition: str | None = None
    timing_kind: TimingKind = TimingKind.IMMEDIATELY
    delay_amount: int = 0
    delay_unit: TimeUnit | None = None
    working_hours_only: bool = False
    #: A field timing's date field and whether its amount counts working time.
    timing_field: str | None = None
    timing_working: bool = False
    action: ActionKind
    params: dict[str, Any] = field(default_factory=dict)
    version: int = 1
    created_at: datetime
    updated_at: datetime

    @property
    def timing(self) -> Timing:
        return Timing(
            kind=self.timing_kind,
            amount=self.delay_amount,
            unit=self.delay_unit,
            working_hours_only=self.working_hours_only,
            field=self.timing_field,
            working=self.timing_working,
        )

    def set_timing(self, timing: Timing) -> None:
        self.timing_kind = timing.kind
        self.delay_amount = timing.amount
        self.delay_unit = timing.unit
        self.working_hours_only = timing.working_hours_only
        self.timing_field = timing.field
        self.timing_working = timing.working

    def check(self) -> None:
        """Refuse, naming the field, what is wrong with the robot on its own; ``params``
        are normalised for the action (defaults filled in)."""
        check_pipeline_entity(self.entity_type)
        name = self.name.strip()
        if not name or len(name) > MAX_NAME:
            raise InvalidValue(f"A robot's name is 1 to {MAX_NAME} characters", field="name")
        self.name = name
        if self.condition is not None and not self.condition.strip():
            self.condition = None
        self.timing.check()
        self.params = normalize_params(self.action, self.params)
        if self.action is ActionKind.CHANGE_STAGE and self.params["stage_id"] == self.stage_id:
            raise InvalidValue(
                "A robot cannot move the item to the stage it belongs to",
                field="action.stage_id",
            )

    def change(self, changes: Mapping[str, Any], *, now: datetime) -> list[str]:
        """Apply ``changes`` and return the names that really changed (see
        ``definitions.apply_changes``); ``check`` is up to the caller."""
        return apply_changes(self, changes, CHANGEABLE, now=now)

    def summary(self) -> dict[str, Any]:
        """The robot's identity for events: JSON-able."""
        return {
            "name": self.name,
            "version": self.version,
            "entity_type": self.entity_type.value,
            "pipeline_id": self.pipeline_id,
            "stage_id": self.stage_id,
            "position": self.position,
            "action": self.action.value,
            "enabled": self.enabled,
        }


#: What ``Robot.change`` may set besides ``timing``; a robot stays on its stage.
CHANGEABLE = frozenset({"name", "enabled", "condition", "action", "params"})


def check_order(current_ids: list[int], wanted_ids: list[int]) -> None:
    """Refuse a new order of a stage's robots unless it names each of them exactly once."""
    definitions.check_order(current_ids, wanted_ids, noun="robot", place="stage", field="robot_ids")
