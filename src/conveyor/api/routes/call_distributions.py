"""/call-distributions: scheduled hand-outs of companies to call (heads and admins)."""

from __future__ import annotations

from fastapi import APIRouter, status

from conveyor.api.deps import ActorDep, IdPath, Limit, NowDep, Offset, UowDep
from conveyor.api.render import one, page
from conveyor.api.schemas.call_distributions import (
    DistributionCreate,
    DistributionPublic,
    DistributionUpdate,
    RunPublic,
)
from conveyor.api.schemas.common import PageOf
from conveyor.services import call_distributions as service
from conveyor.services import call_rounds

router = APIRouter(prefix="/call-distributions", tags=["call distributions"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=DistributionPublic)
def create(body: DistributionCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> object:
    """Define a distribution, e.g. every Monday 09:00 each active manager gets 30 companies
    to call; the first run is the schedule's next occurrence."""
    spec = service.DistributionSpec(**body.model_dump())
    return one(DistributionPublic, service.create_distribution(uow, spec, actor=actor, now=now))


@router.get("", response_model=PageOf[DistributionPublic])
def list_(
    uow: UowDep,
    actor: ActorDep,
    limit: Limit = 50,
    offset: Offset = 0,
    enabled: bool | None = None,
) -> object:
    found = service.list_distributions(
        uow, actor=actor, limit=limit, offset=offset, enabled=enabled
    )
    return page(DistributionPublic, found)


@router.get("/{distribution_id}", response_model=DistributionPublic)
def get(distribution_id: IdPath, uow: UowDep, actor: ActorDep) -> object:
    return one(DistributionPublic, service.get_distribution(uow, distribution_id, actor=actor))


@router.patch("/{distribution_id}", response_model=DistributionPublic)
def update(
    distribution_id: IdPath, body: DistributionUpdate, uow: UowDep, actor: ActorDep, now: NowDep
) -> object:
    changed = service.update_distribution(
        uow, distribution_id, body.changes(), actor=actor, now=now
    )
    return one(DistributionPublic, changed)


@router.delete("/{distribution_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete(distribution_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> None:
    service.delete_distribution(uow, distribution_id, actor=actor, now=now)


@router.post(
    "/{distribution_id}/run", status_code=status.HTTP_201_CREATED, response_model=RunPublic
)
def run(distribution_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> object:
    """Run it now, by hand: companies are given from where the last run stopped."""
    made = call_rounds.run_distribution(uow, distribution_id, actor=actor, now=now)
    return one(RunPublic, made)


@router.get("/{distribution_id}/runs", response_model=PageOf[RunPublic])
def runs(
    distribution_id: IdPath, uow: UowDep, actor: ActorDep, limit: Limit = 50, offset: Offset = 0
) -> object:
    """The runs, the latest first: what each gave to whom, who was skipped and why."""
    found = service.list_runs(uow, distribution_id, actor=actor, limit=limit, offset=offset)
    return page(RunPublic, found)
