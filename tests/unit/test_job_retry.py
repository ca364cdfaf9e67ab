"""A failed job waits longer after each failure, never past the cap, and is dead after its
last allowed attempt; only a dead job can be run again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conveyor.domain.errors import Conflict, InvalidValue, NaiveDatetime
from conveyor.domain.jobs import (
    MAX_ERROR,
    Backoff,
    Job,
    JobState,
    NewJob,
    RetryDecision,
    error_text,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_the_wait_doubles_after_each_failure_until_the_cap() -> None:
    backoff = Backoff(first_seconds=10, factor=2, cap_seconds=60)
    assert [backoff.delay(n).total_seconds() for n in range(1, 7)] == [10, 20, 40, 60, 60, 60]


def test_a_failure_before_the_last_attempt_is_retried_after_the_wait() -> None:
    decision = Backoff(first_seconds=5).after_failure(attempts=3, max_attempts=8, now=NOW)
    assert decision == RetryDecision(dead=False, due_at=NOW + timedelta(seconds=20))


def test_the_last_allowed_attempt_failing_makes_the_job_dead() -> None:
    backoff = Backoff()
    assert backoff.after_failure(attempts=8, max_attempts=8, now=NOW) == RetryDecision(dead=True)
    # A job claimed past its limit (its worker died each time) is dead too.
    assert backoff.after_failure(attempts=9, max_attempts=8, now=NOW).dead


def test_a_huge_number_of_attempts_waits_the_cap_without_overflowing() -> None:
    assert Backoff(cap_seconds=3600).delay(10_000) == timedelta(hours=1)


@given(
    first=st.floats(0.001, 100),
    factor=st.floats(1, 10),
    cap=st.floats(100, 100_000),
    attempts=st.integers(1, 500),
    max_attempts=st.integers(1, 100),
)
def test_waits_never_shrink_never_pass_the_cap_and_dead_means_out_of_attempts(
    first: float, factor: float, cap: float, attempts: int, max_attempts: int
) -> None:
    backoff = Backoff(first_seconds=first, factor=factor, cap_seconds=cap)
    assert backoff.delay(attempts) <= backoff.delay(attempts + 1) <= timedelta(seconds=cap)
    assert backoff.delay(1) == timedelta(seconds=first)
    decision = backoff.after_failure(attempts=attempts, max_attempts=max_attempts, now=NOW)
    assert decision.dead == (attempts >= max_attempts)
    if not decision.dead:
        assert decision.due_at == NOW + backoff.delay(attempts)


def test_a_backoff_that_would_shrink_is_refused() -> None:
    with pytest.raises(ValueError):
        Backoff(first_seconds=10, cap_seconds=5)
    with pytest.raises(ValueError):
        Backoff(factor=0.5)


def _job(state: JobState) -> Job:
    return Job(
        id=7,
        kind="call_distribution.run",
        due_at=NOW,
        state=state,
        attempts=8,
        last_error="RuntimeError: the disk is full",
        lease_owner="host:1:abc" if state is JobState.RUNNING else None,
        created_at=NOW,
        finished_at=NOW if state is JobState.DEAD else None,
    )


def test_rerunning_a_dead_job_makes_it_pending_now_with_attempts_reset() -> None:
    job = _job(JobState.DEAD)
    later = NOW + timedelta(days=1)
    job.rerun(later)
    assert (job.state, job.attempts, job.due_at, job.finished_at) == (
        JobState.PENDING,
        0,
        later,
        None,
    )
    assert job.last_error == "RuntimeError: the disk is full"


@pytest.mark.parametrize("state", [JobState.PENDING, JobState.RUNNING, JobState.DONE])
def test_only_a_dead_job_can_be_rerun(state: JobState) -> None:
    job = _job(state)
    with pytest.raises(Conflict) as refused:
        job.rerun(NOW)
    assert refused.value.field == "state"
    assert job.state is state and job.attempts == 8


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": ""}, "kind"),
        ({"kind": "x" * 101}, "kind"),
        ({"kind": " spaced "}, "kind"),
        ({"key": ""}, "key"),
        ({"key": "k" * 201}, "key"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"payload": {"at": NOW}}, "payload"),
        ({"payload": {"ratio": float("nan")}}, "payload"),
        ({"payload": {1: "one"}}, "payload"),
        ({"payload": ["not", "an", "object"]}, "payload"),
    ],
)
def test_a_job_that_cannot_be_stored_is_refused_naming_the_field(
    changes: dict[str, object], field: str
) -> None:
    values: dict[str, object] = {"kind": "probe", "payload": {"n": 1}, "due_at": NOW}
    with pytest.raises(InvalidValue) as refused:
        NewJob(**{**values, **changes}).check()  # type: ignore[arg-type]
    assert refused.value.field == field


def test_a_naive_due_time_is_refused() -> None:
    with pytest.raises(NaiveDatetime) as refused:
        NewJob(kind="probe", payload={}, due_at=NOW.replace(tzinfo=None)).check()
    assert refused.value.field == "due_at"


def test_the_last_error_keeps_the_type_and_the_start_of_the_message() -> None:
    assert error_text(RuntimeError("the disk is full")) == "RuntimeError: the disk is full"
    assert error_text(KeyError("distribution_id")) == "KeyError: 'distribution_id'"
    assert error_text(RuntimeError()) == "RuntimeError"
    long = error_text(ValueError("x" * 10_000))
    assert len(long) == MAX_ERROR and long.endswith("…")
