"""The job worker as it runs for real, on both databases: woken at once by a job scheduled,
on time for a timer, finishing its job on SIGTERM, and — real processes, killed by
SIGKILL mid-job — losing nothing: another worker takes its jobs once the lease expires, and
every job's effect happens exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from conveyor.domain.events import DomainEvent
from conveyor.domain.jobs import JobState, NewJob
from conveyor.services import jobs
from conveyor.services.jobs import JobHandlers
from conveyor.storage.job_wakeups import wakeups_for
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.workers.job_worker import JobWorker, WorkerOptions

ROOT = Path(__file__).resolve().parents[2]


def now() -> datetime:
    return datetime.now(UTC)


def schedule(uow: UnitOfWork, count: int, *, sleep: float = 0.0, due_in: float = 0.0) -> None:
    with uow:
        jobs.schedule_many(
            uow,
            (
                NewJob(
                    kind="probe.record",
                    payload={"n": n, "sleep": sleep},
                    due_at=now() + timedelta(seconds=due_in),
                )
                for n in range(count)
            ),
            now=now(),
        )
        uow.commit()


def recorded(uow: UnitOfWork) -> Counter[int]:
    with uow:
        return Counter(e.entity_id for e in uow.events.where(type="Recorded"))


def wait_until(condition: Callable[[], bool], timeout: float, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


# -- a worker thread, as ``conveyor serve`` runs it -----------------------------------------


@pytest.fixture
def worker_thread(database_url: str, uow: UnitOfWork) -> Iterator[tuple[JobWorker, list[float]]]:
    """A worker that would sleep 30 s between looks unless woken; records when each probe ran
    against when it was due."""
    lateness: list[float] = []

    def probe(inner: UnitOfWork, payload: dict[str, Any], at: datetime) -> None:
        lateness.append((at - datetime.fromisoformat(payload["due"])).total_seconds())
        inner.emit(DomainEvent(type="Recorded", entity="probe", entity_id=1, occurred_at=at))

    registry = JobHandlers()
    registry.register("probe.timer", probe)
    worker = JobWorker(
        lambda: UnitOfWork(uow._sessions),
        registry,
        options=WorkerOptions(poll_seconds=30),
        wakeups=wakeups_for(database_url),
    )
    worker.start()
    time.sleep(0.3)  # it has looked once, found nothing, and sleeps
    yield worker, lateness
    worker.stop()


def test_a_sleeping_worker_wakes_for_a_new_job_and_fires_a_timer_on_time(
    worker_thread: tuple[JobWorker, list[float]], uow: UnitOfWork
) -> None:
    worker, lateness = worker_thread
    for delay in (0.0, 0.8):
        due = now() + timedelta(seconds=delay)
        with uow:
            jobs.schedule(
                uow, kind="probe.timer", payload={"due": due.isoformat()}, due_at=due, now=now()
            )
            uow.commit()
    assert wait_until(lambda: worker.outcomes["done"] == 2, timeout=5), lateness
    # Woken by the commit, not by its 30 s poll; then asleep until the timer was due.
    assert len(lateness) == 2 and all(0 <= late < 0.5 for late in lateness), lateness


# -- real processes -------------------------------------------------------------------------


class Process:
    def __init__(self, url: str, *, lease: float = 2.0, batch: int = 5) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
        arguments = [url, str(lease), str(batch)]
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.job_worker_process", *arguments],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.popen.stdout is not None
        line = self.popen.stdout.readline()
        assert line, self.popen.stderr.read() if self.popen.stderr else "no output"
        self.owner: str = json.loads(line)["owner"]

    def stop(self, timeout: float = 30) -> dict[str, int]:
        """SIGTERM, then the outcomes it printed on its way out."""
        self.popen.send_signal(signal.SIGTERM)
        out, err = self.popen.communicate(timeout=timeout)
        assert self.popen.returncode == 0, err
        return dict(json.loads(out.strip().splitlines()[-1]))

    def kill(self) -> None:
        self.popen.send_signal(signal.SIGKILL)
        self.popen.communicate(timeout=30)
        assert self.popen.returncode == -signal.SIGKILL


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for process in started:
        if process.popen.poll() is None:
            process.popen.kill()
            process.popen.communicate(timeout=30)


@pytest.fixture
def observer(database_url: str) -> Iterator[Engine]:
    """Reads without taking SQLite's write lock (the units of work begin IMMEDIATE), so
    watching a busy worker never waits for it."""
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def done_count(observer: Engine) -> int:
    with observer.connect() as connection:
        query = "SELECT count(*) FROM events WHERE type = 'Recorded'"
        return int(connection.execute(text(query)).scalar_one())


def leased_to(observer: Engine, owner: str) -> set[int]:
    with observer.connect() as connection:
        query = "SELECT id FROM jobs WHERE state = 'running' AND lease_owner = :owner"
        return set(connection.execute(text(query), {"owner": owner}).scalars())


def test_a_worker_killed_mid_job_loses_nothing_and_repeats_nothing(
    database_url: str, uow: UnitOfWork, processes: list[Process], observer: Engine
) -> None:
    total = 40
    schedule(uow, total, sleep=0.05)
    doomed = Process(database_url, lease=2.0, batch=5)
    processes.append(doomed)
    # Kill it once it has finished some jobs and holds leases on others, one of them running.
    assert wait_until(
        lambda: done_count(observer) >= 5 and len(leased_to(observer, doomed.owner)) >= 2,
        timeout=30,
        every=0.01,
    )
    doomed.kill()
    orphans = leased_to(observer, doomed.owner)
    assert orphans, "the worker held no lease when killed"
    done_before = done_count(observer)

    survivor = Process(database_url, lease=2.0, batch=5)
    processes.append(survivor)
    assert wait_until(lambda: done_count(observer) == total, timeout=60, every=0.2)
    outcomes = survivor.stop()

    assert recorded(uow) == Counter(range(total))  # every job's effect, exactly once
    assert outcomes["done"] == total - done_before
    with uow:
        finished = uow.jobs.where()
    assert {j.state for j in finished} == {JobState.DONE}
    # The orphans were taken over after their lease expired: their second attempt.
    assert {j.id for j in finished if j.attempts == 2} == orphans


def test_sigterm_lets_the_running_job_finish_and_gives_the_rest_back(
    database_url: str, uow: UnitOfWork, processes: list[Process], observer: Engine
) -> None:
    schedule(uow, 5, sleep=0.6)
    worker = Process(database_url, lease=60.0, batch=5)
    processes.append(worker)
    assert wait_until(lambda: len(leased_to(observer, worker.owner)) == 5, timeout=30)
    time.sleep(0.3)  # its first job is running (0.6 s)

    outcomes = worker.stop()

    done = outcomes["done"]
    assert 1 <= done < 5
    assert sum(recorded(uow).values()) == done
    with uow:
        waiting = uow.jobs.where(state=JobState.PENDING)
    # Given back at once, not left to a 60 s lease, and the attempt not counted.
    assert len(waiting) == 5 - done
    assert all(j.attempts == 0 and j.lease_owner is None for j in waiting)


def test_workers_in_several_processes_share_the_jobs_each_run_once(
    database_url: str, uow: UnitOfWork, processes: list[Process], observer: Engine
) -> None:
    total = 150
    first, second = Process(database_url, batch=5), Process(database_url, batch=5)
    processes.extend([first, second])
    schedule(uow, total, sleep=0.01)

    assert wait_until(lambda: done_count(observer) == total, timeout=90, every=0.2)
    shares = [first.stop()["done"], second.stop()["done"]]

    assert recorded(uow) == Counter(range(total))
    assert sum(shares) == total
    if database_url.startswith("postgresql"):
        # SKIP LOCKED: each takes its own batches. (SQLite's writers queue on one lock, and
        # the one that holds it tends to keep it: there one worker per database is the plan.)
        assert min(shares) > 0, shares


def test_a_worker_thread_asleep_on_a_long_poll_stops_at_once(
    database_url: str, uow: UnitOfWork
) -> None:
    worker = JobWorker(
        lambda: UnitOfWork(uow._sessions),
        JobHandlers(),
        options=WorkerOptions(poll_seconds=60),
        wakeups=wakeups_for(database_url),
    )
    worker.start()
    time.sleep(0.2)
    started = time.monotonic()
    stopper = threading.Thread(target=worker.stop)
    stopper.start()
    stopper.join(5)
    assert not stopper.is_alive()
    assert time.monotonic() - started < 2
