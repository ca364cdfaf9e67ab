"""Helpers for tasks in motion: run the reminder jobs that are due, read who was told what."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from conveyor.domain.jobs import JobState
from conveyor.services import task_reminders
from conveyor.services.jobs import JobHandlers, JobOutcome, claim_jobs, run_job
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock

LEASE = timedelta(seconds=30)


def reminder_handlers() -> JobHandlers:
    registry = JobHandlers()
    task_reminders.register(registry)
    return registry


def run_due(uow: UnitOfWork, clock: FakeClock) -> list[JobOutcome]:
    """Claim and run every reminder job due at the clock's now, as a worker does."""
    handlers = reminder_handlers()
    claimed = claim_jobs(uow, owner="w1", now=clock(), limit=100, lease=LEASE).jobs
    mine = [job for job in claimed if job.kind in handlers]
    return [run_job(uow, job, handlers=handlers, owner="w1", clock=clock) for job in mine]


def notices(uow: UnitOfWork, employee_id: int, kind: str | None = None) -> list[dict[str, Any]]:
    """The employee's notifications (of ``kind`` when given), oldest first, as their kind
    and params."""
    with uow:
        found = uow.notifications.where(recipient_id=employee_id)
    return [
        {"kind": n.kind, **n.params, "link": (n.link_entity, n.link_id)}
        for n in found
        if kind is None or n.kind == kind
    ]


def reminder_jobs(
    uow: UnitOfWork, task_id: int, state: JobState | None = JobState.PENDING
) -> list[tuple[str, str]]:
    """The task's reminder jobs (in ``state``) as (kind, due at in ISO), by due time."""
    kinds = set(task_reminders.JOB_KINDS.values())
    with uow:
        jobs = uow.jobs.where() if state is None else uow.jobs.where(state=state)
    found = [j for j in jobs if j.kind in kinds and j.payload.get("task_id") == task_id]
    return [(j.kind, j.due_at.isoformat()) for j in sorted(found, key=lambda j: (j.due_at, j.kind))]
