"""Small hand-built scenarios for the replay tests: a Moscow week starting Monday 2 March."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from conveyor.engines.assignment import RuleSettings, Strategy
from conveyor.engines.simulation import Away, Demand, Policy, Replay, Scenario, Teammate

TZ = ZoneInfo("Europe/Moscow")
MONDAY = date(2026, 3, 2)


def day(offset: int) -> date:
    return MONDAY + timedelta(days=offset)


def at(offset: int, hour: int, minute: int = 0) -> datetime:
    """``offset`` days after Monday 2 March, at ``hour:minute`` Moscow time."""
    return datetime.combine(day(offset), time(hour, minute), TZ)


def item(
    item_id: int,
    arrives_at: datetime,
    *,
    weight: float = 1,
    hours: float = 1.0,
    deadline: datetime | None = None,
    skill: str | None = None,
) -> Demand:
    return Demand(
        item_id=item_id,
        arrives_at=arrives_at,
        weight=Decimal(str(weight)),
        effort=timedelta(hours=hours),
        deadline=deadline,
        skill=skill,
    )


def mate(
    employee_id: int,
    *,
    capacity: float | None = None,
    away: Iterable[tuple[int, int]] = (),
    skills: Iterable[str] = (),
) -> Teammate:
    """Employee ``employee_id``; ``away`` as (first, last) day offsets from Monday."""
    return Teammate(
        employee_id=employee_id,
        name=f"Employee {employee_id}",
        capacity_points=None if capacity is None else Decimal(str(capacity)),
        skills=frozenset(skills),
        away=tuple(Away(first=day(a), last=day(b)) for a, b in away),
    )


def scene(
    team: Iterable[Teammate], demand: Iterable[Demand], *, days: int = 14, **settings: object
) -> Scenario:
    return Scenario(
        starts_at=at(0, 0),
        ends_at=at(days, 0),
        timezone=TZ,
        team=tuple(team),
        demand=tuple(demand),
        settings=RuleSettings(**settings),  # type: ignore[arg-type]
    )


def deciding_on_arrival(
    strategy: Strategy = Strategy.LEAST_LOADED, *, look_ahead_days: int | None = None
) -> Policy:
    return Policy(
        name=strategy.value,
        settings=RuleSettings(strategy=strategy, look_ahead_days=look_ahead_days),
    )


def batch(minutes: int = 10) -> Policy:
    return Policy(name="batch", settings=RuleSettings(), cycle=timedelta(minutes=minutes))


def assignees(outcome: Replay) -> list[int | None]:
    return [p.employee_id for p in outcome.placements]
