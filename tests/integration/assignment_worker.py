"""A worker process for the concurrency and crash tests (run with ``python -m``).

``move URL STAGE_ID ID...``  moves each deal into the stage, as users and robots would,
                             retrying a transaction the database aborted (as a client would).
``finish URL WORK DONE N``   finishes N deals in work, picked at random, one per transaction.
``sweep URL SECONDS``        sweeps again and again for SECONDS.
``crash URL``                sweeps, and dies by SIGKILL at the moment of committing.

Each prints one JSON line of counts on success.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from conveyor.domain.actors import SYSTEM
from conveyor.domain.assignment_decisions import AssignmentOutcome
from conveyor.domain.pipelines import EntityType
from conveyor.services import crm_items
from conveyor.services.assignment_queue import sweep_assignments
from conveyor.storage.database import build_engine, session_factory
from conveyor.storage.unit_of_work import UnitOfWork

T = TypeVar("T")


def main(argv: list[str]) -> None:
    command, url, *rest = argv
    uow = UnitOfWork(session_factory(build_engine(url)))
    counts = {"done": 0, "retried": 0}
    if command == "move":
        stage_id, *ids = (int(x) for x in rest)
        for deal_id in ids:
            _retrying(counts, lambda d=deal_id: _move(uow, d, stage_id))
    elif command == "finish":
        work, done, times = (int(x) for x in rest)
        rng = random.Random(os.getpid())
        for _ in range(times):
            with uow:
                in_work = [i.id for i in uow.items.where(stage_id=work) if i.id is not None]
            if in_work:
                deal_id = rng.choice(in_work)
                _retrying(counts, lambda d=deal_id: _move(uow, d, done))
            time.sleep(0.005)
    elif command == "sweep":
        until = time.monotonic() + float(rest[0])
        while time.monotonic() < until:
            _retrying(counts, lambda: sweep_assignments(uow, now=datetime.now(UTC)))
            time.sleep(0.2)
    elif command == "crash":
        original = UnitOfWork.commit

        def commit_then_die(self: UnitOfWork) -> None:
            self.session.flush()  # the decision is written, not committed
            decided = self.assignment_decisions.where(outcome=AssignmentOutcome.ASSIGNED)
            print(json.dumps({"assigned_before_commit": len(decided)}), flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
            original(self)

        UnitOfWork.commit = commit_then_die  # type: ignore[method-assign]
        sweep_assignments(uow, now=datetime.now(UTC))
    print(json.dumps(counts))


def _move(uow: UnitOfWork, deal_id: int, stage_id: int) -> None:
    crm_items.move_item(
        uow, EntityType.DEAL, deal_id, stage_id, actor=SYSTEM, now=datetime.now(UTC)
    )


def _retrying(counts: dict[str, int], action: Callable[[], T]) -> T:
    """Run ``action``; a transaction the database aborted (deadlock, serialization) is run
    again, as any client of a database does; anything else is a failure."""
    for attempt in range(10):
        try:
            result = action()
            counts["done"] += 1
            return result
        except Exception as error:
            text = str(error).lower()
            if ("deadlock" not in text and "could not serialize" not in text) or attempt == 9:
                raise
            counts["retried"] += 1
            time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")


if __name__ == "__main__":
    main(sys.argv[1:])
