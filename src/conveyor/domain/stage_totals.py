"""A pipeline's stages at a glance: how many items each holds and what they are worth."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, kw_only=True)
class StageTotal:
    """The items of one stage in one currency: how many, and their amounts summed
    (``None`` when none of them has an amount)."""

    stage_id: int
    currency: str
    count: int
    amount: Decimal | None


@dataclass(frozen=True, kw_only=True)
class StageSummary:
    """All the items of one stage: how many, and the sum of their amounts per currency
    (only currencies with an amount, by code)."""

    stage_id: int
    count: int = 0
    sums: tuple[tuple[str, Decimal], ...] = ()


def summarize(totals: Iterable[StageTotal]) -> dict[int, StageSummary]:
    """One summary per stage that has items, from its per-currency totals."""
    counts: dict[int, int] = {}
    sums: dict[int, dict[str, Decimal]] = {}
    for total in totals:
        counts[total.stage_id] = counts.get(total.stage_id, 0) + total.count
        money = sums.setdefault(total.stage_id, {})
        if total.amount is not None:
            money[total.currency] = money.get(total.currency, Decimal(0)) + total.amount
    return {
        stage_id: StageSummary(
            stage_id=stage_id, count=count, sums=tuple(sorted(sums[stage_id].items()))
        )
        for stage_id, count in counts.items()
    }
