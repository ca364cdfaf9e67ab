"""Assignment on stage entry at the service level, on both databases: one decision per
entry whatever replays it, and rule chains that cannot run away."""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conveyor.domain.actors import SYSTEM
from conveyor.domain.assignment_decisions import AssignmentOutcome
from conveyor.domain.distribution_rules import RuleEntity
from conveyor.domain.pipelines import Stage
from conveyor.services import crm_items, pipelines
from conveyor.services import distribution_rules as rules
from conveyor.services.assignment import MAX_CASCADE, assign_on_entry
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import DEAL, agency_pipeline, hire, new_deal, outbox


def rule_at(
    stage: Stage, people: list[int], *, next_stage: Stage | None = None, **extra: Any
) -> rules.RuleSpec:
    return rules.RuleSpec(
        name=f"Rule at {stage.name}",
        entity_type=RuleEntity.DEAL,
        pipeline_id=stage.pipeline_id,
        trigger_stage_id=stage.id,
        employee_ids=people,
        next_stage_id=None if next_stage is None else next_stage.id,
        **extra,
    )


@pytest.fixture
def setting(uow: UnitOfWork, clock: FakeClock) -> dict[str, Any]:
    stages = agency_pipeline(uow, clock)
    people = [hire(uow, clock, name) for name in ("Dmitry Designer", "Daria Designer")]
    rule = rules.create_rule(
        uow, rule_at(stages["Prepayment received"], people), actor=SYSTEM, now=clock()
    )
    return {"stages": stages, "people": people, "rule": rule}


def decisions_of(uow: UnitOfWork, item_id: int) -> list[Any]:
    with uow:
        return uow.assignment_decisions.where(item_id=item_id)


def test_replaying_an_entry_returns_the_first_decision_and_changes_nothing(
    uow: UnitOfWork, clock: FakeClock, setting: dict[str, Any]
) -> None:
    stages = setting["stages"]
    deal = new_deal(uow, clock, stage_id=stages["Prepayment received"].id)
    assert deal.id is not None
    [first] = decisions_of(uow, deal.id)
    assert first.outcome is AssignmentOutcome.ASSIGNED
    events_before = len(outbox(uow))
    clock.advance(minutes=1)
    with uow:
        item = uow.items.get(deal.id)
        again = assign_on_entry(uow, item, now=clock())
        uow.commit()
    assert again is not None and again.id == first.id
    assert [d.id for d in decisions_of(uow, deal.id)] == [first.id]
    assert len(outbox(uow)) == events_before


def test_a_second_decision_for_a_taken_entry_is_refused_quietly(
    uow: UnitOfWork, clock: FakeClock, setting: dict[str, Any]
) -> None:
    stages = setting["stages"]
    deal = new_deal(uow, clock, stage_id=stages["Prepayment received"].id)
    assert deal.id is not None
    [first] = decisions_of(uow, deal.id)
    with uow:
        # As if a concurrent worker had decided between our check and our insert.
        duplicate = replace(first, id=None, decided_at=clock())
        assert uow.assignment_decisions.claim(duplicate) is False
        # The transaction goes on: later work still commits.
        uow.items.get(deal.id).change({"title": "Renamed"}, now=clock())
        uow.commit()
    with uow:
        assert uow.items.get(deal.id).title == "Renamed"
    assert len(decisions_of(uow, deal.id)) == 1


def test_an_item_at_a_stage_without_rules_gets_no_decision(
    uow: UnitOfWork, clock: FakeClock, setting: dict[str, Any]
) -> None:
    deal = new_deal(uow, clock, stage_id=setting["stages"]["Invoice"].id)
    assert deal.id is not None
    with uow:
        assert assign_on_entry(uow, uow.items.get(deal.id), now=clock()) is None
    assert decisions_of(uow, deal.id) == []


def test_a_chain_of_rules_stops_after_the_cascade_limit(uow: UnitOfWork, clock: FakeClock) -> None:
    names = [f"Step {n}" for n in range(MAX_CASCADE + 3)]
    _, stages = pipelines.create_pipeline(
        uow,
        pipelines.CreatePipeline(
            entity_type=DEAL,
            name="Relay",
            stages=[pipelines.StageSpec(name=n) for n in ["Inbox", *names]],
        ),
        actor=SYSTEM,
        now=clock(),
    )
    by_name = {s.name: s for s in stages}
    runner = hire(uow, clock, "Rita Runner")
    for here, there in itertools.pairwise(names):
        rules.create_rule(
            uow,
            rule_at(by_name[here], [runner], next_stage=by_name[there]),
            actor=SYSTEM,
            now=clock(),
        )
    deal = new_deal(uow, clock, stage_id=by_name["Inbox"].id)
    assert deal.id is not None
    moved = crm_items.move_item(
        uow, DEAL, deal.id, by_name["Step 0"].id or 0, actor=SYSTEM, now=clock()
    )
    # Step 0 is the user's entry; the rules then move it MAX_CASCADE times and stop.
    assert moved.stage_id == by_name[f"Step {MAX_CASCADE}"].id
    decided = decisions_of(uow, deal.id)
    assert [d.stage_id for d in decided] == [by_name[f"Step {n}"].id for n in range(MAX_CASCADE)]
    assert moved.responsible_id == runner


def test_a_rule_loop_back_to_its_own_stage_is_decided_once(
    uow: UnitOfWork, clock: FakeClock, setting: dict[str, Any]
) -> None:
    stages, people = setting["stages"], setting["people"]
    prepayment, development = stages["Prepayment received"], stages["Development started"]
    rules.update_rule(
        uow, setting["rule"].id, {"next_stage_id": development.id}, actor=SYSTEM, now=clock()
    )
    rules.create_rule(
        uow, rule_at(development, people, next_stage=prepayment), actor=SYSTEM, now=clock()
    )
    deal = new_deal(uow, clock, stage_id=stages["Invoice"].id)
    assert deal.id is not None
    moved = crm_items.move_item(uow, DEAL, deal.id, prepayment.id or 0, actor=SYSTEM, now=clock())
    # Prepayment -> Development -> back to Prepayment: that entry has the same key (same
    # moment), so it is the first decision again and the loop ends there.
    assert moved.stage_id == prepayment.id
    assert [d.stage_id for d in decisions_of(uow, deal.id)] == [prepayment.id, development.id]


_RUNS = iter(range(10**6))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cap=st.integers(min_value=1, max_value=10),
    loads=st.lists(st.lists(st.integers(1, 5), max_size=3), min_size=3, max_size=3),
    arrivals=st.lists(st.integers(1, 6), min_size=1, max_size=6),
)
def test_assignments_never_push_anyone_over_their_cap(
    uow: UnitOfWork, clock: FakeClock, cap: int, loads: list[list[int]], arrivals: list[int]
) -> None:
    # Each example builds its own pipeline and people in the shared test database.
    run = next(_RUNS)
    _, stages = pipelines.create_pipeline(
        uow,
        pipelines.CreatePipeline(
            entity_type=DEAL,
            name=f"Property {run}",
            stages=[pipelines.StageSpec(name=n) for n in ("Inbox", "Trigger", "Work")],
        ),
        actor=SYSTEM,
        now=clock(),
    )
    inbox, trigger, work = stages
    people = [hire(uow, clock, f"Worker {run}.{n}") for n in range(3)]
    rules.create_rule(
        uow,
        rule_at(
            trigger,
            people,
            next_stage=work,
            in_work_stage_ids=[work.id or 0],
            weight="deal.amount",
            default_capacity_points=Decimal(cap),
        ),
        actor=SYSTEM,
        now=clock(),
    )
    for person, weights in zip(people, loads, strict=True):
        for weight in weights:
            new_deal(uow, clock, stage_id=work.id, responsible_id=person, amount=weight)
    before = _points(uow, work, people)
    for weight in arrivals:
        clock.advance(seconds=1)
        deal = new_deal(uow, clock, stage_id=inbox.id, amount=weight)
        assert deal.id is not None
        crm_items.move_item(uow, DEAL, deal.id, trigger.id or 0, actor=SYSTEM, now=clock())
    after = _points(uow, work, people)
    for person in people:
        assert after[person] <= max(cap, before[person])


def _points(uow: UnitOfWork, stage: Stage, people: list[int]) -> dict[int, Decimal]:
    with uow:
        items = uow.items.where(stage_id=stage.id)
        return {
            p: sum((i.amount or 0 for i in items if i.responsible_id == p), Decimal(0))
            for p in people
        }
