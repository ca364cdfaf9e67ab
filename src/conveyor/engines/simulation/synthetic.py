"""A made-up but plausible month of demand, the same for the same seed.

- **Arrivals**: a Poisson stream during working hours only (``arrivals_per_hour`` of the
  company's working time; nothing arrives at night or at weekends).
- **Complexity**: weights of 1, 2, 3 and 5 points, most items light (``COMPLEXITIES``).
- **Effort**: log-normal around a median that grows with the weight, so a 5-point item is
  usually a day's work and now and then two.
- **Deadline**: the effort plus ``slack_hours`` of the company's working time.
- **Team**: ``employees`` people with ``capacity`` points each, a quarter of them juniors
  with half of it; a quarter (at least one when there are two or more) take a 5–9 day
  vacation that starts somewhere in the period.

Everything comes from one ``random.Random(seed)``, drawn in a fixed order.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from conveyor.domain.errors import InvalidValue
from conveyor.engines.assignment import RuleSettings, as_points
from conveyor.engines.simulation.clock import Availability, SimClock
from conveyor.engines.simulation.scenario import Away, Demand, Scenario, Teammate, WorkingHours

#: (weight in points, share of the items, median effort in working hours).
COMPLEXITIES = ((1, 0.50, 1.0), (2, 0.30, 2.5), (3, 0.15, 5.0), (5, 0.05, 8.0))
#: The spread of efforts around their median (sigma of the underlying normal).
EFFORT_SIGMA = 0.5
MAX_DAYS = 366
MAX_EMPLOYEES = 1_000
MAX_ARRIVALS_PER_HOUR = 1_000.0
#: A replay handles a few thousand items a second per policy: beyond this, ask for less.
MAX_ITEMS = 100_000


@dataclass(frozen=True, kw_only=True)
class SyntheticSpec:
    """The knobs of ``synthetic_scenario``; ``first_day`` is a Monday by default."""

    seed: int = 1
    days: int = 20
    employees: int = 8
    arrivals_per_hour: float = 2.0
    capacity: Decimal = Decimal(8)
    slack_hours: float = 8.0
    first_day: date = date(2026, 3, 2)
    timezone: tzinfo = field(default_factory=lambda: ZoneInfo("Europe/Moscow"))
    hours: WorkingHours = field(default_factory=WorkingHours)

    def __post_init__(self) -> None:
        if not 1 <= self.days <= MAX_DAYS:
            raise InvalidValue(f"Days must be from 1 to {MAX_DAYS}", field="days")
        if not 1 <= self.employees <= MAX_EMPLOYEES:
            raise InvalidValue(f"Employees must be from 1 to {MAX_EMPLOYEES}", field="employees")
        if not 0 < self.arrivals_per_hour <= MAX_ARRIVALS_PER_HOUR:
            raise InvalidValue(
                f"Arrivals per hour must be above 0 and at most {MAX_ARRIVALS_PER_HOUR:g}",
                field="arrivals_per_hour",
            )
        capacity = as_points(self.capacity, field="capacity")
        if capacity <= 0:
            raise InvalidValue("The capacity must be above 0 points", field="capacity")
        object.__setattr__(self, "capacity", capacity)
        if not 0 <= self.slack_hours <= 10_000:
            raise InvalidValue("Slack must be from 0 to 10000 hours", field="slack_hours")


def synthetic_scenario(spec: SyntheticSpec) -> Scenario:
    """The scenario of ``spec``: same spec, same scenario."""
    rng = random.Random(spec.seed)
    tz = spec.timezone
    starts_at = datetime.combine(spec.first_day, time(), tz)
    ends_at = datetime.combine(spec.first_day + timedelta(days=spec.days), time(), tz)
    team = synthetic_team(
        rng,
        employees=spec.employees,
        capacity=spec.capacity,
        first_day=spec.first_day,
        days=spec.days,
    )
    clock = SimClock(spec.first_day, tz)
    company = Availability(clock, spec.hours)
    end = clock.seconds(ends_at)
    rate = spec.arrivals_per_hour / 3600
    weights = [c[0] for c in COMPLEXITIES]
    shares = [c[1] for c in COMPLEXITIES]
    medians = {c[0]: c[2] for c in COMPLEXITIES}
    demand: list[Demand] = []
    instant = 0.0
    while True:
        instant = company.after(instant, rng.expovariate(rate))
        if instant >= end:
            break
        if len(demand) >= MAX_ITEMS:
            raise InvalidValue(
                f"More than {MAX_ITEMS} items: lower the arrivals per hour or the days",
                field="arrivals_per_hour",
            )
        weight = rng.choices(weights, shares)[0]
        hours = rng.lognormvariate(0.0, EFFORT_SIGMA) * medians[weight]
        effort = round(hours * 3600)
        due = company.after(instant, effort + spec.slack_hours * 3600)
        demand.append(
            Demand(
                item_id=len(demand) + 1,
                arrives_at=clock.moment(instant),
                weight=Decimal(weight),
                effort=timedelta(seconds=max(effort, 60)),
                deadline=clock.moment(due),
            )
        )
    return Scenario(
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=tz,
        team=team,
        demand=tuple(demand),
        settings=RuleSettings(default_capacity_points=spec.capacity),
        hours=spec.hours,
    )


def synthetic_team(
    rng: random.Random,
    *,
    employees: int,
    capacity: Decimal,
    first_day: date,
    days: int,
    categories: Sequence[str] = (),
) -> tuple[Teammate, ...]:
    """``employees`` people: a quarter juniors at half ``capacity`` (their own cap), the rest
    on the rule's default; a quarter take a vacation of 5–9 days starting in the period.

    ``categories`` (skills) are dealt out in turn: person ``i`` takes category ``i mod k``,
    and with more categories than people, category ``j`` also goes to person ``j mod n``,
    so that every category has someone."""
    ids = list(range(1, employees + 1))
    juniors = set(rng.sample(ids, employees // 4))
    vacationers = rng.sample(ids, max(employees // 4, 1 if employees >= 2 else 0))
    away: dict[int, tuple[Away, ...]] = {}
    for employee_id in sorted(vacationers):
        first = first_day + timedelta(days=rng.randrange(days))
        away[employee_id] = (Away(first=first, last=first + timedelta(days=rng.randint(4, 8))),)
    skills: dict[int, set[str]] = {i: set() for i in ids}
    ordered = sorted(set(categories))
    for number, category in enumerate(ordered):
        skills[ids[number % employees]].add(category)
    for number, employee_id in enumerate(ids if ordered else []):
        skills[employee_id].add(ordered[number % len(ordered)])
    return tuple(
        Teammate(
            employee_id=employee_id,
            name=f"Employee {employee_id}",
            capacity_points=capacity / 2 if employee_id in juniors else None,
            skills=frozenset(skills[employee_id]),
            away=away.get(employee_id, ()),
        )
        for employee_id in ids
    )
