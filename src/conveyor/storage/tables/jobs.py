"""The job store: delayed and periodic work, claimed by workers under a lease."""

from sqlalchemy import Column, Index, Integer, String, Table, Text

from conveyor.domain.jobs import MAX_KEY, MAX_KIND, MAX_OWNER, JobState
from conveyor.storage.tables.base import Id, metadata
from conveyor.storage.types import JsonDict, UtcDateTime, enum_of

jobs = Table(
    "jobs",
    metadata,
    Column("id", Id, primary_key=True),
    Column("kind", String(MAX_KIND), nullable=False),
    Column("payload", JsonDict, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("state", enum_of(JobState), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("max_attempts", Integer, nullable=False),
    Column("lease_owner", String(MAX_OWNER)),
    Column("lease_expires_at", UtcDateTime),
    Column("last_error", Text),
    # Scheduling a key that exists is a no-op (NULLs never collide on either database).
    Column("key", String(MAX_KEY), unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    # Claiming reads the head of one of these: pending by due time, running by lease expiry.
    Index("ix_jobs_state_due_at", "state", "due_at"),
    Index("ix_jobs_state_lease_expires_at", "state", "lease_expires_at"),
)
