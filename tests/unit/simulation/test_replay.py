"""The replay: work shared in working hours, waiting items, absences, capacity, and the
batch baseline, each story on a small hand-built week; invariants on synthetic months."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conveyor.domain.errors import InvalidValue
from conveyor.engines.assignment import RuleSettings, Strategy
from conveyor.engines.simulation import (
    Placement,
    Replay,
    Scenario,
    SyntheticSpec,
    replay,
    standard_policies,
    summarize,
    synthetic_scenario,
)

from .scenes import (
    TZ,
    assignees,
    at,
    batch,
    deciding_on_arrival,
    item,
    mate,
    scene,
)

FINISH_TOLERANCE = timedelta(seconds=1)


def test_one_person_shares_their_time_between_the_items_in_hand() -> None:
    week = scene([mate(1)], [item(1, at(0, 9)), item(2, at(0, 9)), item(3, at(0, 11))])
    outcome = replay(week, deciding_on_arrival())
    first, second, third = outcome.placements
    # Two hours of work in hand from 9:00: each advances at half speed, both done at 11:00.
    assert _close(first.finished_at, at(0, 11)) and _close(second.finished_at, at(0, 11))
    assert _close(third.finished_at, at(0, 12))


def test_work_waits_for_working_hours_lunch_and_the_weekend() -> None:
    week = scene([mate(1)], [item(1, at(0, 12, 30)), item(2, at(4, 17), hours=2)])
    lunch, friday = replay(week, deciding_on_arrival()).placements
    assert _close(lunch.finished_at, at(0, 14, 30))  # 12:30-13:00, then 14:00-14:30
    assert _close(friday.finished_at, at(7, 10))  # Friday 17-18, Monday 9-10


def test_work_stands_still_while_its_holder_is_away() -> None:
    # Ten hours from Monday 9:00: eight on Monday, away Tuesday and Wednesday, two on Thursday.
    week = scene([mate(1, away=[(1, 2)])], [item(1, at(0, 9), hours=10)])
    [placement] = replay(week, deciding_on_arrival()).placements
    assert _close(placement.finished_at, at(3, 11))


def test_an_item_arriving_while_the_only_employee_is_away_waits_for_their_return() -> None:
    week = scene([mate(1, away=[(0, 1)])], [item(1, at(0, 10))])
    for policy in (deciding_on_arrival(), batch()):
        [placement] = replay(week, policy).placements
        assert placement.assigned_at == at(2, 0), policy.name  # back Wednesday at midnight


def test_a_waiting_item_goes_the_moment_capacity_frees_or_at_the_next_tick() -> None:
    team = [mate(1, capacity=2)]
    demand = [item(1, at(0, 9), weight=2, hours=62 / 60), item(2, at(0, 9, 5))]
    on_arrival = replay(scene(team, demand), deciding_on_arrival()).placements[1]
    assert on_arrival.assigned_at == at(0, 10, 2)  # when item 1 finished
    in_batch = replay(scene(team, demand), batch()).placements[1]
    assert in_batch.assigned_at == at(0, 10, 10)  # the first tick after that


def test_round_robin_goes_around_the_team() -> None:
    week = scene([mate(1), mate(2), mate(3)], [item(n, at(0, 9, n)) for n in range(1, 7)])
    assert assignees(replay(week, deciding_on_arrival(Strategy.ROUND_ROBIN))) == [1, 2, 3, 1, 2, 3]


def test_skills_send_an_item_only_to_someone_who_has_the_skill() -> None:
    team = [mate(1, skills=["print"]), mate(2, skills=["3D"])]
    demand = [item(n, at(0, 9, n), skill="3d") for n in range(1, 4)]
    policy = deciding_on_arrival()
    matching = policy.__class__(name="skills", settings=RuleSettings(skill_match=True))
    assert assignees(replay(scene(team, demand), matching)) == [2, 2, 2]
    assert assignees(replay(scene(team, demand), policy)) == [1, 2, 1]


def test_look_ahead_keeps_work_from_someone_leaving_tomorrow() -> None:
    # Employee 1 leaves on Tuesday for the week; a four-hour item arrives Monday at 16:00.
    team = [mate(1, away=[(1, 7)]), mate(2)]
    demand = [item(1, at(0, 16), hours=4, deadline=at(1, 18))]
    week = scene(team, demand)
    plain = replay(week, deciding_on_arrival())
    ahead = replay(week, deciding_on_arrival(look_ahead_days=14))
    assert assignees(plain) == [1] and assignees(ahead) == [2]
    assert summarize(plain).overdue_rate == 1.0  # frozen a week with employee 1
    assert summarize(ahead).overdue_rate == 0.0


def test_an_item_nobody_can_ever_take_waits_counts_as_overdue_and_the_replay_ends() -> None:
    week = scene([mate(1, capacity=2)], [item(1, at(0, 9), weight=5, deadline=at(0, 18))])
    for policy in (deciding_on_arrival(), batch()):
        outcome = replay(week, policy)
        report = summarize(outcome)
        assert report.never_assigned == 1 and report.overdue_rate == 1.0
        assert report.mean_wait == outcome.ended_at - at(0, 9) >= timedelta(days=13)


def test_utilization_and_average_load_come_from_the_hours_present() -> None:
    # Monday only: eight working hours, a two-point item in hand for four of them.
    day = scene([mate(1)], [item(1, at(0, 9), weight=2, hours=4)], days=1)
    report = summarize(replay(day, deciding_on_arrival()))
    assert report.utilization == pytest.approx(0.5)
    assert report.average_loads == ((1, pytest.approx(1.0)),)


def test_the_batch_baseline_waits_about_half_a_cycle_while_deciding_on_arrival_waits_none() -> None:
    light = synthetic_scenario(
        SyntheticSpec(seed=3, days=20, arrivals_per_hour=0.5, capacity=Decimal(1000))
    )
    reports = {r.policy: r for r in map(summarize, _replays(light))}
    batch_report = reports.pop("batch every 10 min")
    assert len(light.demand) > 50
    assert all(r.mean_wait == timedelta(0) for r in reports.values())
    assert timedelta(minutes=4) <= batch_report.mean_wait <= timedelta(minutes=10)
    assert batch_report.p95_wait <= timedelta(minutes=10)


def test_a_seed_gives_the_same_replay_and_another_seed_another() -> None:
    spec = SyntheticSpec(seed=11, days=10)
    once = [r.placements for r in _replays(synthetic_scenario(spec))]
    again = [r.placements for r in _replays(synthetic_scenario(spec))]
    other = [r.placements for r in _replays(synthetic_scenario(SyntheticSpec(seed=12, days=10)))]
    assert once == again
    assert once != other


def test_a_busy_month_never_puts_anyone_over_capacity_nor_gives_work_to_the_absent() -> None:
    busy = synthetic_scenario(SyntheticSpec(seed=5, days=30, arrivals_per_hour=4.0))
    assert any(m.away for m in busy.team)
    for outcome in _replays(busy):
        assert sum(p.assigned_at is not None for p in outcome.placements) > 100
        _assert_within_capacity(busy, outcome)
        _assert_nothing_given_while_away(busy, outcome)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    employees=st.integers(1, 6),
    per_hour=st.floats(0.5, 6.0),
    capacity=st.integers(2, 12),
)
def test_no_policy_ever_assigns_over_capacity_or_to_the_absent(
    seed: int, employees: int, per_hour: float, capacity: int
) -> None:
    spec = SyntheticSpec(
        seed=seed,
        days=7,
        employees=employees,
        arrivals_per_hour=per_hour,
        capacity=Decimal(capacity),
    )
    scenario = synthetic_scenario(spec)
    for outcome in _replays(scenario):
        _assert_within_capacity(scenario, outcome)
        _assert_nothing_given_while_away(scenario, outcome)
        for p in outcome.placements:
            assert p.assigned_at is None or p.assigned_at >= p.arrives_at
            assert p.finished_at is None or (p.assigned_at and p.finished_at > p.assigned_at)


def test_a_scenario_refuses_an_empty_team_and_items_outside_its_period() -> None:
    with pytest.raises(InvalidValue) as empty:
        scene([], [item(1, at(0, 9))])
    assert empty.value.field == "team"
    with pytest.raises(InvalidValue) as outside:
        scene([mate(1)], [item(1, at(3, 9))], days=2)
    assert outside.value.field == "demand"
    with pytest.raises(InvalidValue) as late:
        item(1, at(1, 9), deadline=at(0, 9))
    assert late.value.field == "deadline"


def _replays(scenario: Scenario) -> list[Replay]:
    return [replay(scenario, policy) for policy in standard_policies(scenario.settings)]


def _assert_within_capacity(scenario: Scenario, outcome: Replay) -> None:
    """Rebuilt from the placements alone: at each assignment, what its employee holds."""
    default = scenario.settings.default_capacity_points
    caps = {m.employee_id: m.capacity_points or default for m in scenario.team}
    weight = {d.item_id: d.weight for d in scenario.demand}
    held: dict[int, list[Placement]] = defaultdict(list)
    for p in outcome.placements:
        if p.employee_id is not None:
            held[p.employee_id].append(p)
    for employee_id, placements in held.items():
        cap = caps[employee_id]
        assert cap is not None
        # A sweep over their day: finishes free points before assignments at the same instant.
        changes = []
        for p in placements:
            assert p.assigned_at is not None
            changes.append((p.assigned_at, 1, weight[p.item_id], p))
            if p.finished_at is not None:
                changes.append((p.finished_at, 0, -weight[p.item_id], p))
        load = Decimal(0)
        for _, _, change, p in sorted(changes, key=lambda c: (c[0], c[1], c[3].item_id)):
            load += change
            assert load <= cap, (outcome.policy.name, employee_id, p)


def _assert_nothing_given_while_away(scenario: Scenario, outcome: Replay) -> None:
    away = {m.employee_id: m.away for m in scenario.team}
    for p in outcome.placements:
        if p.employee_id is None or p.assigned_at is None:
            continue
        today = p.assigned_at.astimezone(TZ).date()
        assert not any(a.first <= today <= a.last for a in away[p.employee_id]), (
            outcome.policy.name,
            p,
        )


def _close(moment: object, expected: object) -> bool:
    assert moment is not None
    return abs(moment - expected) <= FINISH_TOLERANCE  # type: ignore[operator]
