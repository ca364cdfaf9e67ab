"""The filters, in their fixed order; a dropped candidate records the first one that fails.

The order goes from the most lasting reason to the most passing one:

1. ``dismissed``            — not active any more;
2. ``excluded``             — named in the rule's exclusions;
3. ``department_head``      — the rule excludes heads;
4. ``external_not_allowed`` — external employee, the rule takes internal ones only;
5. ``previous_owner``       — "never back to the previous owner";
6. ``lacks_skill``          — skill match on, the item's tag missing;
7. ``absent``               — an absence covers today (if the rule respects absences);
8. ``day_not_open``         — working day paused, closed or not opened (if respected);
9. ``outside_hours``        — outside their schedule's hours (if respected);
10. ``at_capacity``         — ``load + weight`` would exceed the cap.

Why this order: the recorded reason is the one that matters most to a reader. "Department
head" says more than "at capacity" about a head who is also busy, and capacity comes last
so that "at capacity" is said only of people who would otherwise have got the item: they
are exactly the ones whose freed capacity should wake the rule's queue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType

from conveyor.domain.workdays import DayState
from conveyor.engines.assignment.settings import RuleSettings
from conveyor.engines.assignment.snapshots import CandidateSnapshot, WorkItem
from conveyor.engines.assignment.verdicts import NO_DETAILS, Reason

Check = Callable[[CandidateSnapshot, Decimal | None], Reason]
"""The filters for one item under one rule: ``check(candidate, capacity) -> Reason``."""

FILTER_ORDER: tuple[Reason, ...] = (
    Reason.DISMISSED,
    Reason.EXCLUDED,
    Reason.DEPARTMENT_HEAD,
    Reason.EXTERNAL_NOT_ALLOWED,
    Reason.PREVIOUS_OWNER,
    Reason.LACKS_SKILL,
    Reason.ABSENT,
    Reason.DAY_NOT_OPEN,
    Reason.OUTSIDE_HOURS,
    Reason.AT_CAPACITY,
)
"""The reasons ``make_check``'s filters drop a candidate for, in the order it applies them
(``Reason.KEPT``, passing them all, is not among them). A dropped candidate passed every
filter before its reason and was never put to those after it; readers of a decision (the
item card's "why this person?") rely on that. Keep it in step with ``check`` below: a unit
test holds the two together."""

# The reasons whose verdict carries particulars (see ``details_of``).
WITH_DETAILS = frozenset({Reason.LACKS_SKILL, Reason.ABSENT, Reason.DAY_NOT_OPEN})

_DAY_STATES: dict[DayState | None, Mapping[str, str]] = {
    state: MappingProxyType({"state": state.value if state else "not_opened"})
    for state in (None, DayState.PAUSED, DayState.CLOSED)
}


def required_skill_of(item: WorkItem, settings: RuleSettings) -> str | None:
    """The item's skill tag as compared (casefolded), or ``None`` when nothing is matched."""
    if not settings.skill_match or item.required_skill is None:
        return None
    return item.required_skill.strip().casefold() or None


def make_check(item: WorkItem, settings: RuleSettings) -> Check:
    """The filters above, in their order (``FILTER_ORDER``), bound to ``item`` and ``settings``.

    ``check(candidate, capacity)`` returns the first reason that drops the candidate, or
    ``Reason.KEPT``; ``capacity`` is the employee's own cap, else the rule's default
    (``None``: no cap). Binding once per decision keeps the per-candidate work to the
    comparisons themselves: a decision runs this for every employee of the pool.
    """
    excluded = settings.excluded_ids
    exclude_heads = settings.exclude_heads
    refuse_external = not settings.allow_external
    previous_owner = item.previous_owner_id if settings.never_previous_owner else None
    skill = required_skill_of(item, settings)
    respect_absences = settings.respect_absences
    respect_day = settings.respect_day_status
    respect_hours = settings.respect_working_hours
    weight = item.weight
    is_open = DayState.OPEN

    def check(candidate: CandidateSnapshot, capacity: Decimal | None) -> Reason:
        if not candidate.active:
            return Reason.DISMISSED
        if candidate.employee_id in excluded:
            return Reason.EXCLUDED
        if exclude_heads and candidate.is_head:
            return Reason.DEPARTMENT_HEAD
        if refuse_external and candidate.is_external:
            return Reason.EXTERNAL_NOT_ALLOWED
        if candidate.employee_id == previous_owner:
            return Reason.PREVIOUS_OWNER
        if skill is not None and skill not in candidate.skills:
            return Reason.LACKS_SKILL
        if respect_absences and candidate.absence is not None:
            return Reason.ABSENT
        if respect_day and candidate.day_state is not is_open:
            return Reason.DAY_NOT_OPEN
        if respect_hours and not candidate.in_working_hours:
            return Reason.OUTSIDE_HOURS
        if capacity is not None and candidate.load_points + weight > capacity:
            return Reason.AT_CAPACITY
        return Reason.KEPT

    return check


Details = Callable[[Reason, CandidateSnapshot], Mapping[str, str]]


def make_details(item: WorkItem) -> Details:
    """``details(reason, candidate)``: the particulars of a drop, as template strings.

    Only reasons in ``WITH_DETAILS`` have any; the skill's is the same for every candidate
    of the decision, so it is built once.
    """
    skill: Mapping[str, str] = MappingProxyType({"skill": (item.required_skill or "").strip()})

    def details(reason: Reason, candidate: CandidateSnapshot) -> Mapping[str, str]:
        if reason is Reason.LACKS_SKILL:
            return skill
        if reason is Reason.DAY_NOT_OPEN:
            return _DAY_STATES[candidate.day_state]
        if reason is Reason.ABSENT and candidate.absence is not None:
            absence = candidate.absence
            return {"kind": absence.kind.value, "until": absence.until.isoformat()}
        return NO_DETAILS

    return details
