"""Invariants of the decision, whatever the team, the rule and the item."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.workdays import DayState
from conveyor.engines.assignment import (
    CandidateSnapshot,
    CurrentAbsence,
    Reason,
    RuleSettings,
    Strategy,
    WorkItem,
    decide,
)

from .people import NOW, TODAY

points = st.decimals(min_value=0, max_value=50, places=1, allow_nan=False, allow_infinity=False)
SKILLS = ("3d", "print", "install")


@st.composite
def candidates(draw: st.DrawFn, employee_id: int) -> CandidateSnapshot:
    absent = draw(st.booleans())
    return CandidateSnapshot(
        employee_id=employee_id,
        name=f"E{employee_id}",
        is_head=draw(st.booleans()),
        is_external=draw(st.booleans()),
        active=draw(st.booleans()),
        skills=frozenset(draw(st.sets(st.sampled_from(SKILLS)))),
        absence=CurrentAbsence(kind=AbsenceKind.VACATION, until=TODAY) if absent else None,
        next_absence_starts_on=draw(
            st.none() | st.dates(min_value=TODAY, max_value=TODAY + timedelta(days=30))
        ),
        day_state=draw(st.sampled_from([None, *DayState])),
        in_working_hours=draw(st.booleans()),
        load_points=draw(points),
        load_count=draw(st.integers(0, 50)),
        capacity_points=draw(st.none() | points),
        last_assigned_at=draw(
            st.none() | st.integers(1, 10_000).map(lambda m: NOW - timedelta(minutes=m))
        ),
        assigned_in_window=draw(st.integers(0, 300)),
        present_days_in_window=draw(st.integers(0, 30)),
    )


@st.composite
def teams(draw: st.DrawFn) -> list[CandidateSnapshot]:
    ids = draw(st.lists(st.integers(1, 200), min_size=0, max_size=25, unique=True))
    return [draw(candidates(i)) for i in ids]


rules = st.builds(
    RuleSettings,
    respect_absences=st.booleans(),
    respect_day_status=st.booleans(),
    respect_working_hours=st.booleans(),
    exclude_heads=st.booleans(),
    allow_external=st.booleans(),
    excluded_ids=st.frozensets(st.integers(1, 200), max_size=5),
    default_capacity_points=st.none() | points,
    strategy=st.sampled_from(Strategy),
    skill_match=st.booleans(),
    never_previous_owner=st.booleans(),
    look_ahead_days=st.none() | st.integers(0, 20),
    fair_share_carry_days=st.integers(1, 3),
)
items = st.builds(
    WorkItem,
    item_id=st.integers(1, 10**9),
    weight=points,
    required_skill=st.none() | st.sampled_from(SKILLS),
    previous_owner_id=st.none() | st.integers(1, 200),
    expected_days=st.none() | st.integers(0, 20),
)
cursors = st.none() | st.integers(0, 201)


@settings(max_examples=300, deadline=None)
@given(team=teams(), rule=rules, item=items, cursor=cursors)
def test_the_chosen_one_is_always_kept_and_never_pushed_over_their_capacity(
    team: list[CandidateSnapshot],
    rule: RuleSettings,
    item: WorkItem,
    cursor: int | None,
) -> None:
    decision = decide(item, team, rule, now=NOW, round_robin_cursor=cursor)

    assert [v.employee_id for v in decision.verdicts] == sorted(c.employee_id for c in team)
    if decision.chosen_id is None:
        assert not decision.kept
        return
    chosen = decision.verdict_for(decision.chosen_id)
    assert chosen.kept and chosen.reason is Reason.KEPT
    if chosen.capacity_points is not None:
        assert chosen.load_points + item.weight <= chosen.capacity_points
    snapshot = next(c for c in team if c.employee_id == decision.chosen_id)
    assert snapshot.active
    assert snapshot.employee_id not in rule.excluded_ids
    assert not (rule.exclude_heads and snapshot.is_head)
    assert not (rule.respect_absences and snapshot.absence is not None)
    assert not (rule.respect_day_status and snapshot.day_state is not DayState.OPEN)
    assert not (rule.respect_working_hours and not snapshot.in_working_hours)
    assert not (not rule.allow_external and snapshot.is_external)
    assert not (rule.never_previous_owner and snapshot.employee_id == item.previous_owner_id)
    if rule.skill_match and item.required_skill is not None:
        assert item.required_skill in snapshot.skills
    assert all(v.rank is not None for v in decision.kept)
    assert all(v.rank is None for v in decision.dropped)


@settings(max_examples=200, deadline=None)
@given(team=teams(), rule=rules, item=items, cursor=cursors, seed=st.integers())
def test_the_decision_does_not_depend_on_the_order_of_the_candidates(
    team: list[CandidateSnapshot],
    rule: RuleSettings,
    item: WorkItem,
    cursor: int | None,
    seed: int,
) -> None:
    shuffled = list(team)
    random.Random(seed).shuffle(shuffled)

    assert decide(item, team, rule, now=NOW, round_robin_cursor=cursor) == decide(
        item, shuffled, rule, now=NOW, round_robin_cursor=cursor
    )


@settings(max_examples=200, deadline=None)
@given(
    ids=st.lists(st.integers(1, 1000), min_size=1, max_size=30, unique=True),
    cursor=cursors,
    loads=st.lists(points, min_size=30, max_size=30),
)
def test_round_robin_over_k_free_people_gives_k_consecutive_items_to_k_different_people(
    ids: list[int], cursor: int | None, loads: list[Decimal]
) -> None:
    team = [
        CandidateSnapshot(employee_id=i, name=f"E{i}", load_points=load)
        for i, load in zip(ids, loads, strict=False)
    ]
    rule = RuleSettings(strategy=Strategy.ROUND_ROBIN, default_capacity_points=Decimal(10**6))
    chosen = []
    for n in range(len(ids)):
        decision = decide(WorkItem(item_id=n), team, rule, now=NOW, round_robin_cursor=cursor)
        chosen.append(decision.chosen_id)
        cursor = decision.next_cursor

    assert sorted(chosen) == sorted(ids)


def test_look_ahead_days_are_counted_from_the_date_of_now() -> None:
    # Someone leaving the day after tomorrow can still finish a two-day job.
    leaving = CandidateSnapshot(
        employee_id=1, name="L", next_absence_starts_on=TODAY + timedelta(days=2)
    )
    other = CandidateSnapshot(employee_id=2, name="O", load_points=Decimal(3))
    rule = RuleSettings(look_ahead_days=10)

    assert (
        decide(WorkItem(item_id=1, expected_days=2), [leaving, other], rule, now=NOW).chosen_id == 1
    )
    assert (
        decide(WorkItem(item_id=1, expected_days=3), [leaving, other], rule, now=NOW).chosen_id == 2
    )
