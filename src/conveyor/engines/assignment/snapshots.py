"""What the decision sees: one snapshot per candidate and the work item to place.

Snapshots are gathered by a service (loads aggregated by the database, presence decided by
``conveyor.domain.presence``) and handed in; the engine never reads anything else. Points
are ``Decimal`` so that ``load + weight <= capacity`` is exact: ``0.1 + 0.2`` points must
fit a cap of ``0.3``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.errors import InvalidValue
from conveyor.domain.workdays import DayState


def as_points(value: Decimal | float | str, *, field: str = "points") -> Decimal:
    """``value`` as a finite, non-negative ``Decimal``; floats go through their shortest repr.

    ``as_points(0.1)`` is ``Decimal("0.1")``, not the binary float's 55 digits.
    """
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise InvalidValue(f"{value!r} is not a number of points", field=field) from None
    if not number.is_finite() or number < 0:
        raise InvalidValue(f"Points must be a finite number >= 0, got {value!r}", field=field)
    return number


def _points_field(instance: object, name: str, *, optional: bool = False) -> None:
    """Coerce a points attribute of a frozen instance in place (only in ``__post_init__``)."""
    value = getattr(instance, name)
    if value is None and optional:
        return
    object.__setattr__(instance, name, as_points(value, field=name))


@dataclass(frozen=True, kw_only=True, slots=True)
class CurrentAbsence:
    """The absence covering the decision's day: its kind and its last day (included)."""

    kind: AbsenceKind
    until: date


@dataclass(frozen=True, kw_only=True, slots=True)
class CandidateSnapshot:
    """One employee as the rule sees them at the moment of the decision.

    - ``skills``: casefolded tags (``"3d"``); use :func:`skill_tags` to build it.
    - ``absence``: the absence covering today, or ``None``; ``next_absence_starts_on`` is the
      first day of the next one that has not started yet (for look-ahead).
    - ``day_state``: the time clock today; ``None`` means the day was not opened.
    - ``load_points``/``load_count``: the in-work items the rule counts, aggregated.
    - ``capacity_points``: a per-employee cap overriding the rule's default; ``None`` keeps it.
    - ``last_assigned_at``: their latest assignment, ``None`` if never (for longest idle).
    - ``assigned_in_window``/``present_days_in_window``: items received and days present in
      the fair-share window (today included).
    """

    employee_id: int
    name: str
    is_head: bool = False
    is_external: bool = False
    active: bool = True
    skills: frozenset[str] = frozenset()
    absence: CurrentAbsence | None = None
    next_absence_starts_on: date | None = None
    day_state: DayState | None = None
    in_working_hours: bool = True
    load_points: Decimal = Decimal(0)
    load_count: int = 0
    capacity_points: Decimal | None = None
    last_assigned_at: datetime | None = None
    assigned_in_window: int = 0
    present_days_in_window: int = 0

    def __post_init__(self) -> None:
        _points_field(self, "load_points")
        _points_field(self, "capacity_points", optional=True)
        if self.load_count < 0 or self.assigned_in_window < 0 or self.present_days_in_window < 0:
            raise InvalidValue("Counts cannot be negative", field="load_count")
        if self.last_assigned_at is not None and self.last_assigned_at.tzinfo is None:
            raise InvalidValue("last_assigned_at must be timezone-aware", field="last_assigned_at")


@dataclass(frozen=True, kw_only=True, slots=True)
class WorkItem:
    """The lead, deal or task to place.

    ``weight`` is its complexity in points (from a field or expression); ``required_skill``
    a tag (matched casefolded); ``previous_owner_id`` who had it before; ``expected_days``
    how many days the work is expected to take (for look-ahead). ``entity`` names it in
    explanations ("deal", "lead", "task").
    """

    item_id: int
    entity: str = "item"
    weight: Decimal = Decimal(1)
    required_skill: str | None = None
    previous_owner_id: int | None = None
    expected_days: int | None = None

    def __post_init__(self) -> None:
        _points_field(self, "weight")
        if self.expected_days is not None and self.expected_days < 0:
            raise InvalidValue("Expected days cannot be negative", field="expected_days")


def skill_tags(*tags: str) -> frozenset[str]:
    """Tags as the engine compares them: stripped and casefolded, blanks dropped."""
    return frozenset(t.strip().casefold() for t in tags if t.strip())
