"""Jobs (``/jobs``): the durable store of delayed and periodic work, for admins to watch."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from conveyor.api.schemas.common import Output
from conveyor.domain.jobs import JobState


class JobPublic(Output):
    id: int
    kind: str = Field(description="What the job does, e.g. call_distribution.run")
    payload: dict[str, Any] = Field(description="The job's arguments, as its handler reads them")
    due_at: datetime = Field(description="When it runs (or runs again after a failure)")
    state: JobState
    attempts: int = Field(description="Attempts so far; a worker claiming it counts one")
    max_attempts: int = Field(description="Dead after this many failed attempts")
    lease_owner: str | None = Field(description="The worker running it (host:pid:id)")
    lease_expires_at: datetime | None = Field(
        description="When another worker may take it over if its worker stopped"
    )
    last_error: str | None
    key: str | None = Field(description="Idempotency key: one job per key")
    created_at: datetime
    finished_at: datetime | None = Field(description="When it ran successfully or died")
