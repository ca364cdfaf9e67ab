"""Communication controls on durable jobs, on both databases: each morning's occurrence is one
job keyed by (control, occurrence), written with the change that sets it; the worker running
it acts and schedules the next morning in the same transaction; the same occurrence acts
once however often its job runs; a changed, disabled or deleted control leaves no stray
run; and a large client base goes through in batches of follow-up jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conveyor.domain.communication_controls import CommunicationControl
from conveyor.domain.jobs import Job, JobState
from conveyor.services import communication_checks, communication_controls, job_kinds
from conveyor.services.communication_controls import RUN_JOB
from conveyor.services.jobs import JobOutcome, claim_jobs, run_job
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.service_office import MONDAY_9_MSK, Office, open_office

DAY = timedelta(days=1)


@pytest.fixture
def office(uow: UnitOfWork, clock: FakeClock) -> Office:
    return open_office(uow, clock)


def run_jobs_at(office: Office, moment: datetime) -> list[JobOutcome]:
    """What a worker does at ``moment``: claim the due jobs and run each."""
    office.clock.set(moment)
    claimed = claim_jobs(
        office.uow, owner="worker", now=moment, limit=50, lease=timedelta(minutes=1)
    ).jobs
    registry = job_kinds.handlers()
    return [
        run_job(office.uow, job, handlers=registry, owner="worker", clock=office.clock)
        for job in claimed
    ]


def control_jobs(office: Office, control: CommunicationControl) -> list[Job]:
    with office.uow:
        found = office.uow.jobs.where(kind=RUN_JOB)
    return [j for j in found if j.payload["control_id"] == control.id]


def pending(office: Office, control: CommunicationControl) -> list[tuple[datetime, str | None]]:
    """(due time, key) of the control's pending jobs, the soonest first."""
    jobs = control_jobs(office, control)
    return sorted((j.due_at, j.key) for j in jobs if j.state is JobState.PENDING)


def key(control: CommunicationControl, occurrence: datetime, after: int | None = None) -> str:
    tail = "" if after is None else f":after:{after}"
    return f"communication_control:{control.id}:{occurrence.astimezone(UTC).isoformat()}{tail}"


def stored(office: Office, control: CommunicationControl) -> CommunicationControl:
    assert control.id is not None
    with office.uow:
        return office.uow.communication_controls.get(control.id)


def test_defining_a_control_schedules_its_morning_job_and_running_it_schedules_the_next(
    office: Office,
) -> None:
    ural = office.company("Ural Kitchens", responsible_id=office.mark)
    control = office.control()

    [job] = control_jobs(office, control)
    assert (job.due_at, job.key) == (MONDAY_9_MSK, key(control, MONDAY_9_MSK))
    assert job.payload == {"control_id": control.id, "occurrence": MONDAY_9_MSK.isoformat()}
    assert run_jobs_at(office, MONDAY_9_MSK - timedelta(seconds=1)) == []

    assert run_jobs_at(office, MONDAY_9_MSK + timedelta(seconds=2)) == [JobOutcome.DONE]

    assert len(office.deals(ural)) == 1
    assert pending(office, control) == [(MONDAY_9_MSK + DAY, key(control, MONDAY_9_MSK + DAY))]
    assert stored(office, control).next_run_at == MONDAY_9_MSK + DAY


def test_the_same_occurrences_job_run_twice_acts_once(office: Office) -> None:
    ural = office.company("Ural Kitchens", responsible_id=office.mark)
    control = office.control()
    [job] = control_jobs(office, control)

    for _ in range(2):
        with office.uow:
            communication_checks.run_scheduled(office.uow, dict(job.payload), MONDAY_9_MSK)
            office.uow.commit()

    assert len(office.deals(ural)) == 1
    assert len(office.tasks(ural)) == 1
    assert len(office.checks(control)) == 1
    assert [due for due, _ in pending(office, control)] == [MONDAY_9_MSK + DAY]


def test_a_missed_week_is_caught_up_by_one_run_not_seven(office: Office) -> None:
    office.company("Ural Kitchens", responsible_id=office.mark)
    control = office.control()

    assert run_jobs_at(office, MONDAY_9_MSK + 7 * DAY + timedelta(hours=1)) == [JobOutcome.DONE]

    assert len(office.checks(control)) == 1
    assert [due for due, _ in pending(office, control)] == [MONDAY_9_MSK + 8 * DAY]


def test_a_new_schedule_replaces_the_pending_job_and_disabling_or_deleting_drops_it(
    office: Office,
) -> None:
    office.company("Ural Kitchens", responsible_id=office.mark)
    control = office.control()
    assert control.id is not None

    changed = communication_controls.update_control(
        office.uow,
        control.id,
        {"schedule": "30  7 * * mon-fri"},
        actor=office.head,
        now=office.clock(),
    )
    assert changed.schedule == "30 7 * * mon-fri"
    assert changed.version == 2
    seven_thirty = MONDAY_9_MSK - timedelta(minutes=90)
    assert pending(office, control) == [(seven_thirty, key(control, seven_thirty))]

    communication_controls.update_control(
        office.uow, control.id, {"enabled": False}, actor=office.head, now=office.clock()
    )
    assert pending(office, control) == []
    assert stored(office, control).next_run_at is None
    assert run_jobs_at(office, MONDAY_9_MSK + DAY) == []
    assert office.checks(control) == []

    communication_controls.update_control(
        office.uow, control.id, {"enabled": True}, actor=office.head, now=office.clock()
    )
    communication_controls.delete_control(
        office.uow, control.id, actor=office.head, now=office.clock()
    )
    assert pending(office, control) == []


def test_a_job_whose_occurrence_is_no_longer_the_controls_does_nothing(office: Office) -> None:
    ural = office.company("Ural Kitchens", responsible_id=office.mark)
    control = office.control()
    [job] = control_jobs(office, control)
    assert control.id is not None
    communication_controls.update_control(
        office.uow, control.id, {"schedule": "0 10 * * *"}, actor=office.head, now=office.clock()
    )

    with office.uow:
        communication_checks.run_scheduled(office.uow, dict(job.payload), MONDAY_9_MSK)
        office.uow.commit()

    assert office.deals(ural) == []


def test_a_large_client_base_goes_through_in_batches_of_follow_up_jobs(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(communication_checks, "BATCH", 2)
    companies = [office.company(f"Client {n}", responsible_id=office.mark) for n in range(1, 6)]
    control = office.control()

    assert run_jobs_at(office, MONDAY_9_MSK) == [JobOutcome.DONE]
    assert [c.company_id for c in office.checks(control)] == companies[:2]
    minute = timedelta(minutes=1)
    assert pending(office, control) == [
        (MONDAY_9_MSK + minute, key(control, MONDAY_9_MSK, after=companies[1])),
        (MONDAY_9_MSK + DAY, key(control, MONDAY_9_MSK + DAY)),
    ]

    assert run_jobs_at(office, MONDAY_9_MSK + minute) == [JobOutcome.DONE]
    assert run_jobs_at(office, MONDAY_9_MSK + 2 * minute) == [JobOutcome.DONE]

    assert [c.company_id for c in office.checks(control)] == companies
    assert [c.checked_at for c in office.checks(control)] == [
        MONDAY_9_MSK,
        MONDAY_9_MSK,
        MONDAY_9_MSK + minute,
        MONDAY_9_MSK + minute,
        MONDAY_9_MSK + 2 * minute,
    ]
    # The last batch was not full: nothing more follows until tomorrow morning.
    assert [due for due, _ in pending(office, control)] == [MONDAY_9_MSK + DAY]


def test_a_follow_up_of_a_control_changed_since_does_nothing(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(communication_checks, "BATCH", 2)
    for n in range(1, 4):
        office.company(f"Client {n}", responsible_id=office.mark)
    control = office.control()
    assert control.id is not None
    run_jobs_at(office, MONDAY_9_MSK)
    communication_controls.update_control(
        office.uow,
        control.id,
        {"task_title": "Call {company}"},
        actor=office.head,
        now=office.clock(),
    )

    assert run_jobs_at(office, MONDAY_9_MSK + timedelta(minutes=1)) == [JobOutcome.DONE]

    assert len(office.checks(control)) == 2
