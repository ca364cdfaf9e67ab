"""Synthetic demand: plausible, seeded, and refused with the option at fault when asked for
something impossible."""

from __future__ import annotations

from collections import Counter
from datetime import time
from decimal import Decimal

import pytest

from conveyor.domain.errors import InvalidValue
from conveyor.engines.simulation import SyntheticSpec, offered_load, synthetic_scenario

from .scenes import TZ


def test_items_arrive_only_in_working_hours_on_working_days() -> None:
    scenario = synthetic_scenario(SyntheticSpec(seed=2, days=28, arrivals_per_hour=3.0))
    assert len(scenario.demand) > 300
    for d in scenario.demand:
        local = d.arrives_at.astimezone(TZ)
        assert local.weekday() < 5
        assert time(9) <= local.time() < time(13) or time(14) <= local.time() < time(18)
        assert d.deadline is not None and d.deadline > d.arrives_at + d.effort / 2


def test_most_items_are_light_and_heavy_ones_take_longer() -> None:
    scenario = synthetic_scenario(SyntheticSpec(seed=4, days=60, arrivals_per_hour=4.0))
    weights = Counter(d.weight for d in scenario.demand)
    assert weights[Decimal(1)] > weights[Decimal(2)] > weights[Decimal(3)] > weights[Decimal(5)]

    def median_hours(weight: int) -> float:
        hours = sorted(
            d.effort.total_seconds() / 3600 for d in scenario.demand if d.weight == weight
        )
        return hours[len(hours) // 2]

    assert median_hours(1) < median_hours(2) < median_hours(3) < median_hours(5)


def test_the_team_has_juniors_at_half_capacity_and_someone_on_vacation() -> None:
    scenario = synthetic_scenario(SyntheticSpec(seed=7, employees=8, capacity=Decimal(6)))
    assert scenario.settings.default_capacity_points == Decimal(6)
    juniors = [m for m in scenario.team if m.capacity_points is not None]
    assert len(juniors) == 2 and all(m.capacity_points == Decimal(3) for m in juniors)
    away = [a for m in scenario.team for a in m.away]
    assert len(away) == 2 and all(5 <= (a.last - a.first).days + 1 <= 9 for a in away)


def test_the_same_seed_gives_the_same_month_and_the_offered_load_follows_the_arrivals() -> None:
    spec = SyntheticSpec(seed=9, days=15)
    assert synthetic_scenario(spec) == synthetic_scenario(spec)
    assert synthetic_scenario(spec) != synthetic_scenario(SyntheticSpec(seed=10, days=15))
    calm = offered_load(synthetic_scenario(SyntheticSpec(seed=9, arrivals_per_hour=1.0)))
    busy = offered_load(synthetic_scenario(SyntheticSpec(seed=9, arrivals_per_hour=3.0)))
    assert 0 < calm < busy


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"days": 0}, "days"),
        ({"days": 400}, "days"),
        ({"employees": 0}, "employees"),
        ({"arrivals_per_hour": 0.0}, "arrivals_per_hour"),
        ({"capacity": Decimal(0)}, "capacity"),
        ({"capacity": Decimal("NaN")}, "capacity"),
        ({"slack_hours": -1.0}, "slack_hours"),
    ],
)
def test_an_impossible_spec_is_refused_naming_the_option(
    change: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        SyntheticSpec(**change)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_a_month_too_large_to_replay_quickly_is_refused_rather_than_left_running() -> None:
    with pytest.raises(InvalidValue) as refused:
        synthetic_scenario(SyntheticSpec(days=366, arrivals_per_hour=1000.0))
    assert refused.value.field == "arrivals_per_hour"
