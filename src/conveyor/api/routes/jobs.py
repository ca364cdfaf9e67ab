"""/jobs: delayed and periodic work, its attempts and errors; dead jobs run again (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from conveyor.api.deps import ActorDep, IdPath, Limit, NowDep, Offset, UowDep
from conveyor.api.render import one, page
from conveyor.api.schemas.common import PageOf
from conveyor.api.schemas.jobs import JobPublic
from conveyor.domain.jobs import MAX_KIND, JobState
from conveyor.services import jobs

router = APIRouter(prefix="/jobs", tags=["jobs"])

KindQuery = Annotated[
    str | None, Query(min_length=1, max_length=MAX_KIND, description="Only jobs of this kind")
]


@router.get("", response_model=PageOf[JobPublic])
def list_(
    uow: UowDep,
    actor: ActorDep,
    limit: Limit = 50,
    offset: Offset = 0,
    state: JobState | None = None,
    kind: KindQuery = None,
) -> object:
    """Jobs by due time; ``state=dead`` lists those that failed every attempt."""
    found = jobs.list_jobs(uow, actor=actor, limit=limit, offset=offset, state=state, kind=kind)
    return page(JobPublic, found)


@router.get("/{job_id}", response_model=JobPublic)
def get(job_id: IdPath, uow: UowDep, actor: ActorDep) -> object:
    return one(JobPublic, jobs.get_job(uow, job_id, actor=actor))


@router.post("/{job_id}/rerun", response_model=JobPublic)
def rerun(job_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> object:
    """Run a dead job again: pending, due now, attempts reset. Any other state is a 409 on
    ``state``."""
    return one(JobPublic, jobs.rerun_job(uow, job_id, actor=actor, now=now))
