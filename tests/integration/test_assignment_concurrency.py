"""Real processes at once: assignments never exceed a cap, never assign an entry twice, and
a worker killed between decision and commit loses nothing.

The concurrency story runs on PostgreSQL (where workers really run in parallel): four
processes move 2 000 paid deals into the trigger stage, another finishes deals in work at
random (freeing capacity, which assigns waiting deals in the same transaction), and another
sweeps all the while. A monitor reads the committed loads throughout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from conveyor.domain.actors import SYSTEM
from conveyor.domain.assignment_decisions import AssignmentOutcome
from conveyor.domain.distribution_rules import RuleEntity
from conveyor.services import crm_items, pipelines
from conveyor.services import distribution_rules as rules
from conveyor.storage.database import build_engine, session_factory
from conveyor.storage.tables import metadata
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import DEAL, hire

ROOT = Path(__file__).resolve().parents[2]
DEALS = int(os.environ.get("CONVEYOR_CONCURRENCY_DEALS", "2000"))
MOVERS = 4
PEOPLE = 12
CAP = 4


def worker(*args: object) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.assignment_worker", *map(str, args)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process: subprocess.Popen[str], timeout: float = 600) -> dict[str, int]:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def floor(uow: UnitOfWork, clock: FakeClock, name: str, *, cap: int, people: int) -> dict[str, Any]:
    """A pipeline Inbox → Paid → Work → Done, people, and a rule at Paid with a cap in
    points (deal.amount is 1 or 2 points) that moves assigned deals into Work."""
    _, stages = pipelines.create_pipeline(
        uow,
        pipelines.CreatePipeline(
            entity_type=DEAL,
            name=name,
            stages=[pipelines.StageSpec(name=n) for n in ("Inbox", "Paid", "Work", "Done")],
        ),
        actor=SYSTEM,
        now=clock(),
    )
    inbox, paid, work, done = (s.id for s in stages)
    staff = [hire(uow, clock, f"Designer {n}") for n in range(people)]
    rule = rules.create_rule(
        uow,
        rules.RuleSpec(
            name="Paid deals to designers",
            entity_type=RuleEntity.DEAL,
            pipeline_id=stages[0].pipeline_id,
            trigger_stage_id=paid,
            employee_ids=staff,
            default_capacity_points=Decimal(cap),
            in_work_stage_ids=[work or 0],
            weight="deal.amount",
            next_stage_id=work,
            strategy=rules.RuleStrategy.ROUND_ROBIN,
        ),
        actor=SYSTEM,
        now=clock(),
    )
    return {"inbox": inbox, "paid": paid, "work": work, "done": done, "rule": rule}


def deals_in_inbox(uow: UnitOfWork, clock: FakeClock, inbox: int, count: int) -> list[int]:
    ids = []
    for n in range(count):
        command = crm_items.CreateItem(title=f"Deal {n}", stage_id=inbox, amount=1 + n % 2)
        deal = crm_items.create_item(uow, DEAL, command, actor=SYSTEM, now=clock())
        assert deal.id is not None
        ids.append(deal.id)
    return ids


def loads(uow: UnitOfWork, work: int) -> Counter[int]:
    with uow:
        totals: Counter[int] = Counter()
        for item in uow.items.where(stage_id=work):
            assert item.responsible_id is not None
            totals[item.responsible_id] += int(item.amount or 0)
        return totals


@pytest.fixture
def postgres_url(postgres_database: str) -> Iterator[str]:
    """The run's PostgreSQL database, emptied afterwards like every test's."""
    yield postgres_database
    engine = create_engine(postgres_database)
    with engine.begin() as connection:
        tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.mark.postgres
def test_concurrent_workers_never_exceed_a_cap_and_never_assign_an_entry_twice(
    postgres_url: str, clock: FakeClock
) -> None:
    postgres_database = postgres_url
    engine = build_engine(postgres_database)
    uow = UnitOfWork(session_factory(engine))
    place = floor(uow, clock, "Concurrency", cap=CAP, people=PEOPLE)
    ids = deals_in_inbox(uow, clock, place["inbox"], DEALS)

    peak: Counter[int] = Counter()
    stop = threading.Event()

    def monitor() -> None:
        watcher = UnitOfWork(session_factory(engine))
        while not stop.is_set():
            for person, points in loads(watcher, place["work"]).items():
                peak[person] = max(peak[person], points)
            stop.wait(0.05)

    watching = threading.Thread(target=monitor)
    watching.start()
    try:
        movers = [
            worker("move", postgres_database, place["paid"], *ids[k::MOVERS]) for k in range(MOVERS)
        ]
        # A second pass over the same deals: a deal already moved on is a no-op or a new
        # entry, never a second assignment of the same entry.
        movers.append(worker("move", postgres_database, place["paid"], *ids[::7]))
        finisher = worker("finish", postgres_database, place["work"], place["done"], DEALS // 2)
        sweeper = worker("sweep", postgres_database, 20)
        results = [finished(p) for p in [*movers, finisher, sweeper]]
    finally:
        stop.set()
        watching.join()

    assert sum(r["done"] for r in results[:MOVERS]) == DEALS
    assert max(peak.values()) <= CAP, peak
    assert max(loads(uow, place["work"]).values(), default=0) <= CAP
    with uow:
        decisions = uow.assignment_decisions.where(rule_id=place["rule"].id)
        events = [e for e in uow.events.where() if e.type == "ItemAssigned"]
        items = {i.id: i for i in uow.items.where(pipeline_id=place["rule"].pipeline_id)}
        waiting = uow.assignment_queue.waiting(place["rule"].id or 0, limit=DEALS)
    entries = Counter((d.item_id, d.stage_entered_at) for d in decisions)
    assert max(entries.values()) == 1
    told = Counter(e.payload["decision_id"] for e in events)
    assigned = [d for d in decisions if d.outcome is AssignmentOutcome.ASSIGNED]
    assert assigned and all(told[d.id] == 1 for d in assigned)
    assert sum(told.values()) == len(assigned)
    # Nothing lost: every deal still at Paid waits in the queue for its current entry.
    at_paid = {i.id: i for i in items.values() if i.stage_id == place["paid"]}
    assert {e.item_id for e in waiting} == set(at_paid)
    for entry in waiting:
        assert entry.stage_entered_at == at_paid[entry.item_id].stage_entered_at
    engine.dispose()


def test_a_worker_killed_between_decision_and_commit_loses_nothing(
    database_url: str, uow: UnitOfWork, clock: FakeClock
) -> None:
    place = floor(uow, clock, "Crash", cap=2, people=1)
    [first, second] = deals_in_inbox(uow, clock, place["inbox"], 2)
    for deal_id in (first, second):
        crm_items.move_item(uow, DEAL, deal_id, place["paid"], actor=SYSTEM, now=clock())
    with uow:
        holder = uow.items.get(first).responsible_id
        assert uow.items.get(second).stage_id == place["paid"]
    # Make room through a back door no event announces, then let a worker sweep and die.
    rules.update_rule(uow, place["rule"].id, {"capacity_overrides": {}}, actor=SYSTEM, now=clock())
    with uow:
        uow.items.get(first).move_to(uow.stages.get(place["done"]), now=clock())
        uow.commit()

    crash = worker("crash", database_url)
    out, err = crash.communicate(timeout=120)
    assert crash.returncode == -9, err[-3000:]
    # It had decided: both deals assigned inside its transaction when it died.
    assert json.loads(out.strip().splitlines()[-1]) == {"assigned_before_commit": 2}

    with uow:
        [entry] = uow.assignment_queue.waiting(place["rule"].id or 0, limit=10)
        assert entry.item_id == second
        [decision] = uow.assignment_decisions.where(item_id=second)
        assert decision.outcome is AssignmentOutcome.NOBODY_FREE
        assert uow.items.get(second).stage_id == place["paid"]

    assert finished(worker("sweep", database_url, 0.5))["done"] >= 1
    with uow:
        deal = uow.items.get(second)
        assert deal.stage_id == place["work"] and deal.responsible_id is not None
        [decision] = uow.assignment_decisions.where(item_id=second)
        assert decision.outcome is AssignmentOutcome.ASSIGNED
        assert uow.assignment_queue.waiting(place["rule"].id or 0, limit=10) == []
        assert deal.responsible_id == holder


@pytest.mark.postgres
def test_moves_crossing_two_rules_at_once_never_deadlock(
    postgres_url: str, clock: FakeClock
) -> None:
    """X leaves rule 1's in-work stage for rule 2's trigger while Y leaves rule 2's in-work
    stage for rule 1's trigger, again and again at the same moment: with both queues full,
    each move retries one rule and decides under the other."""
    engine = build_engine(postgres_url)
    uow = UnitOfWork(session_factory(engine))
    _, stages = pipelines.create_pipeline(
        uow,
        pipelines.CreatePipeline(
            entity_type=DEAL,
            name="Crossing",
            stages=[pipelines.StageSpec(name=n) for n in ("Inbox", "A", "B", "W1", "W2")],
        ),
        actor=SYSTEM,
        now=clock(),
    )
    inbox, a, b, w1, w2 = (s.id or 0 for s in stages)
    people = [hire(uow, clock, f"Crosser {n}") for n in range(2)]
    for name, trigger, work in (("Rule 1", a, w1), ("Rule 2", b, w2)):
        rules.create_rule(
            uow,
            rules.RuleSpec(
                name=name,
                entity_type=RuleEntity.DEAL,
                pipeline_id=stages[0].pipeline_id,
                trigger_stage_id=trigger,
                employee_ids=people,
                default_capacity_points=Decimal(1),
                in_work_stage_ids=[work],
                next_stage_id=work,
            ),
            actor=SYSTEM,
            now=clock(),
        )
    ids = deals_in_inbox(uow, clock, inbox, 40)
    # Fill both rules (two in work each) and queue the rest at their triggers.
    for n, deal_id in enumerate(ids):
        crm_items.move_item(uow, DEAL, deal_id, a if n % 2 else b, actor=SYSTEM, now=clock())
    with uow:
        in_w1 = sorted(i.id or 0 for i in uow.items.where(stage_id=w1))
        in_w2 = sorted(i.id or 0 for i in uow.items.where(stage_id=w2))
    errors: list[BaseException] = []

    def mover(deal_id: int, stage_id: int, ready: threading.Barrier) -> None:
        own = UnitOfWork(session_factory(engine))
        ready.wait()
        try:
            crm_items.move_item(own, DEAL, deal_id, stage_id, actor=SYSTEM, now=clock())
        except BaseException as error:
            errors.append(error)

    rounds = 0
    while in_w1 and in_w2:
        x, y = in_w1.pop(), in_w2.pop()
        ready = threading.Barrier(2)
        pair = [
            threading.Thread(target=mover, args=(x, b, ready)),
            threading.Thread(target=mover, args=(y, a, ready)),
        ]
        for thread in pair:
            thread.start()
        for thread in pair:
            thread.join(60)
        rounds += 1
        with uow:
            in_w1 = sorted(i.id or 0 for i in uow.items.where(stage_id=w1) if i.id not in (x, y))
            in_w2 = sorted(i.id or 0 for i in uow.items.where(stage_id=w2) if i.id not in (x, y))
        if rounds >= 15:
            break
    assert errors == []
    assert rounds >= 5
    engine.dispose()
