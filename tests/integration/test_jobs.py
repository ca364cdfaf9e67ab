"""The job store on both databases: a job lives and dies with the transaction that schedules
it, keys make scheduling idempotent, workers claim due jobs by due time under a lease, a
failing job backs off and ends dead, and an admin runs it again."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.errors import Conflict, Forbidden, InvalidValue, NotFound
from conveyor.domain.events import DomainEvent
from conveyor.domain.jobs import Backoff, JobState, NewJob
from conveyor.domain.tokens import Role
from conveyor.services import jobs
from conveyor.services.jobs import JobHandlers, JobOutcome, claim_jobs, run_job
from conveyor.storage.database import build_engine, session_factory
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock

LEASE = timedelta(seconds=30)


def record(uow: UnitOfWork, payload: dict[str, Any], now: datetime) -> None:
    """A handler whose whole effect is in the database: one ``Recorded`` event per run."""
    uow.emit(
        DomainEvent(
            type="Recorded", entity="probe", entity_id=payload["n"], occurred_at=now, payload={}
        )
    )


def record_then_break(uow: UnitOfWork, payload: dict[str, Any], now: datetime) -> None:
    record(uow, payload, now)
    raise RuntimeError("the disk is full")


@pytest.fixture
def handlers() -> JobHandlers:
    registry = JobHandlers()
    registry.register("probe.record", record)
    registry.register(
        "probe.broken", record_then_break, backoff=Backoff(first_seconds=10, cap_seconds=60)
    )
    return registry


def schedule(
    uow: UnitOfWork, clock: FakeClock, n: int, *, kind: str = "probe.record", **extra: Any
) -> int | None:
    with uow:
        due_at = extra.pop("due_at", clock())
        job_id = jobs.schedule(
            uow, kind=kind, payload={"n": n}, due_at=due_at, now=clock(), **extra
        )
        uow.commit()
    return job_id


def recorded(uow: UnitOfWork) -> list[int]:
    with uow:
        return sorted(e.entity_id for e in uow.events.where(type="Recorded"))


def claim(uow: UnitOfWork, owner: str, now: datetime, limit: int = 10) -> list[int]:
    return [j.id for j in claim_jobs(uow, owner=owner, now=now, limit=limit, lease=LEASE).jobs]


def run_all(uow: UnitOfWork, handlers: JobHandlers, clock: FakeClock, owner: str = "w1") -> list:
    claimed = claim_jobs(uow, owner=owner, now=clock(), limit=100, lease=LEASE).jobs
    return [run_job(uow, j, handlers=handlers, owner=owner, clock=clock) for j in claimed]


def state_of(uow: UnitOfWork, job_id: int) -> Any:
    with uow:
        return uow.jobs.get(job_id)


def test_a_change_rolled_back_leaves_no_job_and_a_committed_one_keeps_it(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    with uow:
        jobs.schedule(uow, kind="probe.record", payload={"n": 1}, due_at=clock(), now=clock())
        uow.rollback()
    with pytest.raises(NotFound), uow:
        jobs.schedule(uow, kind="probe.record", payload={"n": 2}, due_at=clock(), now=clock())
        uow.employees.get(4242)  # the change fails after scheduling: nothing is kept
    kept = schedule(uow, clock, 3)
    with uow:
        assert [(j.id, j.payload) for j in uow.jobs.where()] == [(kept, {"n": 3})]


def test_scheduling_a_key_twice_is_a_no_op_even_once_the_job_ran(
    uow: UnitOfWork, clock: FakeClock, handlers: JobHandlers
) -> None:
    first = schedule(uow, clock, 1, key="monday")
    assert first is not None
    assert schedule(uow, clock, 2, key="monday") is None
    assert run_all(uow, handlers, clock) == [JobOutcome.DONE]
    assert schedule(uow, clock, 3, key="monday") is None
    with uow:
        [job] = uow.jobs.where()
    assert (job.id, job.payload, job.state) == (first, {"n": 1}, JobState.DONE)
    assert recorded(uow) == [1]


def test_bad_values_are_refused_naming_the_field_and_nothing_is_scheduled(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    with pytest.raises(InvalidValue) as refused:
        schedule(uow, clock, 1, kind="")
    assert refused.value.field == "kind"
    with uow:
        assert uow.jobs.where() == []


def test_due_jobs_are_claimed_earliest_first_and_later_ones_wait(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    now = clock()
    late = schedule(uow, clock, 1, due_at=now - timedelta(minutes=1))
    early = schedule(uow, clock, 2, due_at=now - timedelta(hours=1))
    schedule(uow, clock, 3, due_at=now + timedelta(seconds=1))
    middle = schedule(uow, clock, 4, due_at=now - timedelta(minutes=30))

    assert claim(uow, "w1", now, limit=2) == [early, middle]
    assert claim(uow, "w2", now) == [late]
    assert claim(uow, "w3", now) == []
    with uow:
        assert uow.jobs.next_due_at() == now + timedelta(seconds=1)
        job = uow.jobs.get(early)
    assert (job.state, job.lease_owner, job.attempts) == (JobState.RUNNING, "w1", 1)
    assert job.lease_expires_at == now + LEASE


def test_an_expired_lease_is_taken_over_and_the_first_worker_changes_nothing(
    uow: UnitOfWork, clock: FakeClock, handlers: JobHandlers
) -> None:
    job_id = schedule(uow, clock, 1)
    [taken] = claim_jobs(uow, owner="dead", now=clock(), limit=1, lease=LEASE).jobs
    assert claim(uow, "alive", clock() + LEASE - timedelta(seconds=1)) == []

    clock.advance(LEASE)
    [again] = claim_jobs(uow, owner="alive", now=clock(), limit=1, lease=LEASE).jobs

    assert again.id == job_id and again.attempts == 2
    # The first worker wakes up late: its lease is gone, so it runs nothing and records nothing.
    assert run_job(uow, taken, handlers=handlers, owner="dead", clock=clock) == JobOutcome.LOST
    assert recorded(uow) == []
    assert run_job(uow, again, handlers=handlers, owner="alive", clock=clock) == JobOutcome.DONE
    assert recorded(uow) == [1]
    job = state_of(uow, job_id)
    assert (job.state, job.finished_at, job.lease_owner) == (JobState.DONE, clock(), None)


def test_a_failing_job_backs_off_then_dies_and_keeps_nothing_of_its_attempts(
    uow: UnitOfWork, clock: FakeClock, handlers: JobHandlers
) -> None:
    job_id = schedule(uow, clock, 1, kind="probe.broken", max_attempts=4)
    assert job_id is not None
    waits = []
    for _ in range(3):
        assert run_all(uow, handlers, clock) == [JobOutcome.RETRYING]
        job = state_of(uow, job_id)
        assert job.state is JobState.PENDING and job.lease_owner is None
        waits.append((job.due_at - clock()).total_seconds())
        assert run_all(uow, handlers, clock) == []  # not due yet
        clock.set(job.due_at)
    assert waits == [10, 20, 40]

    assert run_all(uow, handlers, clock) == [JobOutcome.DEAD]

    job = state_of(uow, job_id)
    assert (job.state, job.attempts, job.finished_at) == (JobState.DEAD, 4, clock())
    assert job.last_error == "RuntimeError: the disk is full"
    assert recorded(uow) == []  # every attempt's own changes were rolled back
    with uow:
        [died] = uow.events.where(type="JobDied")
    assert died.entity_id == job_id and died.payload["last_error"] == job.last_error
    clock.advance(days=1)
    assert run_all(uow, handlers, clock) == []  # the dead stay dead


def test_an_admin_reruns_a_dead_job_and_it_runs_again_from_its_first_attempt(
    uow: UnitOfWork, clock: FakeClock, handlers: JobHandlers
) -> None:
    job_id = schedule(uow, clock, 1, kind="probe.broken", max_attempts=1)
    assert job_id is not None
    assert run_all(uow, handlers, clock) == [JobOutcome.DEAD]
    clock.advance(hours=1)

    rerun = jobs.rerun_job(uow, job_id, actor=SYSTEM, now=clock())

    assert (rerun.state, rerun.attempts, rerun.due_at) == (JobState.PENDING, 0, clock())
    with pytest.raises(Conflict) as refused:
        jobs.rerun_job(uow, job_id, actor=SYSTEM, now=clock())
    assert refused.value.field == "state"
    handlers_fixed = JobHandlers()
    handlers_fixed.register("probe.broken", record)
    assert run_all(uow, handlers_fixed, clock) == [JobOutcome.DONE]
    assert recorded(uow) == [1]
    with uow:
        assert [e.type for e in uow.events.where(entity="job")] == ["JobDied", "JobRerun"]


def test_only_admins_see_and_rerun_jobs(uow: UnitOfWork, clock: FakeClock) -> None:
    job_id = schedule(uow, clock, 1)
    assert job_id is not None
    head = Actor(employee_id=1, role=Role.HEAD)
    with pytest.raises(Forbidden):
        jobs.list_jobs(uow, actor=head, limit=10, offset=0)
    with pytest.raises(Forbidden):
        jobs.get_job(uow, job_id, actor=head)
    with pytest.raises(Forbidden):
        jobs.rerun_job(uow, job_id, actor=head, now=clock())


def test_a_job_of_an_unknown_kind_fails_saying_so(
    uow: UnitOfWork, clock: FakeClock, handlers: JobHandlers
) -> None:
    job_id = schedule(uow, clock, 1, kind="report.monthly")
    assert job_id is not None
    assert run_all(uow, handlers, clock) == [JobOutcome.RETRYING]
    job = state_of(uow, job_id)
    assert job.last_error == (
        "UnknownJobKind: No handler is registered for job kind 'report.monthly'"
    )


def test_a_handler_that_commits_on_its_own_is_refused(
    uow: UnitOfWork, clock: FakeClock, database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        # There the handler's second transaction waits for the worker's to end: after the
        # busy timeout (30 s) it fails with "database is locked" and is retried the same way.
        pytest.skip("on SQLite a second unit of work waits for the worker's lock")

    def own_transaction(inner: UnitOfWork, payload: dict[str, Any], now: datetime) -> None:
        with inner:
            record(inner, payload, now)
            inner.commit()

    registry = JobHandlers()
    registry.register("probe.record", own_transaction)
    job_id = schedule(uow, clock, 1)
    assert job_id is not None
    assert run_all(uow, registry, clock) == [JobOutcome.RETRYING]
    assert "opened a unit of work of its own" in (state_of(uow, job_id).last_error or "")


def test_a_job_that_kills_every_worker_running_it_ends_dead(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    job_id = schedule(uow, clock, 1, max_attempts=3)
    for attempt in range(3):
        assert claim(uow, f"victim-{attempt}", clock()) == [job_id]
        clock.advance(LEASE)  # the worker died: its lease runs out

    assert claim(uow, "next", clock()) == []

    job = state_of(uow, job_id)
    assert (job.state, job.attempts) == (JobState.DEAD, 3)
    assert job.last_error == "The worker running it stopped (lease expired): victim-2"


def test_a_stopping_worker_gives_back_what_it_did_not_start(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    ids = [schedule(uow, clock, n) for n in range(3)]
    assert claim(uow, "stopping", clock()) == ids

    assert jobs.release_jobs(uow, [i for i in ids[1:] if i], owner="stopping") == 2
    assert jobs.release_jobs(uow, [i for i in ids[1:] if i], owner="other") == 0

    assert claim(uow, "next", clock()) == ids[1:]
    with uow:
        assert [j.attempts for j in uow.jobs.where()] == [1, 1, 1]


def test_finished_jobs_are_purged_after_their_keeping_time_and_nothing_else_is(
    uow: UnitOfWork, clock: FakeClock, handlers: JobHandlers
) -> None:
    schedule(uow, clock, 1, key="old-monday")
    dead = schedule(uow, clock, 2, kind="probe.broken", max_attempts=1)
    assert run_all(uow, handlers, clock) == [JobOutcome.DONE, JobOutcome.DEAD]
    clock.advance(days=7, seconds=1)
    fresh = schedule(uow, clock, 3)
    assert run_all(uow, handlers, clock) == [JobOutcome.DONE]
    waiting = schedule(uow, clock, 4, due_at=clock() + timedelta(days=400))

    assert jobs.purge_jobs(uow, now=clock()) == 1  # the week-old done job only
    with uow:
        assert sorted(j.id for j in uow.jobs.where()) == sorted([dead, fresh, waiting])
    # Its key is free again; the dead one stays a quarter for an admin to rerun.
    again = schedule(uow, clock, 5, key="old-monday", due_at=clock() + timedelta(days=400))
    assert again is not None
    clock.advance(days=90)
    assert jobs.purge_jobs(uow, now=clock()) == 2  # the dead one and the next done one
    with uow:
        assert sorted(j.id for j in uow.jobs.where()) == sorted([waiting, again])


def test_a_large_purge_goes_in_batches_and_stops_at_its_limit(
    uow: UnitOfWork, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "PURGE_BATCH", 3)
    for n in range(8):
        schedule(uow, clock, n)
    with uow:
        uow.jobs.claim(owner="w1", now=clock(), limit=100, lease=LEASE)
        for job in uow.jobs.where():
            uow.jobs.start(job.id, owner="w1", now=clock())
        uow.commit()
    clock.advance(days=8)
    assert jobs.purge_jobs(uow, now=clock(), batches=2) == 6
    assert jobs.purge_jobs(uow, now=clock(), batches=2) == 2
    with uow:
        assert uow.jobs.where() == []


def test_jobs_are_listed_by_due_time_filtered_and_paged(
    uow: UnitOfWork, clock: FakeClock, handlers: JobHandlers
) -> None:
    now = clock()
    second = schedule(uow, clock, 1, due_at=now + timedelta(hours=2))
    first = schedule(uow, clock, 2, due_at=now + timedelta(hours=1))
    broken = schedule(uow, clock, 3, kind="probe.broken", max_attempts=1)
    run_all(uow, handlers, clock)

    page = jobs.list_jobs(uow, actor=SYSTEM, limit=2, offset=0)
    assert ([j.id for j in page.items], page.total) == ([broken, first], 3)
    assert [j.id for j in jobs.list_jobs(uow, actor=SYSTEM, limit=2, offset=2).items] == [second]
    dead = jobs.list_jobs(uow, actor=SYSTEM, limit=10, offset=0, state=JobState.DEAD)
    assert [j.id for j in dead.items] == [broken]
    by_kind = jobs.list_jobs(uow, actor=SYSTEM, limit=10, offset=0, kind="probe.record")
    assert [j.id for j in by_kind.items] == [first, second]
    with uow:
        assert uow.jobs.counts() == {
            JobState.PENDING: 2,
            JobState.RUNNING: 0,
            JobState.DONE: 0,
            JobState.DEAD: 1,
        }


def test_scheduling_in_bulk_skips_keys_that_exist(uow: UnitOfWork, clock: FakeClock) -> None:
    schedule(uow, clock, 0, key="k-0")
    with uow:
        jobs.schedule_many(
            uow,
            (
                NewJob(kind="probe.record", payload={"n": n}, due_at=clock(), key=f"k-{n % 7}")
                for n in range(7 * 2)
            ),
            now=clock(),
        )
        uow.commit()
    with uow:
        assert sorted(j.payload["n"] for j in uow.jobs.where()) == list(range(7))


@pytest.fixture
def engines(database_url: str) -> Iterator[list[UnitOfWork]]:
    made = [build_engine(database_url) for _ in range(4)]
    yield [UnitOfWork(session_factory(engine)) for engine in made]
    for engine in made:
        engine.dispose()


def test_workers_claiming_at_once_never_take_the_same_job(
    uow: UnitOfWork, clock: FakeClock, engines: list[UnitOfWork]
) -> None:
    with uow:
        jobs.schedule_many(
            uow,
            (NewJob(kind="probe.record", payload={"n": n}, due_at=clock()) for n in range(400)),
            now=clock(),
        )
        uow.commit()
    start = threading.Barrier(len(engines))
    taken: list[list[int]] = [[] for _ in engines]

    def worker(index: int) -> None:
        start.wait()
        while batch := claim(engines[index], f"w{index}", clock(), limit=7):
            taken[index].extend(batch)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(engines))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    everything = [job_id for batch in taken for job_id in batch]
    assert len(everything) == len(set(everything)) == 400
    with uow:
        owners = {j.id: j.lease_owner for j in uow.jobs.where()}
    for index, batch in enumerate(taken):
        assert {owners[job_id] for job_id in batch} <= {f"w{index}"}


def test_a_running_handler_keeps_its_job_however_long_past_its_lease(
    uow: UnitOfWork, clock: FakeClock, engines: list[UnitOfWork]
) -> None:
    running = threading.Event()
    finish = threading.Event()

    def slow(inner: UnitOfWork, payload: dict[str, Any], now: datetime) -> None:
        running.set()
        assert finish.wait(10)
        record(inner, payload, now)

    registry = JobHandlers()
    registry.register("probe.record", slow)
    schedule(uow, clock, 1)
    [job] = claim_jobs(engines[0], owner="slow", now=clock(), limit=1, lease=LEASE).jobs
    outcome: list[JobOutcome] = []
    eager: list[list[int]] = []
    runner = threading.Thread(
        target=lambda: outcome.append(
            run_job(engines[0], job, handlers=registry, owner="slow", clock=clock)
        )
    )
    runner.start()
    assert running.wait(10)

    # Long past the lease, another worker looks. On PostgreSQL the job's row is locked by
    # the running handler and skipped; on SQLite the look waits for the handler's commit.
    looker = threading.Thread(
        target=lambda: eager.append(claim(engines[1], "eager", clock() + 10 * LEASE))
    )
    looker.start()
    looker.join(0.3)
    finish.set()
    runner.join()
    looker.join()

    assert outcome == [JobOutcome.DONE]
    assert eager == [[]]
    assert recorded(uow) == [1]
