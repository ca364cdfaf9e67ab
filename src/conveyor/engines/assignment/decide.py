"""``decide``: the whole decision for one item, pure and deterministic.

Engines decide, workers act: this function reads nothing but its arguments (time is passed
in), changes nothing, and returns a :class:`Decision` a worker applies and records.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from operator import attrgetter

from conveyor.domain.errors import InvalidValue, NaiveDatetime
from conveyor.engines.assignment.filters import WITH_DETAILS, make_check, make_details
from conveyor.engines.assignment.settings import RuleSettings
from conveyor.engines.assignment.snapshots import CandidateSnapshot, WorkItem
from conveyor.engines.assignment.strategies import rank_keys
from conveyor.engines.assignment.verdicts import NO_DETAILS, Decision, Reason, Verdict

_BY_ID = attrgetter("employee_id")
_KEPT = Reason.KEPT
_new = tuple.__new__


def decide(
    item: WorkItem,
    candidates: Iterable[CandidateSnapshot],
    settings: RuleSettings,
    *,
    now: datetime,
    round_robin_cursor: int | None = None,
) -> Decision:
    """Choose who gets ``item`` among ``candidates``, with a verdict for every candidate.

    Each candidate goes through the filters of ``filters`` in their fixed order and is
    dropped with the first that fails; the kept ones are ranked by ``settings.strategy``
    (see ``strategies``) and the smallest rank key wins. Guarantees:

    - the chosen one is kept, and ``load_points + item.weight <= capacity`` for them;
    - ``chosen_id`` is ``None`` when nobody is kept (the item waits in the rule's queue);
    - the result does not depend on the order of ``candidates`` (ties end on the id);
    - look-ahead (``settings.look_ahead_days`` and ``item.expected_days`` both set): someone
      whose next absence starts before ``now``'s date plus the expected days (capped at the
      look-ahead) is ranked after everyone else, with ``away_from`` on their verdict.

    ``now`` is timezone-aware and its date is "today" for look-ahead, so pass it in the
    company's timezone. ``round_robin_cursor`` is the previous decision's ``next_cursor``.
    Raises ``InvalidValue`` when an employee appears twice.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise NaiveDatetime(field="now")
    ordered = sorted(candidates, key=_BY_ID)
    check, details_of = make_check(item, settings), make_details(item)
    default_capacity = settings.default_capacity_points
    away_before = _look_ahead_limit(item, settings, now.date())

    # First pass: filter. Kept candidates leave a hole (None) in ``outcomes`` that the
    # second pass fills once the strategy has ranked them all (fair share needs totals).
    # Verdicts are built with ``tuple.__new__``: the same named tuple at half the cost of
    # its keyword constructor, which matters a thousand times per decision.
    outcomes: list[Verdict | None] = []
    kept: list[CandidateSnapshot] = []
    kept_capacity: list[Decimal | None] = []
    late: list[bool] = []
    previous_id: int | None = None
    add_outcome, add_kept = outcomes.append, kept.append
    for candidate in ordered:
        employee_id = candidate.employee_id
        if employee_id == previous_id:
            raise InvalidValue(
                f"Employee {employee_id} appears twice among the candidates", field="candidates"
            )
        previous_id = employee_id
        capacity = candidate.capacity_points
        if capacity is None:
            capacity = default_capacity
        reason = check(candidate, capacity)
        if reason is _KEPT:
            add_outcome(None)
            add_kept(candidate)
            kept_capacity.append(capacity)
            starts = candidate.next_absence_starts_on
            late.append(away_before is not None and starts is not None and starts < away_before)
            continue
        details = details_of(reason, candidate) if reason in WITH_DETAILS else NO_DETAILS
        add_outcome(
            _new(
                Verdict,
                (
                    employee_id,
                    candidate.name,
                    False,
                    reason,
                    candidate.load_points,
                    candidate.load_count,
                    capacity,
                    details,
                    None,
                    None,
                ),
            )
        )

    keys = rank_keys(kept, late, settings, round_robin_cursor=round_robin_cursor)
    kept_verdicts = iter(
        [
            _new(
                Verdict,
                (
                    c.employee_id,
                    c.name,
                    True,
                    _KEPT,
                    c.load_points,
                    c.load_count,
                    capacity,
                    NO_DETAILS,
                    key,
                    c.next_absence_starts_on if is_late else None,
                ),
            )
            for c, capacity, is_late, key in zip(kept, kept_capacity, late, keys, strict=True)
        ]
    )
    verdicts = tuple([v if v is not None else next(kept_verdicts) for v in outcomes])
    best = min(range(len(keys)), key=keys.__getitem__, default=None)
    return Decision(
        item=item,
        strategy=settings.strategy,
        decided_at=now,
        chosen_id=None if best is None else kept[best].employee_id,
        verdicts=verdicts,
        round_robin_cursor=round_robin_cursor,
    )


def _look_ahead_limit(item: WorkItem, settings: RuleSettings, today: date) -> date | None:
    """The day the work would be done; an absence starting before it makes someone late."""
    if settings.look_ahead_days is None or item.expected_days is None:
        return None
    return today + timedelta(days=min(item.expected_days, settings.look_ahead_days))
