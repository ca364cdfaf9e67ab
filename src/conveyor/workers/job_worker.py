"""The job worker: claims due jobs in batches and runs each in its own transaction.

Its loop: claim up to ``batch`` due jobs under a lease (``services.jobs.claim_jobs``), run
each (``services.jobs.run_job``: handler and completion in one transaction, a failure
recorded in another), and when a batch comes back short, sleep until the next job is due
(or a lease expires), never longer than ``poll_seconds``, waking early when a transaction
schedules a job (LISTEN/NOTIFY on PostgreSQL, the process's bell on SQLite; see
``storage/job_wakeups.py``).

Any number of workers, threads or processes on any number of machines, share one database:
claims never overlap, and a worker killed mid-job leaves its lease to expire and its jobs to
the others. ``stop`` (SIGTERM or SIGINT for ``conveyor worker``) lets the job running finish,
gives back the jobs claimed and not started, and ends the loop.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import FrameType

from conveyor.services.jobs import JobHandlers, JobOutcome, claim_jobs, release_jobs, run_job
from conveyor.storage.database import build_engine, session_factory
from conveyor.storage.job_wakeups import LocalWakeups, Wakeups, wakeups_for
from conveyor.storage.unit_of_work import UnitOfWork

log = logging.getLogger("conveyor.worker")

#: How often a sleeping worker looks at its stop flag, at the longest.
_STOP_CHECK_SECONDS = 0.5


def worker_id() -> str:
    """``host:pid:random``: unique across machines, readable in ``lease_owner``."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(frozen=True, kw_only=True)
class WorkerOptions:
    """Jobs claimed at a time; how long a claim is the worker's before another may take the
    job over; the longest sleep between two looks at the jobs."""

    batch: int = 50
    lease_seconds: float = 60.0
    poll_seconds: float = 1.0

    def __post_init__(self) -> None:
        if self.batch < 1 or self.lease_seconds <= 0 or self.poll_seconds <= 0:
            raise ValueError("batch >= 1, lease_seconds > 0 and poll_seconds > 0")


class JobWorker:
    """One worker: ``run()`` loops until ``request_stop()``; ``start``/``stop`` run it in a
    daemon thread (what ``conveyor serve`` does)."""

    def __init__(
        self,
        new_uow: Callable[[], UnitOfWork],
        handlers: JobHandlers,
        *,
        clock: Callable[[], datetime] | None = None,
        options: WorkerOptions | None = None,
        wakeups: Wakeups | None = None,
        owner: str | None = None,
    ) -> None:
        self._new_uow = new_uow
        self._handlers = handlers
        self._clock = clock or (lambda: datetime.now(UTC))
        self.options = options or WorkerOptions()
        self._wakeups = wakeups or LocalWakeups()
        self.owner = owner or worker_id()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        #: Jobs run since the start, by outcome.
        self.outcomes: dict[JobOutcome, int] = dict.fromkeys(JobOutcome, 0)

    # -- as a thread ------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="conveyor-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the loop to stop and wait for it (the job running finishes first)."""
        self.request_stop()
        if self._thread is not None:
            self._thread.join(timeout)
        self.close()

    def request_stop(self) -> None:
        """Ask the loop to stop after the job running; safe from a signal handler (the loop
        only ever reads the flag, never waits on it)."""
        self._stopping.set()

    def close(self) -> None:
        self._wakeups.close()

    # -- the loop ---------------------------------------------------------------------------

    def run(self) -> None:
        """Claim and run jobs until ``request_stop``."""
        log.info("job worker %s started", self.owner)
        while not self._stopping.is_set():
            try:
                full, next_due = self.run_batch()
            except Exception:
                # The database is down, say: nothing claimed is lost (leases expire), and the
                # worker tries again after a poll interval.
                log.exception("job worker %s could not claim; trying again", self.owner)
                self._sleep(self.options.poll_seconds)
                continue
            if not full:
                self._sleep(self._seconds_until(next_due))
        log.info("job worker %s stopped", self.owner)

    def run_batch(self) -> tuple[bool, datetime | None]:
        """Claim one batch and run it. Returns whether the batch was full (more may be due at
        once) and, when it was not, when the next job is due."""
        options = self.options
        # One connection for the batch's many short transactions.
        with self._new_uow().pinned() as uow:
            claim = claim_jobs(
                uow,
                owner=self.owner,
                now=self._clock(),
                limit=options.batch,
                lease=timedelta(seconds=options.lease_seconds),
            )
            claimed_at = time.monotonic()
            for index, job in enumerate(claim.jobs):
                # A batch that ran so long that its lease nears its end gives the rest back,
                # and so does a worker asked to stop: others take them at once.
                late = time.monotonic() - claimed_at > options.lease_seconds / 2
                if self._stopping.is_set() or late:
                    rest = [j.id for j in claim.jobs[index:]]
                    release_jobs(uow, rest, owner=self.owner)
                    return True, None
                outcome = run_job(
                    uow, job, handlers=self._handlers, owner=self.owner, clock=self._clock
                )
                self.outcomes[outcome] += 1
        return len(claim.jobs) == options.batch, claim.next_due_at

    def _seconds_until(self, moment: datetime | None) -> float:
        if moment is None:
            return self.options.poll_seconds
        seconds = (moment - self._clock()).total_seconds()
        return min(max(seconds, 0.0), self.options.poll_seconds)

    def _sleep(self, seconds: float) -> None:
        """Sleep ``seconds``, or less when woken or asked to stop."""
        deadline = time.monotonic() + seconds
        while not self._stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            if self._wakeups.wait(min(remaining, _STOP_CHECK_SECONDS)):
                return


def run_worker_process(
    database_url: str,
    handlers: JobHandlers,
    *,
    options: WorkerOptions | None = None,
    on_started: Callable[[JobWorker], None] | None = None,
) -> JobWorker:
    """Run a worker in this process's main thread until SIGTERM or SIGINT: the job running
    then finishes, the rest of its batch is given back, and the function returns the worker
    (its ``outcomes``). A second signal stops at once."""
    engine = build_engine(database_url)
    sessions = session_factory(engine)
    worker = JobWorker(
        lambda: UnitOfWork(sessions),
        handlers,
        options=options,
        wakeups=wakeups_for(database_url),
    )

    def graceful(signum: int, _frame: FrameType | None) -> None:
        log.info("job worker %s stopping (%s)", worker.owner, signal.Signals(signum).name)
        worker.request_stop()
        signal.signal(signum, signal.SIG_DFL)

    previous = {s: signal.signal(s, graceful) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        if on_started is not None:
            on_started(worker)
        worker.run()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        worker.close()
        engine.dispose()
    return worker
