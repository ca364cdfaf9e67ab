"""Jobs: delayed and periodic work kept in the database, run by workers.

A job is a row: what to do (``kind`` and a JSON ``payload``), when (``due_at``), and how
it went (``state``, ``attempts``, ``last_error``). It is written in the same transaction
as the change that causes it, so a rolled-back change leaves no job, and a committed one
is never forgotten, whatever happens to the processes.

Life of a job::

    pending --claimed by a worker--> running --handler committed--> done
       ^                               |
       +---- failed, retry later <-----+---- failed max_attempts times --> dead
       +---------------------- rerun (by an admin) <------------------------+

A worker that claims a job holds a lease on it (``lease_owner`` until
``lease_expires_at``); a worker killed mid-job leaves the lease to expire, and another
worker takes the job again. Each claim counts as an attempt, so a job that kills every
worker running it ends ``dead`` too. A ``key`` makes scheduling idempotent: a second job
with the key of an existing one (whatever its state) is not added.

The retry decision (``Backoff.after_failure``) is pure: exponential backoff with a cap,
dead after ``max_attempts``.
"""

from __future__ import annotations

import enum
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from conveyor.domain.errors import Conflict, ConveyorError, InvalidValue, NaiveDatetime

#: A job is tried this many times unless it says otherwise.
DEFAULT_MAX_ATTEMPTS = 8
MAX_ATTEMPTS_LIMIT = 100
MAX_KIND = 100
MAX_KEY = 200
#: ``last_error`` keeps the start of the message: enough to see what went wrong.
MAX_ERROR = 2000
MAX_OWNER = 200


class UnknownJobKind(ConveyorError):
    """No handler is registered for this kind of job."""


class JobState(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    DEAD = "dead"


@dataclass(kw_only=True)
class Job:
    """One stored job (see the module). ``finished_at`` is the moment of the successful
    attempt, the ``now`` its handler ran with (or when it was declared dead)."""

    id: int | None = None
    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    due_at: datetime
    state: JobState = JobState.PENDING
    attempts: int = 0
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    last_error: str | None = None
    key: str | None = None
    created_at: datetime
    finished_at: datetime | None = None

    def rerun(self, now: datetime) -> None:
        """A dead job, pending again now with its attempts reset; ``last_error`` stays until
        the next attempt says otherwise. Any other state is refused (``field="state"``)."""
        if self.state is not JobState.DEAD:
            raise Conflict(
                f"Only a dead job can be run again; job {self.id} is {self.state.value}",
                field="state",
            )
        self.state = JobState.PENDING
        self.attempts = 0
        self.due_at = now
        self.lease_owner = None
        self.lease_expires_at = None
        self.finished_at = None


@dataclass(frozen=True, kw_only=True)
class NewJob:
    """A job to schedule: ``check`` refuses what cannot be stored, naming the field."""

    kind: str
    payload: dict[str, Any]
    due_at: datetime
    key: str | None = None
    max_attempts: int = DEFAULT_MAX_ATTEMPTS

    def check(self) -> None:
        if not self.kind or len(self.kind) > MAX_KIND or self.kind != self.kind.strip():
            raise InvalidValue(
                f"A job kind is 1 to {MAX_KIND} characters, without surrounding spaces",
                field="kind",
            )
        if self.key is not None and not 0 < len(self.key) <= MAX_KEY:
            raise InvalidValue(f"A job key is 1 to {MAX_KEY} characters", field="key")
        if not 1 <= self.max_attempts <= MAX_ATTEMPTS_LIMIT:
            raise InvalidValue(
                f"A job is tried 1 to {MAX_ATTEMPTS_LIMIT} times", field="max_attempts"
            )
        if self.due_at.tzinfo is None or self.due_at.utcoffset() is None:
            raise NaiveDatetime("A job's due time must be timezone-aware", field="due_at")
        check_payload(self.payload)


def check_payload(payload: object) -> None:
    """A payload is a JSON object: str keys, JSON values, no NaN or infinity."""
    if not isinstance(payload, dict):
        raise InvalidValue("A job's payload is a JSON object", field="payload")
    try:
        json.dumps(payload, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise InvalidValue(
            f"A job's payload must hold JSON values only: {error}", field="payload"
        ) from None
    if not all(isinstance(k, str) for k in payload):
        raise InvalidValue("A job's payload has text keys only", field="payload")


@dataclass(frozen=True, kw_only=True)
class ClaimedJob:
    """What a worker needs to run a job it has just claimed (``attempts`` counts this one)."""

    id: int
    kind: str
    payload: dict[str, Any]
    due_at: datetime
    attempts: int
    max_attempts: int


@dataclass(frozen=True, kw_only=True)
class RetryDecision:
    """After a failure: ``dead``, or pending again at ``due_at``."""

    dead: bool
    due_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class Backoff:
    """How long to wait before the next attempt: ``first_seconds`` after the first failure,
    then ``factor`` times longer after each, never more than ``cap_seconds``."""

    first_seconds: float = 10.0
    factor: float = 2.0
    cap_seconds: float = 3600.0

    def __post_init__(self) -> None:
        if not (0 <= self.first_seconds <= self.cap_seconds and self.factor >= 1):
            raise ValueError("backoff needs 0 <= first <= cap and factor >= 1")

    def delay(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt (1-based)."""
        if attempts < 1:
            raise ValueError("attempts start at 1")
        if self.factor == 1 or self.first_seconds == 0:
            return timedelta(seconds=self.first_seconds)
        # Past the cap the power is not computed: it would overflow a float long before
        # ``attempts`` gets large.
        to_cap = math.log(self.cap_seconds / self.first_seconds, self.factor)
        if attempts - 1 >= to_cap:
            return timedelta(seconds=self.cap_seconds)
        seconds = self.first_seconds * self.factor ** (attempts - 1)
        return timedelta(seconds=min(seconds, self.cap_seconds))

    def after_failure(self, *, attempts: int, max_attempts: int, now: datetime) -> RetryDecision:
        """Dead once ``attempts`` reached ``max_attempts``; else pending again after
        ``delay(attempts)``."""
        if attempts >= max_attempts:
            return RetryDecision(dead=True)
        return RetryDecision(dead=False, due_at=now + self.delay(attempts))


def error_text(error: BaseException) -> str:
    """What ``last_error`` keeps of an exception: its type and message, cut to ``MAX_ERROR``."""
    message = getattr(error, "message", None) or str(error)
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"
