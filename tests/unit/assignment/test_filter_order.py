"""``FILTER_ORDER`` is the order the engine's filters really apply: readers of a decision
(the item card's "why this person?") lean on it, so a change to ``make_check`` that is not
made to ``FILTER_ORDER`` too fails here rather than on the page."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from conveyor.domain.workdays import DayState
from conveyor.engines.assignment import (
    FILTER_ORDER,
    CandidateSnapshot,
    Reason,
    RuleSettings,
    WorkItem,
    skill_tags,
)
from conveyor.engines.assignment.filters import make_check

from .people import TODAY, on_vacation, person

CAPACITY = Decimal(3)
# A rule that makes every check there is, and an item with a skill and a previous owner.
RULE = RuleSettings(
    respect_absences=True,
    respect_day_status=True,
    respect_working_hours=True,
    exclude_heads=True,
    allow_external=False,
    skill_match=True,
    never_previous_owner=True,
)
ITEM = WorkItem(item_id=1, weight=Decimal(1), required_skill="3D")
# Someone who passes every check of the rule.
FREE = person(7, skills=skill_tags("3d"), load_points=Decimal(0))

Part = dict[str, dict[str, Any]]
# For each reason, what makes the candidate fail that check alone: changes to the
# candidate, the item or the rule.
FAILING: dict[Reason, Part] = {
    Reason.DISMISSED: {"candidate": {"active": False}},
    Reason.EXCLUDED: {"rule": {"excluded_ids": frozenset({7})}},
    Reason.DEPARTMENT_HEAD: {"candidate": {"is_head": True}},
    Reason.EXTERNAL_NOT_ALLOWED: {"candidate": {"is_external": True}},
    Reason.PREVIOUS_OWNER: {"item": {"previous_owner_id": 7}},
    Reason.LACKS_SKILL: {"candidate": {"skills": skill_tags("copywriting")}},
    Reason.ABSENT: {"candidate": {"absence": on_vacation(TODAY)}},
    Reason.DAY_NOT_OPEN: {"candidate": {"day_state": DayState.PAUSED}},
    Reason.OUTSIDE_HOURS: {"candidate": {"in_working_hours": False}},
    Reason.AT_CAPACITY: {"candidate": {"load_points": CAPACITY}},
}


def check(failing: list[Reason]) -> Reason:
    """The engine's verdict on ``FREE`` made to fail the checks of ``failing``."""
    candidate: CandidateSnapshot = FREE
    item, rule = ITEM, RULE
    for reason in failing:
        changes = FAILING[reason]
        candidate = replace(candidate, **changes.get("candidate", {}))
        item = replace(item, **changes.get("item", {}))
        rule = replace(rule, **changes.get("rule", {}))
    return make_check(item, rule)(candidate, CAPACITY)


def test_every_reason_but_kept_is_a_filter_named_once() -> None:
    assert len(set(FILTER_ORDER)) == len(FILTER_ORDER)
    assert set(FILTER_ORDER) == set(Reason) - {Reason.KEPT}
    assert set(FAILING) == set(FILTER_ORDER)


def test_each_check_alone_drops_for_its_own_reason() -> None:
    assert check([]) is Reason.KEPT
    for reason in FILTER_ORDER:
        assert check([reason]) is reason


def test_someone_failing_several_checks_is_dropped_for_the_first_in_the_exported_order() -> None:
    # Failing every check, then passing one more of them at a time in the exported order:
    # the reason given must each time be the next one of that order.
    for place, reason in enumerate(FILTER_ORDER):
        assert check(list(FILTER_ORDER[place:])) is reason
    # And any two: the earlier in the order wins, whichever way round they are failed.
    for place, earlier in enumerate(FILTER_ORDER):
        for later in FILTER_ORDER[place + 1 :]:
            assert check([later, earlier]) is earlier, (earlier, later)
