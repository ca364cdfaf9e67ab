"""The job store: scheduling with key dedupe, claiming under a lease, outcomes, listing.

The worker's path (claim, start, fail, release) runs plain statements on the table, never
mapped objects: it is the hot path, and each statement is fenced by the lease owner, so a
worker whose lease was taken over changes nothing. Listing and rerun go through the mapped
``Job``.

Claiming on PostgreSQL locks the rows it picks with ``FOR UPDATE SKIP LOCKED``: workers on
any number of machines each take a different batch and never wait for one another, and a
job whose handler is running (its row locked by the handler's transaction) is never taken
over, even after its lease expired. SQLite serializes writers, so there the same statements
are simply atomic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Dialect,
    Insert,
    bindparam,
    delete,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from conveyor.domain.jobs import ClaimedJob, Job, JobState, NewJob, RetryDecision
from conveyor.domain.pages import Page
from conveyor.storage.job_wakeups import announce
from conveyor.storage.repositories.base import Repository
from conveyor.storage.tables.jobs import jobs

#: Rows per INSERT statement when scheduling in bulk.
_BULK = 5_000
_CLAIMED = (
    jobs.c.id,
    jobs.c.kind,
    jobs.c.payload,
    jobs.c.due_at,
    jobs.c.attempts,
    jobs.c.max_attempts,
)


class JobRepository(Repository[Job]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Job, "job")

    # -- scheduling -------------------------------------------------------------------------

    def schedule(self, new: NewJob, *, now: datetime) -> int | None:
        """Insert the job in this transaction; its id, or ``None`` when a job with its key
        already exists (whatever that job's state)."""
        statement = _insert_ignoring_keys(self._dialect()).values(_row(new, now))
        job_id = self.session.execute(statement.returning(jobs.c.id)).scalar()
        if job_id is not None:
            announce(self.session)
        return job_id

    def schedule_many(self, new_jobs: Iterable[NewJob], *, now: datetime) -> None:
        """Insert many jobs in this transaction, ``_BULK`` rows per statement; those whose key
        exists are skipped."""
        statement = _insert_ignoring_keys(self._dialect())
        rows: list[dict[str, Any]] = []
        for new in new_jobs:
            rows.append(_row(new, now))
            if len(rows) == _BULK:
                self.session.execute(statement, rows)
                rows = []
        if rows:
            self.session.execute(statement, rows)
        announce(self.session)

    def announce(self) -> None:
        """Wake the workers once this transaction commits (a job made due now)."""
        announce(self.session)

    def cancel_pending(self, key: str) -> bool:
        """Delete the job with ``key`` if it is still pending (a job running or finished is
        left alone); whether one was deleted."""
        statement = jobs.delete().where(jobs.c.key == key, jobs.c.state == JobState.PENDING)
        return _rowcount(self.session.execute(statement)) > 0

    # -- the worker's path ------------------------------------------------------------------

    def claim(self, *, owner: str, now: datetime, limit: int, lease: timedelta) -> list[ClaimedJob]:
        """Lease up to ``limit`` jobs to ``owner`` until ``now + lease``, counting an attempt
        each: first running jobs whose lease expired (their worker died; those already
        tried ``max_attempts`` times are declared dead instead), then pending jobs due at or
        before ``now``, the earliest due first. Returned in that order."""
        c = jobs.c
        expired = (c.state == JobState.RUNNING, c.lease_expires_at <= now)
        self._declare_dead(expired, now)
        taken = self._lock(
            (*expired, c.attempts < c.max_attempts), order=c.lease_expires_at, limit=limit
        )
        if len(taken) < limit:
            taken += self._lock(
                (c.state == JobState.PENDING, c.due_at <= now),
                order=c.due_at,
                limit=limit - len(taken),
            )
        if not taken:
            return []
        statement = (
            update(jobs)
            .where(c.id.in_(taken))
            .values(
                state=JobState.RUNNING,
                lease_owner=owner,
                lease_expires_at=now + lease,
                attempts=c.attempts + 1,
            )
            .returning(*_CLAIMED)
        )
        claimed = {row.id: _claimed(row) for row in self.session.execute(statement)}
        return [claimed[job_id] for job_id in taken if job_id in claimed]

    def start(self, job_id: int, *, owner: str, now: datetime) -> bool:
        """Mark the job done, as of ``now``, in the transaction that runs its handler: the
        handler's changes and the job's completion commit together or not at all. ``False``
        (and nothing changed) when ``owner`` no longer holds the job. On PostgreSQL this also
        locks the job's row until the transaction ends, so no other worker takes it over
        meanwhile, however long the handler runs."""
        parameters = {"job_id": job_id, "owner": owner, "now": now}
        return _rowcount(self.session.execute(_START, parameters)) == 1

    def fail(
        self, job_id: int, *, owner: str, error: str, decision: RetryDecision, now: datetime
    ) -> bool:
        """Record a failed attempt: pending again at ``decision.due_at``, or dead. ``False``
        when ``owner`` no longer holds the job (someone else's outcome stands)."""
        values: dict[str, Any] = {
            "last_error": error,
            "lease_owner": None,
            "lease_expires_at": None,
        }
        if decision.dead:
            values.update(state=JobState.DEAD, finished_at=now)
        else:
            values.update(state=JobState.PENDING, due_at=decision.due_at)
        statement = (
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.lease_owner == owner)
            .where(jobs.c.state == JobState.RUNNING)
            .values(**values)
        )
        return _rowcount(self.session.execute(statement)) == 1

    def release(self, job_ids: Sequence[int], *, owner: str) -> int:
        """Give back jobs claimed and not started (a worker stopping): pending again at once,
        the attempt not counted. How many were still ``owner``'s."""
        if not job_ids:
            return 0
        statement = (
            update(jobs)
            .where(jobs.c.id.in_(job_ids), jobs.c.lease_owner == owner)
            .where(jobs.c.state == JobState.RUNNING)
            .values(
                state=JobState.PENDING,
                lease_owner=None,
                lease_expires_at=None,
                attempts=jobs.c.attempts - 1,
            )
        )
        released = _rowcount(self.session.execute(statement))
        if released:
            announce(self.session)
        return released

    def next_due_at(self) -> datetime | None:
        """When a worker next has something to claim: the earliest due pending job or the
        earliest lease to expire; ``None`` when neither exists. Two index reads."""
        c = jobs.c
        pending = self.session.scalar(select(func.min(c.due_at)).where(c.state == JobState.PENDING))
        leased = self.session.scalar(
            select(func.min(c.lease_expires_at)).where(c.state == JobState.RUNNING)
        )
        moments = [m for m in (pending, leased) if m is not None]
        return min(moments) if moments else None

    # -- keeping the table small ------------------------------------------------------------

    def purge_finished(self, *, done_before: datetime, dead_before: datetime, limit: int) -> int:
        """Delete up to ``limit`` finished jobs: done ones that finished before
        ``done_before``, dead ones before ``dead_before``; how many went. Their keys are free
        again: a purged job is one whose cause is long settled, and handlers check the state
        they act on, so the rare key scheduled again finds nothing left to do."""
        c = jobs.c
        old = ((c.state == JobState.DONE) & (c.finished_at < done_before)) | (
            (c.state == JobState.DEAD) & (c.finished_at < dead_before)
        )
        doomed = self._lock((old,), order=c.finished_at, limit=limit)
        if not doomed:
            return 0
        return _rowcount(self.session.execute(delete(jobs).where(c.id.in_(doomed))))

    # -- reading ----------------------------------------------------------------------------

    def page_of(
        self, *, state: JobState | None, kind: str | None, limit: int, offset: int
    ) -> Page[Job]:
        """Jobs by due time (then id), only those in ``state`` and of ``kind`` when given."""
        return self.page(
            limit=limit,
            offset=offset,
            filters={"state": state, "kind": kind},
            order_by=[jobs.c.due_at],
        )

    def counts(self) -> dict[JobState, int]:
        """How many jobs are in each state."""
        query = select(jobs.c.state, func.count()).group_by(jobs.c.state)
        found = {JobState(state): count for state, count in self.session.execute(query)}
        return {state: found.get(state, 0) for state in JobState}

    # -- helpers ----------------------------------------------------------------------------

    def _declare_dead(self, expired: tuple[ColumnElement[bool], ...], now: datetime) -> None:
        """Running jobs whose lease expired after their last allowed attempt are dead: the
        worker running them died each time (a job that kills its worker must not kill them
        all in turn)."""
        c = jobs.c
        doomed = self._lock((*expired, c.attempts >= c.max_attempts), order=c.id, limit=100)
        if doomed:
            self.session.execute(
                update(jobs)
                .where(c.id.in_(doomed))
                .values(
                    state=JobState.DEAD,
                    finished_at=now,
                    last_error=literal("The worker running it stopped (lease expired): ")
                    + func.coalesce(c.lease_owner, ""),
                    lease_owner=None,
                    lease_expires_at=None,
                )
            )

    def _lock(
        self, conditions: Iterable[ColumnElement[bool]], *, order: Any, limit: int
    ) -> list[int]:
        query = (
            select(jobs.c.id)
            .where(*conditions)
            .order_by(order, jobs.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(self.session.scalars(query))

    def _dialect(self) -> Dialect:
        return self.session.get_bind().dialect


#: ``start``, built once: it runs once per job, the hot path of the hot path.
_START = (
    update(jobs)
    .where(jobs.c.id == bindparam("job_id"), jobs.c.lease_owner == bindparam("owner"))
    .where(jobs.c.state == JobState.RUNNING)
    .values(
        state=JobState.DONE,
        finished_at=bindparam("now", type_=jobs.c.finished_at.type),
        lease_owner=None,
        lease_expires_at=None,
    )
)


def _insert_ignoring_keys(dialect: Dialect) -> Insert:
    """``INSERT ... ON CONFLICT (key) DO NOTHING`` on either database."""
    if dialect.name == "postgresql":
        return postgresql.insert(jobs).on_conflict_do_nothing(index_elements=[jobs.c.key])
    return sqlite.insert(jobs).on_conflict_do_nothing(index_elements=[jobs.c.key])


def _row(new: NewJob, now: datetime) -> dict[str, Any]:
    return {
        "kind": new.kind,
        "payload": new.payload,
        "due_at": new.due_at,
        "state": JobState.PENDING,
        "attempts": 0,
        "max_attempts": new.max_attempts,
        "key": new.key,
        "created_at": now,
    }


def _claimed(row: Any) -> ClaimedJob:
    return ClaimedJob(
        id=row.id,
        kind=row.kind,
        payload=dict(row.payload),
        due_at=row.due_at,
        attempts=row.attempts,
        max_attempts=row.max_attempts,
    )


def _rowcount(result: Any) -> int:
    return int(result.rowcount)
