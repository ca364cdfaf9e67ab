"""Time the assignment decision alone: 1 000 employees, 100 000 open items in their loads.

    python bench/assignment_decision.py [--employees 1000] [--decisions 3000] [--seed 7]

The decision sees aggregated loads, so the "100 000 open items" are the sum of the
snapshots' ``load_count`` (points from a mix of weights). The mix is seeded: some absent,
some with a paused or closed day, a few heads and external employees, some dismissed,
per-employee capacity overrides, skills. Each strategy gets a third of the decisions;
items vary in weight, required skill, previous owner and expected days.

Two clocks per decision: wall time (what a caller waits) and the thread's CPU time (the
decision's own cost, blind to other processes taking the core: on a busy shared machine
the wall p99 measures the scheduler more than the code).

Baseline measured in the same run: a plain ``min()`` over the same candidates' loads, the
least any decision could cost in Python. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.workdays import DayState
from conveyor.engines.assignment import (
    CandidateSnapshot,
    CurrentAbsence,
    RuleSettings,
    Strategy,
    WorkItem,
    decide,
    skill_tags,
)

NOW = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
OPEN_ITEMS = 100_000
SKILLS = ("3d", "print", "install", "design", "accounting", "delivery")


def employees(count: int, rng: random.Random) -> list[CandidateSnapshot]:
    """A realistic team: loads summing to ``OPEN_ITEMS`` items, varied presence and caps."""
    shares = [rng.random() for _ in range(count)]
    total = sum(shares)
    counts = [int(OPEN_ITEMS * s / total) for s in shares]
    counts[0] += OPEN_ITEMS - sum(counts)
    snapshots = []
    for index, items in enumerate(counts, start=1):
        roll = rng.random()
        absence = None
        if roll < 0.08:
            kind = rng.choice(list(AbsenceKind))
            absence = CurrentAbsence(kind=kind, until=NOW.date() + timedelta(rng.randint(0, 20)))
        day_state = rng.choices(
            [DayState.OPEN, DayState.PAUSED, DayState.CLOSED, None], weights=[85, 5, 5, 5]
        )[0]
        next_absence = NOW.date() + timedelta(rng.randint(1, 60)) if rng.random() < 0.3 else None
        last = NOW - timedelta(minutes=rng.randint(1, 10_000)) if rng.random() < 0.95 else None
        snapshots.append(
            CandidateSnapshot(
                employee_id=index * 3,  # ids with gaps, like a real table
                name=f"Employee {index}",
                is_head=rng.random() < 0.05,
                is_external=rng.random() < 0.05,
                active=rng.random() > 0.02,
                skills=skill_tags(*rng.sample(SKILLS, rng.randint(0, 3))),
                absence=absence,
                next_absence_starts_on=next_absence,
                day_state=day_state,
                in_working_hours=rng.random() > 0.05,
                load_points=Decimal(items) * Decimal(rng.choice(("0.5", "1", "1.5", "2"))),
                load_count=items,
                capacity_points=Decimal(rng.randint(150, 400)) if rng.random() < 0.2 else None,
                last_assigned_at=last,
                assigned_in_window=rng.randint(0, 200),
                present_days_in_window=rng.randint(1, 30),
            )
        )
    rng.shuffle(snapshots)
    return snapshots


def settings_for(strategy: Strategy) -> RuleSettings:
    return RuleSettings(
        respect_absences=True,
        respect_day_status=True,
        respect_working_hours=True,
        exclude_heads=True,
        allow_external=False,
        excluded_ids=frozenset(range(0, 3000, 97)),
        default_capacity_points=Decimal(250),
        strategy=strategy,
        skill_match=True,
        never_previous_owner=True,
        look_ahead_days=14,
    )


def items(count: int, staff: list[CandidateSnapshot], rng: random.Random) -> list[WorkItem]:
    return [
        WorkItem(
            item_id=n,
            entity="deal",
            weight=Decimal(rng.choice((1, 1, 1, 2, 5))),
            required_skill=rng.choice((None, None, *SKILLS)),
            previous_owner_id=rng.choice(staff).employee_id if rng.random() < 0.3 else None,
            expected_days=rng.choice((None, 1, 3, 10)),
        )
        for n in range(1, count + 1)
    ]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(employee_count: int, decision_count: int, seed: int) -> dict[str, float | int]:
    """Time ``decision_count`` decisions over ``employee_count`` snapshots; print readable
    lines and return the figures (``bench/assignment.py`` reuses this)."""
    rng = random.Random(seed)
    staff = employees(employee_count, rng)
    work = items(decision_count, staff, rng)
    strategies = list(Strategy)
    rules = {s: settings_for(s) for s in strategies}

    for item in work[:50]:  # warm-up
        decide(item, staff, rules[Strategy.LEAST_LOADED], now=NOW)

    timings: list[float] = []
    cpu_timings: list[float] = []
    by_strategy: dict[Strategy, list[float]] = {s: [] for s in strategies}
    assigned = 0
    cursor: int | None = None
    clock, cpu_clock = time.perf_counter, time.thread_time
    for n, item in enumerate(work):
        strategy = strategies[n % len(strategies)]
        started, cpu_started = clock(), cpu_clock()
        decision = decide(item, staff, rules[strategy], now=NOW, round_robin_cursor=cursor)
        elapsed = (clock() - started) * 1000
        cpu_timings.append((cpu_clock() - cpu_started) * 1000)
        timings.append(elapsed)
        by_strategy[strategy].append(elapsed)
        if strategy is Strategy.ROUND_ROBIN:
            cursor = decision.next_cursor
        assigned += decision.chosen_id is not None

    baseline: list[float] = []
    for _ in work:
        started = clock()
        min(staff, key=lambda c: c.load_points)
        baseline.append((clock() - started) * 1000)

    kept = len(decide(work[0], staff, rules[Strategy.LEAST_LOADED], now=NOW).kept)
    print(f"{employee_count} employees, {OPEN_ITEMS} open items in their loads")
    print(f"{kept} kept for a typical item; {assigned}/{len(work)} items found someone")
    for strategy, samples in by_strategy.items():
        print(
            f"  {strategy.value:<13} p50 {statistics.median(samples):.3f} ms"
            f"  p99 {percentile(samples, 0.99):.3f} ms"
        )
    p50, p99 = statistics.median(timings), percentile(timings, 0.99)
    base50 = statistics.median(baseline)
    cpu50, cpu99 = statistics.median(cpu_timings), percentile(cpu_timings, 0.99)
    print(f"decision p50 {p50:.3f} ms, p99 {p99:.3f} ms wall (goal p99 < 2 ms)")
    print(f"decision p50 {cpu50:.3f} ms, p99 {cpu99:.3f} ms CPU time of the thread")
    print(f"baseline min() over loads p50 {base50:.3f} ms; decision is {p50 / base50:.1f}x")
    return {
        "employees": employee_count,
        "open_items": OPEN_ITEMS,
        "decisions": len(work),
        "decision_p50_ms": round(p50, 4),
        "decision_p99_ms": round(p99, 4),
        "decision_cpu_p50_ms": round(cpu50, 4),
        "decision_cpu_p99_ms": round(cpu99, 4),
        "baseline_p50_ms": round(base50, 4),
        "ratio_p50": round(p50 / base50, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=1000)
    parser.add_argument("--decisions", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(json.dumps(measure(args.employees, args.decisions, args.seed)))


if __name__ == "__main__":
    main()
