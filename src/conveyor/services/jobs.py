"""Jobs: schedule work in the caller's transaction, run one claimed job, and let admins list,
read and rerun them.

``schedule`` is called *inside* the caller's open unit of work, so the job is written in
the same transaction as the change that causes it: rolled back together, committed
together.

A handler is ``handler(uow, payload, now)``. It runs inside the worker's open unit of work,
in the very transaction that marks its job done, and must not commit or open a unit of its
own: so a handler whose effects are all in the database has them exactly once, whatever
crashes. A handler with effects outside (an email, a webhook) may run again after a crash
and must be idempotent. Kinds are registered in ``JobHandlers``; the ones Conveyor ships
are listed in ``services/job_kinds.py``.

The worker's loop (``workers/job_worker.py``) calls ``claim_jobs`` and then ``run_job`` for
each claimed job.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from conveyor.domain.actors import Actor
from conveyor.domain.errors import ConveyorError
from conveyor.domain.events import DomainEvent
from conveyor.domain.jobs import (
    DEFAULT_MAX_ATTEMPTS,
    Backoff,
    ClaimedJob,
    Job,
    JobState,
    NewJob,
    UnknownJobKind,
    error_text,
)
from conveyor.domain.pages import Page
from conveyor.services import logins
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = [
    "Claim",
    "Handler",
    "JobHandlers",
    "JobOutcome",
    "claim_jobs",
    "get_job",
    "list_jobs",
    "release_jobs",
    "rerun_job",
    "run_job",
    "schedule",
    "schedule_many",
]

log = logging.getLogger("conveyor.jobs")

#: ``handler(uow, payload, now)``, run inside the worker's open unit of work.
Handler = Callable[[UnitOfWork, dict[str, Any], datetime], object]


@dataclass(frozen=True, kw_only=True)
class JobKind:
    handler: Handler
    backoff: Backoff = field(default_factory=Backoff)


class JobHandlers:
    """Which handler runs each kind of job, and how long it waits after a failure."""

    def __init__(self) -> None:
        self._kinds: dict[str, JobKind] = {}

    def register(self, kind: str, handler: Handler, *, backoff: Backoff | None = None) -> None:
        if kind in self._kinds:
            raise ValueError(f"job kind {kind!r} is registered twice")
        self._kinds[kind] = JobKind(handler=handler, backoff=backoff or Backoff())

    def get(self, kind: str) -> JobKind | None:
        return self._kinds.get(kind)

    def __contains__(self, kind: object) -> bool:
        return kind in self._kinds

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._kinds))


def schedule(
    uow: UnitOfWork,
    *,
    kind: str,
    payload: dict[str, Any],
    due_at: datetime,
    now: datetime,
    key: str | None = None,
    max_attempts: int | None = None,
) -> int | None:
    """Schedule a job in the caller's open ``uow`` (committed or rolled back with it); its id,
    or ``None`` when a job with ``key`` already exists, in whatever state: scheduling the same
    key twice is a no-op. Bad values raise ``InvalidValue`` naming the field."""
    new = NewJob(
        kind=kind,
        payload=payload,
        due_at=due_at,
        key=key,
        max_attempts=DEFAULT_MAX_ATTEMPTS if max_attempts is None else max_attempts,
    )
    new.check()
    return uow.jobs.schedule(new, now=now)


def schedule_many(uow: UnitOfWork, jobs: Iterable[NewJob], *, now: datetime) -> None:
    """Schedule many jobs in the caller's open ``uow``, in bulk; those whose key exists are
    skipped. Each is checked as by ``schedule``."""

    def checked() -> Iterator[NewJob]:
        for new in jobs:
            new.check()
            yield new

    uow.jobs.schedule_many(checked(), now=now)


# -- admins ---------------------------------------------------------------------------------


def list_jobs(
    uow: UnitOfWork,
    *,
    actor: Actor,
    limit: int,
    offset: int,
    state: JobState | None = None,
    kind: str | None = None,
) -> Page[Job]:
    """Jobs by due time, only those in ``state`` and of ``kind`` when given (admins)."""
    actor.require_admin()
    with uow:
        return uow.jobs.page_of(state=state, kind=kind, limit=limit, offset=offset)


def get_job(uow: UnitOfWork, job_id: int, *, actor: Actor) -> Job:
    actor.require_admin()
    with uow:
        return uow.jobs.get(job_id)


def rerun_job(uow: UnitOfWork, job_id: int, *, actor: Actor, now: datetime) -> Job:
    """Make a dead job pending again, due now, with its attempts reset (admins). A job in any
    other state is refused with ``Conflict`` on ``state``. Emits ``JobRerun``."""
    actor.require_admin()
    with uow:
        job = uow.jobs.get(job_id, for_update=True)
        job.rerun(now)
        uow.flush()
        uow.emit(
            DomainEvent(
                type="JobRerun",
                entity="job",
                entity_id=job_id,
                occurred_at=now,
                payload={"kind": job.kind, "actor_id": actor.employee_id or None},
            )
        )
        uow.jobs.announce()
        uow.commit()
    return job


#: How long finished jobs stay readable (``GET /jobs``) before ``purge_jobs`` deletes them:
#: done ones a week, dead ones (an admin may still rerun them) a quarter.
KEEP_DONE = timedelta(days=7)
KEEP_DEAD = timedelta(days=90)
#: Rows deleted per transaction: short transactions, never a long lock on the table.
PURGE_BATCH = 5_000


def purge_jobs(
    uow: UnitOfWork,
    *,
    now: datetime,
    keep_done: timedelta = KEEP_DONE,
    keep_dead: timedelta = KEEP_DEAD,
    batches: int = 20,
) -> int:
    """Delete finished jobs older than their keeping time, ``PURGE_BATCH`` per transaction
    and at most ``batches`` transactions (the rest at the next call); how many went. Pending
    and running jobs are never touched. Old sign-in attempts and ended web sessions go too
    (``logins.purge_sign_ins``), in a transaction of their own."""
    purged = 0
    for _ in range(batches):
        with uow:
            gone = uow.jobs.purge_finished(
                done_before=now - keep_done, dead_before=now - keep_dead, limit=PURGE_BATCH
            )
            uow.commit()
        purged += gone
        if gone < PURGE_BATCH:
            break
    if purged:
        log.info("Purged %d finished jobs", purged)
    if signs := logins.purge_sign_ins(uow, now=now):
        log.info("Purged %d old sign-in attempts and ended web sessions", signs)
    return purged


# -- the worker's steps ---------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Claim:
    """Jobs just leased to a worker, and, when it took fewer than it asked for, when it next
    has something to claim (``None``: nothing scheduled at all)."""

    jobs: list[ClaimedJob]
    next_due_at: datetime | None


def claim_jobs(
    uow: UnitOfWork, *, owner: str, now: datetime, limit: int, lease: timedelta
) -> Claim:
    """Lease up to ``limit`` due jobs to ``owner`` (expired leases first, then by due time),
    in one transaction of its own."""
    with uow:
        claimed = uow.jobs.claim(owner=owner, now=now, limit=limit, lease=lease)
        next_due = None if len(claimed) == limit else uow.jobs.next_due_at()
        uow.commit()
    return Claim(jobs=claimed, next_due_at=next_due)


def release_jobs(uow: UnitOfWork, job_ids: list[int], *, owner: str) -> int:
    """Give back claimed jobs not started (a stopping worker): pending again at once."""
    with uow:
        released = uow.jobs.release(job_ids, owner=owner)
        uow.commit()
    return released


class JobOutcome(enum.StrEnum):
    DONE = "done"
    RETRYING = "retrying"
    DEAD = "dead"
    #: The worker's lease was taken over meanwhile; the job was left to its new owner.
    LOST = "lost"


def run_job(
    uow: UnitOfWork,
    job: ClaimedJob,
    *,
    handlers: JobHandlers,
    owner: str,
    clock: Callable[[], datetime],
) -> JobOutcome:
    """Run one claimed job: its handler and its completion in one transaction, with ``now``
    read once from ``clock`` (the handler's ``now`` and the job's ``finished_at``). On any
    exception that transaction is rolled back and the failure is recorded in a new one, as
    of when it failed: pending again after the kind's backoff, or dead after
    ``max_attempts`` (with a ``JobDied`` event). Returns a ``JobOutcome``."""
    now = clock()
    kind = handlers.get(job.kind)
    if kind is None:
        log.warning("job %s is of kind %r, which this worker does not know", job.id, job.kind)
        error = UnknownJobKind(f"No handler is registered for job kind '{job.kind}'")
        return _failed(uow, job, error, backoff=Backoff(), owner=owner, now=now)
    try:
        with uow:
            session = uow.session
            try:
                if not uow.jobs.start(job.id, owner=owner, now=now):
                    return JobOutcome.LOST
                kind.handler(uow, dict(job.payload), now)
                if uow.session is not session:
                    raise RuntimeError(
                        f"The handler of '{job.kind}' opened a unit of work of its own; "
                        "handlers run inside the worker's"
                    )
                uow.commit()
            finally:
                if uow.session is not session:
                    session.close()  # the worker's transaction, left behind: rolled back
    except Exception as error:
        log.warning(
            "job %s (%s) failed on attempt %s of %s",
            job.id,
            job.kind,
            job.attempts,
            job.max_attempts,
            exc_info=not isinstance(error, ConveyorError),
        )
        return _failed(uow, job, error, backoff=kind.backoff, owner=owner, now=clock())
    return JobOutcome.DONE


def _failed(
    uow: UnitOfWork,
    job: ClaimedJob,
    error: BaseException,
    *,
    backoff: Backoff,
    owner: str,
    now: datetime,
) -> JobOutcome:
    decision = backoff.after_failure(attempts=job.attempts, max_attempts=job.max_attempts, now=now)
    text = error_text(error)
    with uow:
        recorded = uow.jobs.fail(job.id, owner=owner, error=text, decision=decision, now=now)
        if recorded and decision.dead:
            uow.emit(
                DomainEvent(
                    type="JobDied",
                    entity="job",
                    entity_id=job.id,
                    occurred_at=now,
                    payload={"kind": job.kind, "attempts": job.attempts, "last_error": text},
                )
            )
        uow.commit()
    if not recorded:
        return JobOutcome.LOST
    return JobOutcome.DEAD if decision.dead else JobOutcome.RETRYING
