"""Who gets the work and why: the filters, each reason, and the explanation sentence."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.errors import InvalidValue, NaiveDatetime
from conveyor.domain.workdays import DayState
from conveyor.engines.assignment import (
    CurrentAbsence,
    Reason,
    RuleSettings,
    WorkItem,
    decide,
    explain,
)

from .people import NOW, TODAY, on_vacation, person

DESIGNERS = RuleSettings(exclude_heads=True, default_capacity_points=Decimal(10))


def test_a_deal_reaching_development_goes_to_the_least_loaded_present_designer_never_the_head():
    team = [
        person(1, "Maria", is_head=True, load=0),
        person(2, "Oleg", absence=on_vacation(date(2026, 11, 28)), load=0),
        person(3, "Daria Designer", load=3),
        person(4, "Ivan", load=8, capacity=8),
        person(5, "Petr", load=5),
    ]
    decision = decide(WorkItem(item_id=42, entity="deal"), team, DESIGNERS, now=NOW)

    assert decision.chosen_id == 3
    assert [(v.employee_id, v.reason) for v in decision.verdicts] == [
        (1, Reason.DEPARTMENT_HEAD),
        (2, Reason.ABSENT),
        (3, Reason.KEPT),
        (4, Reason.AT_CAPACITY),
        (5, Reason.KEPT),
    ]
    assert explain(decision) == (
        "Deal 42 went to Daria Designer (least loaded: 3/10 points). "
        "Not chosen: Maria — department head; Oleg — on vacation until 28.11; "
        "Ivan — at capacity 8/8 points; Petr — ranked lower (5/10 points)."
    )


@pytest.mark.parametrize(
    ("candidate", "settings", "item", "reason", "details", "sentence"),
    [
        (
            person(1, "Ann", active=False),
            RuleSettings(),
            WorkItem(item_id=1),
            Reason.DISMISSED,
            {},
            "Ann — no longer active",
        ),
        (
            person(1, "Ann"),
            RuleSettings(excluded_ids=frozenset({1})),
            WorkItem(item_id=1),
            Reason.EXCLUDED,
            {},
            "Ann — excluded by the rule",
        ),
        (
            person(1, "Ann", is_head=True),
            RuleSettings(exclude_heads=True),
            WorkItem(item_id=1),
            Reason.DEPARTMENT_HEAD,
            {},
            "Ann — department head",
        ),
        (
            person(1, "Ann", is_external=True),
            RuleSettings(allow_external=False),
            WorkItem(item_id=1),
            Reason.EXTERNAL_NOT_ALLOWED,
            {},
            "Ann — external employee",
        ),
        (
            person(1, "Ann"),
            RuleSettings(never_previous_owner=True),
            WorkItem(item_id=1, previous_owner_id=1),
            Reason.PREVIOUS_OWNER,
            {},
            "Ann — had it before",
        ),
        (
            person(1, "Ann", skills=("print",)),
            RuleSettings(skill_match=True),
            WorkItem(item_id=1, required_skill="3D"),
            Reason.LACKS_SKILL,
            {"skill": "3D"},
            'Ann — lacks skill "3D"',
        ),
        (
            person(
                1,
                "Ann",
                absence=CurrentAbsence(kind=AbsenceKind.SICK_LEAVE, until=date(2026, 12, 3)),
            ),
            RuleSettings(),
            WorkItem(item_id=1),
            Reason.ABSENT,
            {"kind": "sick_leave", "until": "2026-12-03"},
            "Ann — on sick leave until 03.12",
        ),
        (
            person(1, "Ann", day_state=DayState.PAUSED),
            RuleSettings(respect_day_status=True),
            WorkItem(item_id=1),
            Reason.DAY_NOT_OPEN,
            {"state": "paused"},
            "Ann — day paused",
        ),
        (
            person(1, "Ann", day_state=None),
            RuleSettings(respect_day_status=True),
            WorkItem(item_id=1),
            Reason.DAY_NOT_OPEN,
            {"state": "not_opened"},
            "Ann — day not opened",
        ),
        (
            person(1, "Ann", in_working_hours=False),
            RuleSettings(respect_working_hours=True),
            WorkItem(item_id=1),
            Reason.OUTSIDE_HOURS,
            {},
            "Ann — outside working hours",
        ),
        (
            person(1, "Ann", load=7),
            RuleSettings(default_capacity_points=Decimal(8)),
            WorkItem(item_id=1, weight=Decimal(2)),
            Reason.AT_CAPACITY,
            {},
            "Ann — 7/8 points, no room for 2 more",
        ),
    ],
)
def test_every_reason_to_drop_someone_is_recorded_with_its_details_and_explained(
    candidate, settings, item, reason, details, sentence
):
    decision = decide(item, [candidate], settings, now=NOW)

    (verdict,) = decision.verdicts
    assert decision.chosen_id is None
    assert (verdict.kept, verdict.reason, dict(verdict.details)) == (False, reason, details)
    assert explain(decision) == f"Item 1 waits: nobody is free. Not chosen: {sentence}."


def test_a_switched_off_rule_keeps_those_it_would_otherwise_drop():
    someone = person(
        1,
        is_head=True,
        is_external=True,
        absence=on_vacation(TODAY),
        day_state=DayState.CLOSED,
        in_working_hours=False,
        skills=("print",),
    )
    relaxed = RuleSettings(respect_absences=False, allow_external=True)
    item = WorkItem(item_id=1, required_skill="3d", previous_owner_id=1)

    assert decide(item, [someone], relaxed, now=NOW).chosen_id == 1


def test_a_dropped_candidate_records_only_the_first_reason_in_the_documented_order():
    everything_wrong = person(
        1,
        is_head=True,
        is_external=True,
        absence=on_vacation(TODAY),
        day_state=DayState.CLOSED,
        in_working_hours=False,
        load=10,
        capacity=10,
    )
    strict = RuleSettings(
        exclude_heads=True,
        allow_external=False,
        respect_day_status=True,
        respect_working_hours=True,
    )
    reasons = []
    for switched_off in (
        "exclude_heads",
        "allow_external",
        "respect_absences",
        "respect_day_status",
        "respect_working_hours",
    ):
        decision = decide(WorkItem(item_id=1), [everything_wrong], strict, now=NOW)
        reasons.append(decision.verdicts[0].reason)
        flip = {"allow_external": True}.get(switched_off, False)
        strict = RuleSettings(**{**_fields(strict), switched_off: flip})
    last = decide(WorkItem(item_id=1), [everything_wrong], strict, now=NOW)
    reasons.append(last.verdicts[0].reason)

    assert reasons == [
        Reason.DEPARTMENT_HEAD,
        Reason.EXTERNAL_NOT_ALLOWED,
        Reason.ABSENT,
        Reason.DAY_NOT_OPEN,
        Reason.OUTSIDE_HOURS,
        Reason.AT_CAPACITY,
    ]


def _fields(settings: RuleSettings) -> dict[str, object]:
    return {name: getattr(settings, name) for name in RuleSettings.__dataclass_fields__}


def test_capacity_allows_filling_a_cap_exactly_but_never_going_over_it():
    exact = decide(
        WorkItem(item_id=1, weight=Decimal("0.2")),
        [person(1, load="0.1", capacity="0.3")],
        RuleSettings(),
        now=NOW,
    )
    over = decide(
        WorkItem(item_id=1, weight=Decimal("0.3")),
        [person(1, load="0.1", capacity="0.3")],
        RuleSettings(),
        now=NOW,
    )

    assert exact.chosen_id == 1
    assert over.chosen_id is None and over.verdicts[0].reason is Reason.AT_CAPACITY


def test_a_personal_capacity_overrides_the_rules_default_and_no_default_means_no_cap():
    team = [person(1, load=50), person(2, load=9, capacity=20)]
    capped = RuleSettings(default_capacity_points=Decimal(10))

    assert decide(WorkItem(item_id=1), team, capped, now=NOW).chosen_id == 2
    assert decide(WorkItem(item_id=1), team[:1], RuleSettings(), now=NOW).chosen_id == 1
    verdict = decide(WorkItem(item_id=1), team[:1], RuleSettings(), now=NOW).verdicts[0]
    assert verdict.capacity_points is None and verdict.load_points == Decimal(50)


def test_skill_tags_match_whatever_their_case_and_spacing():
    item = WorkItem(item_id=1, required_skill=" 3D ")
    decision = decide(item, [person(1, skills=("3d",))], RuleSettings(skill_match=True), now=NOW)

    assert decision.chosen_id == 1


def test_the_explanation_names_a_few_and_counts_the_rest_when_limited():
    team = [person(i, f"P{i}", absence=on_vacation(TODAY)) for i in range(1, 6)]
    team.append(person(9, "Zoe"))
    text = explain(
        decide(WorkItem(item_id=7, entity="task"), team, RuleSettings(), now=NOW), limit=2
    )

    assert text == (
        "Task 7 went to Zoe (least loaded: 0 points). Not chosen: P1 — on vacation until "
        "20.11; P2 — on vacation until 20.11; and 3 more."
    )


def test_the_explanation_can_be_translated_with_another_message_table():
    from conveyor.engines.assignment import MESSAGES

    russian = {
        **MESSAGES,
        "waits": "{entity} {item_id} ждёт: свободных нет.",
        "entity.deal": "Сделка",
    }
    text = explain(
        decide(WorkItem(item_id=5, entity="deal"), [], RuleSettings(), now=NOW), messages=russian
    )

    assert text == "Сделка 5 ждёт: свободных нет."


def test_a_decision_is_data_that_can_be_stored_as_json():
    import json

    decision = decide(WorkItem(item_id=3), [person(1, load="1.5")], RuleSettings(), now=NOW)
    data = json.loads(json.dumps(decision.as_data()))

    assert data["chosen_id"] == 1
    assert data["verdicts"][0]["load_points"] == "1.5"
    assert data["decided_at"] == NOW.isoformat()


def test_time_must_be_given_with_its_timezone_and_an_employee_only_once():
    with pytest.raises(NaiveDatetime):
        decide(WorkItem(item_id=1), [person(1)], RuleSettings(), now=NOW.replace(tzinfo=None))
    with pytest.raises(InvalidValue) as twice:
        decide(WorkItem(item_id=1), [person(1), person(1)], RuleSettings(), now=NOW)
    assert twice.value.field == "candidates"


def test_impossible_points_are_refused_when_the_snapshot_is_built():
    with pytest.raises(InvalidValue):
        person(1, load=-1)
    with pytest.raises(InvalidValue):
        WorkItem(item_id=1, weight=Decimal("NaN"))
    assert WorkItem(item_id=1, weight=0.1).weight == Decimal("0.1")
    assert person(1, last_assigned_at=NOW - timedelta(days=1)).last_assigned_at is not None
