"""The figures a simulation reports, as plain functions of numbers.

Conventions, so that a table reads the same whatever the data: an empty sequence has a
mean, percentile, spread and Gini of 0; percentiles are nearest-rank (the p95 is a value
that really occurred, and at least 95 % of the values are at or below it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values) if values else 0.0


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value with at least ``fraction`` of the
    values at or below it (``fraction`` in ``(0, 1]``)."""
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1]")
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = math.ceil(fraction * len(ordered))
    return ordered[max(rank, 1) - 1]


def spread(values: Sequence[float]) -> float:
    """The largest minus the smallest."""
    return max(values) - min(values) if values else 0.0


def gini(values: Sequence[float]) -> float:
    """How unequal non-negative shares are: 0 when all are equal, ``(n-1)/n`` when one
    holds everything. Half the mean absolute difference between all pairs, over the mean;
    computed on the sorted values in O(n log n). All zeros are equal: 0."""
    if any(v < 0 for v in values):
        raise ValueError("Gini is defined for non-negative values")
    total = math.fsum(values)
    if not values or total == 0:
        return 0.0
    ordered = sorted(values)
    n = len(ordered)
    weighted = math.fsum((rank + 1) * value for rank, value in enumerate(ordered))
    return max((2 * weighted) / (n * total) - (n + 1) / n, 0.0)
