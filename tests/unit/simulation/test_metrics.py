"""The figures of a simulation report: mean, nearest-rank percentile, spread and Gini."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conveyor.engines.simulation import gini, mean, percentile, spread

loads = st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=40)


def test_equal_loads_have_a_gini_of_zero_and_no_spread() -> None:
    assert gini([3.0, 3.0, 3.0, 3.0]) == 0.0
    assert spread([3.0, 3.0, 3.0, 3.0]) == 0.0


def test_one_employee_holding_everything_has_the_largest_gini_for_the_team_size() -> None:
    assert gini([0.0, 0.0, 0.0, 8.0]) == pytest.approx(3 / 4)
    assert gini([0.0, 5.0]) == pytest.approx(1 / 2)


def test_gini_is_half_the_mean_absolute_difference_over_the_mean() -> None:
    values = [1.0, 2.0, 3.0, 10.0]
    pairs = sum(abs(a - b) for a in values for b in values)
    expected = pairs / (2 * len(values) ** 2 * mean(values))
    assert gini(values) == pytest.approx(expected)


def test_nobody_loaded_is_an_equal_team_and_negative_loads_are_refused() -> None:
    assert gini([0.0, 0.0]) == 0.0
    assert gini([]) == 0.0
    with pytest.raises(ValueError):
        gini([1.0, -1.0])


def test_the_p95_is_a_value_that_occurred_with_95_percent_at_or_below_it() -> None:
    waits = [float(n) for n in range(1, 101)]  # 1..100
    assert percentile(waits, 0.95) == 95.0
    assert percentile(waits, 1.0) == 100.0
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([0.0] * 19 + [600.0], 0.95) == 0.0  # one long wait in twenty
    assert percentile([0.0] * 18 + [600.0, 600.0], 0.95) == 600.0


def test_empty_figures_read_as_zero_and_a_bad_fraction_is_refused() -> None:
    assert mean([]) == percentile([], 0.5) == spread([]) == 0.0
    with pytest.raises(ValueError):
        percentile([1.0], 0.0)
    with pytest.raises(ValueError):
        percentile([1.0], 1.5)


def test_mean_and_spread() -> None:
    assert mean([1.0, 2.0, 6.0]) == 3.0
    assert spread([4.0, 1.5, 9.0]) == 7.5


@given(loads)
def test_gini_stays_between_zero_and_its_maximum(values: list[float]) -> None:
    n = len(values)
    assert 0.0 <= gini(values) <= (n - 1) / n + 1e-9


@given(loads, st.floats(min_value=0.01, max_value=1000), st.randoms())
def test_gini_ignores_order_and_scale(
    values: list[float], factor: float, rng: random.Random
) -> None:
    shuffled = list(values)
    rng.shuffle(shuffled)
    scaled = [v * factor for v in values]
    assert math.isclose(gini(shuffled), gini(values), abs_tol=1e-9)
    assert math.isclose(gini(scaled), gini(values), abs_tol=1e-6)


@given(loads, st.floats(min_value=0.01, max_value=1.0))
def test_a_percentile_is_one_of_the_values_with_enough_at_or_below_it(
    values: list[float], fraction: float
) -> None:
    found = percentile(values, fraction)
    assert found in values
    at_or_below = sum(v <= found for v in values)
    assert at_or_below >= fraction * len(values) - 1e-9
    # and it is the smallest such value
    below = sum(v < found for v in values)
    assert below < fraction * len(values) + 1e-9
