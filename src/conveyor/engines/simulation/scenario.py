"""What a simulation replays: a team, a stream of demand, a working week and the rule's knobs.

A scenario is plain data, built by a reader (synthetic, CSV, the company's history) and
checked here once, so that the replay can trust it: every instant is timezone-aware, the
team is not empty and its ids are unique, every item arrives inside the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.errors import InvalidValue, NaiveDatetime
from conveyor.engines.assignment import RuleSettings, as_points, skill_tags


@dataclass(frozen=True, kw_only=True, slots=True)
class Demand:
    """One item to place: it arrives, waits for an employee, then takes ``effort`` of their
    working time (shared with whatever else they hold) and should be done by ``deadline``.

    ``skill`` is the category the item needs (matched when the rule matches skills).
    """

    item_id: int
    arrives_at: datetime
    weight: Decimal
    effort: timedelta
    deadline: datetime | None = None
    skill: str | None = None

    def __post_init__(self) -> None:
        _aware(self.arrives_at, "arrives_at")
        object.__setattr__(self, "weight", as_points(self.weight, field="weight"))
        if self.effort <= timedelta(0):
            raise InvalidValue("The effort must be positive", field="effort")
        if self.deadline is not None:
            _aware(self.deadline, "deadline")
            if self.deadline < self.arrives_at:
                raise InvalidValue("The deadline is before the arrival", field="deadline")


@dataclass(frozen=True, kw_only=True, slots=True)
class Away:
    """An absence from ``first`` to ``last``, both days included."""

    first: date
    last: date
    kind: AbsenceKind = AbsenceKind.VACATION

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise InvalidValue("An absence cannot end before it starts", field="away")


@dataclass(frozen=True, kw_only=True, slots=True)
class Teammate:
    """One employee of the pool. ``capacity_points`` overrides the rule's default cap."""

    employee_id: int
    name: str
    capacity_points: Decimal | None = None
    skills: frozenset[str] = frozenset()
    away: tuple[Away, ...] = ()
    is_head: bool = False
    is_external: bool = False

    def __post_init__(self) -> None:
        if self.capacity_points is not None:
            capacity = as_points(self.capacity_points, field="capacity_points")
            object.__setattr__(self, "capacity_points", capacity)
        object.__setattr__(self, "skills", skill_tags(*self.skills))
        object.__setattr__(self, "away", tuple(sorted(self.away, key=lambda a: a.first)))


@dataclass(frozen=True, kw_only=True, slots=True)
class WorkingHours:
    """The company's working week: days (0 is Monday) and the periods of each working day.

    The default is the company default of ``docs/decisions.md``: Mon–Fri 9:00–18:00 with
    lunch 13–14. Public holidays are not modelled: a simulation compares policies over the
    same days, so a holiday shifts them all alike.
    """

    weekdays: frozenset[int] = frozenset(range(5))
    periods: tuple[tuple[time, time], ...] = ((time(9), time(13)), (time(14), time(18)))

    def __post_init__(self) -> None:
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise InvalidValue("Working days are numbers 0 (Monday) to 6", field="weekdays")
        ordered = tuple(sorted(self.periods))
        if not ordered or any(start >= end for start, end in ordered):
            raise InvalidValue("Each working period must start before it ends", field="periods")
        if any(ordered[i][1] > ordered[i + 1][0] for i in range(len(ordered) - 1)):
            raise InvalidValue("Working periods cannot overlap", field="periods")
        object.__setattr__(self, "periods", ordered)

    @property
    def hours_per_day(self) -> float:
        return sum(_seconds(end) - _seconds(start) for start, end in self.periods) / 3600


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A period ``[starts_at, ends_at)``, the team, the demand arriving in it (in arrival
    order) and the working week in ``timezone``.

    ``settings`` are the rule's as read (filters, default capacity, strategy): the base from
    which ``standard_policies`` derives the policies. A replay decides with its policy's
    settings alone."""

    starts_at: datetime
    ends_at: datetime
    timezone: tzinfo
    team: tuple[Teammate, ...]
    demand: tuple[Demand, ...]
    settings: RuleSettings
    hours: WorkingHours = WorkingHours()

    def __post_init__(self) -> None:
        _aware(self.starts_at, "starts_at")
        _aware(self.ends_at, "ends_at")
        if self.ends_at <= self.starts_at:
            raise InvalidValue("The period must end after it starts", field="ends_at")
        if not self.team:
            raise InvalidValue("The team is empty: nobody to assign to", field="team")
        _unique([m.employee_id for m in self.team], "team")
        _unique([d.item_id for d in self.demand], "demand")
        ordered = tuple(sorted(self.demand, key=lambda d: (d.arrives_at, d.item_id)))
        for item in ordered[:1] + ordered[-1:]:
            if not self.starts_at <= item.arrives_at < self.ends_at:
                raise InvalidValue(
                    f"Item {item.item_id} arrives outside the period", field="demand"
                )
        object.__setattr__(self, "demand", ordered)
        object.__setattr__(self, "team", tuple(sorted(self.team, key=lambda m: m.employee_id)))

    @property
    def days(self) -> float:
        return (self.ends_at - self.starts_at) / timedelta(days=1)


def _aware(moment: datetime, field: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetime(field=field)


def _unique(ids: Sequence[int], field: str) -> None:
    seen: set[int] = set()
    for value in ids:
        if value in seen:
            raise InvalidValue(f"Id {value} appears twice", field=field)
        seen.add(value)


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second
