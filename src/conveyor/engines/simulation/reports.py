"""One row per policy: what a head reads to choose one before switching it on.

- **wait**: arrival to assignment, mean and p95. An item still waiting when the replay ends
  counts with the wait it had so far, so a policy cannot look fast by never assigning.
- **overdue**: the share of items with a deadline that finished after it (or were not
  finished by the replay's end, with the deadline passed).
- **load spread** and **Gini**: each employee's points in work averaged over their working
  hours present in the period; the spread is the largest minus the smallest of these
  averages (in points), the Gini their inequality (0: equal). Employees away the whole
  period are left out.
- **utilization**: the share of the team's present working hours in which someone had work
  in hand (pooled over the team).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from conveyor.engines.simulation.clock import Availability, SimClock
from conveyor.engines.simulation.metrics import gini, mean, percentile, spread
from conveyor.engines.simulation.policies import Policy
from conveyor.engines.simulation.replay import Replay, replay, waited
from conveyor.engines.simulation.scenario import Scenario


@dataclass(frozen=True, kw_only=True)
class PolicyReport:
    """The figures of one policy (see the module docstring); ``average_loads`` holds each
    present employee's average load, by employee id, for charts."""

    policy: str
    items: int
    never_assigned: int
    mean_wait: timedelta
    p95_wait: timedelta
    overdue_rate: float | None
    load_spread: float
    load_gini: float
    utilization: float
    average_loads: tuple[tuple[int, float], ...]


def summarize(outcome: Replay) -> PolicyReport:
    ended = outcome.ended_at
    waits = [waited(p, ended).total_seconds() for p in outcome.placements]
    with_deadline = [p for p in outcome.placements if p.deadline is not None]
    judged = overdue = 0
    for p in with_deadline:
        assert p.deadline is not None
        if p.finished_at is not None:
            judged += 1
            overdue += p.finished_at > p.deadline
        elif p.deadline <= ended:
            judged += 1
            overdue += 1
    present = [e for e in outcome.employees if e.present_hours > 0]
    loads = [e.average_load for e in present]
    hours = sum(e.present_hours for e in present)
    busy = sum(e.busy_share * e.present_hours for e in present)
    return PolicyReport(
        policy=outcome.policy.name,
        items=len(outcome.placements),
        never_assigned=sum(p.assigned_at is None for p in outcome.placements),
        mean_wait=timedelta(seconds=mean(waits)),
        p95_wait=timedelta(seconds=percentile(waits, 0.95)),
        overdue_rate=overdue / judged if judged else None,
        load_spread=spread(loads),
        load_gini=gini(loads),
        utilization=busy / hours if hours else 0.0,
        average_loads=tuple((e.employee_id, e.average_load) for e in present),
    )


def compare(scenario: Scenario, policies: Iterable[Policy]) -> tuple[PolicyReport, ...]:
    """Replay ``scenario`` under each policy, in the order given."""
    return tuple(summarize(replay(scenario, policy)) for policy in policies)


def offered_load(scenario: Scenario) -> float:
    """The demand's total effort over the team's working time present in the period: near
    or above 1, no policy keeps up and waits grow whatever the strategy."""
    tz = scenario.timezone
    clock = SimClock(scenario.starts_at.astimezone(tz).date(), tz)
    start, end = clock.seconds(scenario.starts_at), clock.seconds(scenario.ends_at)
    available = 0.0
    for mate in scenario.team:
        away: set[int] = set()
        for absence in mate.away:
            first, last = clock.day_of(absence.first), clock.day_of(absence.last)
            away.update(range(first, last + 1))
        available += Availability(clock, scenario.hours, away).between(start, end)
    effort = sum(d.effort.total_seconds() for d in scenario.demand)
    return effort / available if available else float("inf")
