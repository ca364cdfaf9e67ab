"""How a strategy orders the kept candidates: each gets a rank key, the smallest key wins.

Every key starts with the look-ahead flag (False, or True for someone whose absence starts before
the work would be done: ranked after everyone else, never dropped) and ends with the
employee id, so keys never tie and the winner does not depend on the input order.

- **round robin**: ``(late, wrapped, id)``: the first kept id after the cursor, wrapping
  round to the smallest id (``wrapped`` is False after the cursor, True at or before it).
- **least loaded**: ``(late, load_points, idle, id)``: fewest points; ties go to the longest
  idle so nobody starves (``idle`` is the last assignment's timestamp, minus infinity for
  someone never assigned), then the lowest id.
- **fair share with carry-over**: ``(late, -deficit, load_points, idle, id)``, see
  :func:`fair_share_deficits`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from conveyor.engines.assignment.settings import RuleSettings, Strategy
from conveyor.engines.assignment.snapshots import CandidateSnapshot
from conveyor.engines.assignment.verdicts import RankKey, Verdict

_NEVER = -math.inf


def _idle(last_assigned_at: datetime | None) -> float:
    """Sorts the longest idle first: never assigned, then the oldest last assignment."""
    return _NEVER if last_assigned_at is None else last_assigned_at.timestamp()


def fair_share_deficits(kept: Sequence[CandidateSnapshot], *, carry_days: int) -> list[float]:
    """How many items each kept candidate is below their fair share (negative: above it).

    Over the window, with ``a`` items received and ``p`` days present by each candidate
    (at least 1: they are here today), ``A = sum(a)``, ``P = sum(p)`` and ``T = A + 1``
    counting the item being placed, each one's share is proportional to their presence::

        share = T * p / P            deficit = share - a

    Carry-over: a deficit left from earlier days counts (someone skipped while at capacity
    catches up), but at most ``carry_days`` average days of work::

        cap = carry_days * T / P        deficit = min(share - a, cap)

    This is the ramp-up. Someone back from two weeks of vacation has few present days, so
    their share is small and they are not owed the two weeks (not flooded); every day
    present adds to their share, so they take their part from the first day (not starved).
    And whoever is more than ``carry_days`` behind ties with the others that far behind, so
    least load, not the size of an old debt, decides among them. Computed on integers
    (everything times ``P``) so the comparison is exact; returned in items, for reading.
    """
    if not kept:
        return []
    present = [max(c.present_days_in_window, 1) for c in kept]
    total_present = sum(present)
    total = sum(c.assigned_in_window for c in kept) + 1
    cap = carry_days * total
    scaled = (
        min(cap, total * p - c.assigned_in_window * total_present)
        for c, p in zip(kept, present, strict=True)
    )
    return [d / total_present for d in scaled]


def rank_keys(
    kept: Sequence[CandidateSnapshot],
    late: Sequence[bool],
    settings: RuleSettings,
    *,
    round_robin_cursor: int | None,
) -> list[RankKey]:
    """One rank key per kept candidate, in the same order; the smallest key wins."""
    strategy = settings.strategy
    if strategy is Strategy.ROUND_ROBIN:
        cursor = -math.inf if round_robin_cursor is None else round_robin_cursor
        return [
            (is_late, c.employee_id <= cursor, c.employee_id)
            for c, is_late in zip(kept, late, strict=True)
        ]
    if strategy is Strategy.LEAST_LOADED:
        return [
            (is_late, c.load_points, _idle(c.last_assigned_at), c.employee_id)
            for c, is_late in zip(kept, late, strict=True)
        ]
    deficits = fair_share_deficits(kept, carry_days=settings.fair_share_carry_days)
    return [
        (is_late, -deficit, c.load_points, _idle(c.last_assigned_at), c.employee_id)
        for c, is_late, deficit in zip(kept, late, deficits, strict=True)
    ]


def ranking_facts(strategy: Strategy, verdict: Verdict) -> dict[str, str]:
    """What the explanation says about why the chosen one ranked first."""
    if strategy is Strategy.FAIR_SHARE and verdict.rank is not None:
        deficit = -float(verdict.rank[1])
        return {
            "deficit": f"{abs(deficit):.1f}",
            "direction": "below" if deficit >= 0 else "above",
        }
    return {}


def format_points(points: Decimal) -> str:
    """``Decimal("8.50")`` as ``"8.5"``, ``Decimal("10")`` as ``"10"``."""
    text = f"{points.normalize():f}"
    return "0" if text in ("-0", "") else text
