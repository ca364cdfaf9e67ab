"""The demo's stream, through the real services on both databases: paid deals arrive at the
seed rule's trigger stage and go to designers with a sentence, or wait when every designer
is full; a designer finishing a deal lets a waiting one in, in that same step; and the same
seed on the same agency at the same instants streams exactly the same thing."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

import pytest

from conveyor.domain.actors import SYSTEM
from conveyor.domain.assignment_decisions import AssignmentDecision, AssignmentOutcome
from conveyor.domain.errors import Conflict
from conveyor.services.demo.board import read_board
from conveyor.services.demo.build import build_demo
from conveyor.services.demo.stream import DemoStream, StepResult, find_stream, step
from conveyor.storage import migrate
from conveyor.storage.database import build_engine, session_factory
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock


def streamed(uow: UnitOfWork, clock: FakeClock, *, seed: int, steps: int) -> list[StepResult]:
    """A fresh agency at the clock's instant, then ``steps`` steps 1.5 s apart."""
    build_demo(uow, now=clock(), seed=2026)
    stream = find_stream(uow)
    rng = random.Random(seed)
    results = []
    for _ in range(steps):
        clock.advance(seconds=1.5)
        results.append(step(uow, stream, rng, now=clock()))
    return results


def decisions(uow: UnitOfWork, stream: DemoStream) -> list[AssignmentDecision]:
    with uow:
        return uow.assignment_decisions.where(rule_id=stream.rule_id)


def test_paid_deals_stream_to_designers_and_a_finished_deal_lets_a_waiting_one_in(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    build_demo(uow, now=clock(), seed=2026)
    stream = find_stream(uow)
    rng = random.Random(7)
    with uow:
        design = uow.departments.where(name="Design")[0]
        externals = {e.id for e in uow.employees.where(is_external=True)}
    before = {d.id for d in decisions(uow, stream)}
    finishing_instants: set[datetime] = set()
    arrived: list[int] = []
    for _ in range(120):
        clock.advance(seconds=1.5)
        result = step(uow, stream, rng, now=clock())
        arrived.append(result.arrived.deal_id)
        if result.finished:
            finishing_instants.add(clock())
        board = read_board(uow, stream.rule_id, actor=SYSTEM, now=clock())
        # Whatever streams in, nobody is ever given more than their cap.
        for person in board.people:
            assert person.capacity_points is not None
            assert person.load_points <= person.capacity_points, person
        ours = [d for d in decisions(uow, stream) if d.id not in before]
        if any("waited" in d.data for d in ours) and len(ours) >= 30:
            break
    by_deal = {d.item_id: d for d in ours}
    # Every deal that arrived met the rule in its creation's transaction.
    assert set(arrived) == set(by_deal)
    assigned = [d for d in ours if d.outcome is AssignmentOutcome.ASSIGNED]
    assert len(assigned) >= 20
    for decision in assigned:
        assert decision.chosen_id not in externals | {design.head_id}
        assert f"Deal {decision.item_id} went to " in decision.sentence
    with uow:
        for decision in assigned:
            deal = uow.items.get(decision.item_id)
            assert (
                deal.stage_id in stream.in_work_stage_ids or deal.stage_id == stream.done_stage_id
            )
            assert deal.responsible_id == decision.chosen_id
    # Some had to wait, and every wait that ended was ended by a designer finishing a deal.
    after_waiting = [d for d in assigned if "waited" in d.data]
    assert after_waiting, "no deal waited and was then assigned"
    for decision in after_waiting:
        assert decision.decided_at in finishing_instants
        assert "waits: nobody is free" in decision.data["waited"]["first_sentence"]
        assert decision.data["waited"]["seconds"] > 0


def test_the_same_seed_streams_the_same_deals_to_the_same_designers(
    database_url: str, tmp_path: Path
) -> None:
    """Twice from a fresh agency: on this database, then on a new SQLite file."""
    elsewhere = f"sqlite:///{tmp_path / 'again.db'}"
    migrate.upgrade(elsewhere)
    runs = []
    for url in (database_url, elsewhere):
        engine = build_engine(url)
        uow = UnitOfWork(session_factory(engine))
        try:
            results = streamed(uow, FakeClock(), seed=11, steps=40)
            runs.append((_plain(results), _outcomes(uow, find_stream(uow))))
        finally:
            engine.dispose()
    first, second = runs
    assert first == second
    deals, outcomes = first
    assert len(deals) == 40 and any(finished for finished, _ in deals)
    assert {outcome for _, outcome, _ in outcomes} == {"assigned", "nobody_free"}


def test_a_database_without_the_demo_rule_is_refused(uow: UnitOfWork) -> None:
    with pytest.raises(Conflict, match="no rule 'Paid deals to design'"):
        find_stream(uow)


def _plain(results: list[StepResult]) -> list[tuple[tuple[str, ...], str]]:
    return [
        (tuple(deal.title for deal in result.finished), result.arrived.title) for result in results
    ]


def _outcomes(uow: UnitOfWork, stream: DemoStream) -> list[tuple[str, str, str | None]]:
    """Each decision as (deal, outcome, designer) by name: ids may differ between databases."""
    with uow:
        names = {e.id: e.name for e in uow.employees.where()}
        titles = {i.id: i.title for i in uow.items.where()}
    return sorted(
        (titles[d.item_id], d.outcome.value, names.get(d.chosen_id)) for d in decisions(uow, stream)
    )
