"""Whatever the interleaving of two workers claiming, dying (their leases running out),
failing and coming back late, every job's database effect happens exactly once, and in the
end every job is done — on both databases."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conveyor.domain.events import DomainEvent
from conveyor.domain.jobs import Backoff, ClaimedJob, JobState
from conveyor.services import jobs
from conveyor.services.jobs import JobHandlers, claim_jobs, run_job
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock

LEASE = timedelta(seconds=30)
_EXAMPLES = itertools.count()

step = st.one_of(
    st.tuples(st.just("claim"), st.sampled_from(["w1", "w2"]), st.integers(1, 4)),
    st.tuples(st.just("run"), st.sampled_from(["w1", "w2"]), st.booleans()),
    st.tuples(st.just("wait"), st.integers(1, 45)),
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(count=st.integers(1, 6), steps=st.lists(step, max_size=25))
def test_every_job_takes_effect_exactly_once_however_workers_interleave(
    uow: UnitOfWork, count: int, steps: list[tuple[Any, ...]]
) -> None:
    example = next(_EXAMPLES)
    kind = f"probe.{example}"  # each example has its own jobs in the shared database
    clock = FakeClock()
    clock.advance(days=example)  # and its own time, after the previous examples' jobs
    breaking = {"on": False}

    def record(inner: UnitOfWork, payload: dict[str, Any], now: datetime) -> None:
        inner.emit(DomainEvent(type=kind, entity="probe", entity_id=payload["n"], occurred_at=now))
        if breaking["on"]:
            raise RuntimeError("flaky")

    registry = JobHandlers()
    registry.register(kind, record, backoff=Backoff(first_seconds=5, cap_seconds=20))
    with uow:
        for n in range(count):
            jobs.schedule(
                uow, kind=kind, payload={"n": n}, due_at=clock(), now=clock(), max_attempts=100
            )
        uow.commit()
    held: dict[str, list[ClaimedJob]] = {"w1": [], "w2": []}

    for action, *args in steps:
        if action == "claim":
            owner, limit = args
            claim = claim_jobs(uow, owner=owner, now=clock(), limit=limit, lease=LEASE)
            held[owner] += [j for j in claim.jobs if j.kind == kind]
        elif action == "run":
            owner, fails = args
            if held[owner]:
                breaking["on"] = fails
                # Maybe long after claiming: a lease taken over meanwhile makes it a no-op.
                run_job(uow, held[owner].pop(0), handlers=registry, owner=owner, clock=clock)
        else:
            clock.advance(seconds=args[0])

    # Both workers "die"; a third drains what is left once every lease has run out.
    breaking["on"] = False
    for _ in range(100):
        clock.advance(LEASE)
        claimed = claim_jobs(uow, owner="w3", now=clock(), limit=50, lease=LEASE).jobs
        for job in claimed:
            run_job(uow, job, handlers=registry, owner="w3", clock=clock)
        with uow:
            left = [j for j in uow.jobs.where(kind=kind) if j.state is not JobState.DONE]
        if not left:
            break

    assert left == []
    with uow:
        effects = Counter(e.entity_id for e in uow.events.where(type=kind))
    assert effects == Counter(range(count))
