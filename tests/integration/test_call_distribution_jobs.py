"""Weekly call distribution runs on durable jobs, on both databases: each scheduled
occurrence is one job keyed by (distribution, occurrence), written with the change that
sets it; the worker running it gives the calls and schedules next week's job in the same
transaction; a schedule changed, a distribution disabled or deleted leaves no stray run;
and a run that breaks is retried by its job, keeping nothing of the failed attempt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from conveyor.domain.jobs import Job, JobState
from conveyor.services import call_distributions, call_rounds, job_kinds
from conveyor.services.call_distributions import RUN_JOB
from conveyor.services.call_rounds import run_due_distributions
from conveyor.services.jobs import JobOutcome, claim_jobs, run_job
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.call_office import MONDAY_9_MSK, Office, open_office

WEEK = timedelta(days=7)


@pytest.fixture
def office(uow: UnitOfWork) -> Office:
    return open_office(uow)


def run_jobs_at(office: Office, moment: datetime) -> list[JobOutcome]:
    """What a worker does at ``moment``: claim the due jobs and run each."""
    clock = FakeClock(moment)
    claimed = claim_jobs(
        office.uow, owner="worker", now=moment, limit=50, lease=timedelta(minutes=1)
    ).jobs
    registry = job_kinds.handlers()
    return [
        run_job(office.uow, job, handlers=registry, owner="worker", clock=clock) for job in claimed
    ]


def run_jobs(office: Office, distribution_id: int) -> list[Job]:
    with office.uow:
        found = office.uow.jobs.where(kind=RUN_JOB)
    return [j for j in found if j.payload["distribution_id"] == distribution_id]


def pending(office: Office, distribution_id: int) -> list[tuple[datetime, str | None]]:
    return [
        (j.due_at, j.key) for j in run_jobs(office, distribution_id) if j.state is JobState.PENDING
    ]


def key(distribution_id: int, occurrence: datetime) -> str:
    return f"call_distribution:{distribution_id}:{occurrence.astimezone(UTC).isoformat()}"


def runs(office: Office, distribution_id: int) -> list[Any]:
    with office.uow:
        return office.uow.call_distribution_runs.where(distribution_id=distribution_id)


def test_defining_a_distribution_schedules_its_monday_job_and_running_it_schedules_the_next(
    office: Office,
) -> None:
    ivan = office.hire("Ivan")
    office.add_companies(5)
    distribution_id = office.distribution(per_manager=3)

    [job] = run_jobs(office, distribution_id)
    assert (job.kind, job.due_at, job.key) == (
        RUN_JOB,
        MONDAY_9_MSK,
        key(distribution_id, MONDAY_9_MSK),
    )
    assert job.payload == {
        "distribution_id": distribution_id,
        "occurrence": MONDAY_9_MSK.isoformat(),
    }
    assert run_jobs_at(office, MONDAY_9_MSK - timedelta(seconds=1)) == []

    assert run_jobs_at(office, MONDAY_9_MSK + timedelta(seconds=2)) == [JobOutcome.DONE]

    [run] = runs(office, distribution_id)
    assert (run.occurrence, run.trigger, run.companies_given) == (MONDAY_9_MSK, "schedule", 3)
    assert [r for _, r in office.calls()] == [ivan] * 3
    assert pending(office, distribution_id) == [
        (MONDAY_9_MSK + WEEK, key(distribution_id, MONDAY_9_MSK + WEEK))
    ]
    with office.uow:
        stored = office.uow.call_distributions.get(distribution_id)
    assert stored.next_run_at == MONDAY_9_MSK + WEEK

    assert run_jobs_at(office, MONDAY_9_MSK + WEEK) == [JobOutcome.DONE]
    assert [r.occurrence for r in runs(office, distribution_id)] == [
        MONDAY_9_MSK,
        MONDAY_9_MSK + WEEK,
    ]
    # The second Monday goes on after the last company, round to the first.
    companies = office.company_ids
    assert office.calls()[3:] == [(companies[3], ivan), (companies[4], ivan), (companies[0], ivan)]


def test_an_occurrence_served_another_way_is_not_run_again_by_its_job(office: Office) -> None:
    office.hire("Ivan")
    office.add_companies(10)
    distribution_id = office.distribution()

    # The catch-up call serves Monday first; Monday's job then finds nothing to do.
    assert len(run_due_distributions(office.uow, now=MONDAY_9_MSK)) == 1
    assert run_jobs_at(office, MONDAY_9_MSK + timedelta(minutes=1)) == []

    assert len(runs(office, distribution_id)) == 1
    assert len(office.calls()) == 10
    assert pending(office, distribution_id) == [
        (MONDAY_9_MSK + WEEK, key(distribution_id, MONDAY_9_MSK + WEEK))
    ]


def test_a_worker_back_after_three_mondays_runs_once_for_the_latest(office: Office) -> None:
    office.hire("Ivan")
    office.add_companies(100)
    distribution_id = office.distribution(per_manager=5)

    assert run_jobs_at(office, MONDAY_9_MSK + 2 * WEEK + timedelta(hours=5)) == [JobOutcome.DONE]

    assert [r.occurrence for r in runs(office, distribution_id)] == [MONDAY_9_MSK + 2 * WEEK]
    assert len(office.calls()) == 5
    assert pending(office, distribution_id) == [
        (MONDAY_9_MSK + 3 * WEEK, key(distribution_id, MONDAY_9_MSK + 3 * WEEK))
    ]


def test_changing_the_schedule_replaces_the_job_and_a_stale_one_runs_nothing(
    office: Office,
) -> None:
    office.hire("Ivan")
    office.add_companies(6)
    distribution_id = office.distribution(per_manager=2)
    friday = datetime(2026, 3, 6, 7, 0, tzinfo=UTC)  # Friday 10:00 Moscow
    [monday_job] = claim_jobs(
        office.uow, owner="slow", now=MONDAY_9_MSK, limit=5, lease=timedelta(minutes=1)
    ).jobs

    # While a worker holds Monday's job, the head moves the calls to Fridays.
    call_distributions.update_distribution(
        office.uow,
        distribution_id,
        {"schedule": "0 10 * * fri"},
        actor=office.head,
        now=MONDAY_9_MSK - timedelta(minutes=5),
    )
    outcome = run_job(
        office.uow,
        monday_job,
        handlers=job_kinds.handlers(),
        owner="slow",
        clock=FakeClock(MONDAY_9_MSK),
    )

    assert outcome == JobOutcome.DONE and runs(office, distribution_id) == []
    assert pending(office, distribution_id) == [(friday, key(distribution_id, friday))]
    assert run_jobs_at(office, friday) == [JobOutcome.DONE]
    assert [r.occurrence for r in runs(office, distribution_id)] == [friday]


def test_a_disabled_or_deleted_distribution_leaves_no_job_waiting(office: Office) -> None:
    office.hire("Ivan")
    office.add_companies(3)
    paused = office.distribution(name="Paused")
    deleted = office.distribution(name="Deleted")

    call_distributions.update_distribution(
        office.uow, paused, {"enabled": False}, actor=office.head, now=MONDAY_9_MSK
    )
    call_distributions.delete_distribution(office.uow, deleted, actor=office.head, now=MONDAY_9_MSK)

    assert pending(office, paused) == [] and pending(office, deleted) == []
    assert run_jobs_at(office, MONDAY_9_MSK + WEEK) == []
    assert office.calls() == []

    call_distributions.update_distribution(
        office.uow, paused, {"enabled": True}, actor=office.head, now=MONDAY_9_MSK + WEEK
    )
    assert pending(office, paused) == [
        (MONDAY_9_MSK + 2 * WEEK, key(paused, MONDAY_9_MSK + 2 * WEEK))
    ]


def test_a_run_that_breaks_is_retried_by_its_job_and_keeps_nothing_meanwhile(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    office.hire("Ivan")
    office.add_companies(4)
    distribution_id = office.distribution(per_manager=2)
    plan = call_rounds._plan

    def full_disk(uow: UnitOfWork, distribution: Any, *, now: datetime) -> Any:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(call_rounds, "_plan", full_disk)
    assert run_jobs_at(office, MONDAY_9_MSK) == [JobOutcome.RETRYING]

    [job] = run_jobs(office, distribution_id)
    assert (job.state, job.attempts, job.last_error) == (
        JobState.PENDING,
        1,
        "RuntimeError: the disk is full",
    )
    assert job.due_at > MONDAY_9_MSK
    assert runs(office, distribution_id) == [] and office.calls() == []
    with office.uow:
        assert office.uow.call_distributions.get(distribution_id).next_run_at == MONDAY_9_MSK

    monkeypatch.setattr(call_rounds, "_plan", plan)
    assert run_jobs_at(office, job.due_at) == [JobOutcome.DONE]
    [run] = runs(office, distribution_id)
    assert run.occurrence == MONDAY_9_MSK and run.companies_given == 2
