"""The rows of the comparison: each strategy on arrival, look-ahead when it can matter, and
the batch baseline, all keeping the rule's own filters and capacity."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from conveyor.domain.errors import InvalidValue
from conveyor.engines.assignment import RuleSettings, Strategy
from conveyor.engines.simulation import Policy, policies_for, standard_policies

from .scenes import at, item, mate, scene


def test_every_strategy_keeps_the_rules_filters_and_only_the_batch_waits_for_a_cycle() -> None:
    base = RuleSettings(
        exclude_heads=True,
        default_capacity_points=Decimal(5),
        strategy=Strategy.FAIR_SHARE,
        look_ahead_days=3,
    )
    policies = standard_policies(base, cycle=timedelta(minutes=15), look_ahead_days=7)
    assert [p.name for p in policies] == [
        "round robin",
        "least loaded",
        "fair share",
        "least loaded + look-ahead",
        "batch every 15 min",
    ]
    assert [p.settings.strategy for p in policies] == [
        Strategy.ROUND_ROBIN,
        Strategy.LEAST_LOADED,
        Strategy.FAIR_SHARE,
        Strategy.LEAST_LOADED,
        Strategy.LEAST_LOADED,
    ]
    assert [p.settings.look_ahead_days for p in policies] == [None, None, None, 7, None]
    assert [p.cycle for p in policies] == [None] * 4 + [timedelta(minutes=15)]
    assert all(p.settings.exclude_heads for p in policies)
    assert all(p.settings.default_capacity_points == Decimal(5) for p in policies)


def test_look_ahead_is_compared_only_when_someone_has_an_absence() -> None:
    demand = [item(1, at(0, 9))]
    present = policies_for(scene([mate(1), mate(2)], demand))
    with_vacation = policies_for(scene([mate(1), mate(2, away=[(3, 5)])], demand))
    assert "least loaded + look-ahead" not in [p.name for p in present]
    assert "least loaded + look-ahead" in [p.name for p in with_vacation]


def test_a_cycle_must_be_positive() -> None:
    with pytest.raises(InvalidValue) as refused:
        Policy(name="never", settings=RuleSettings(), cycle=timedelta(0))
    assert refused.value.field == "cycle"
