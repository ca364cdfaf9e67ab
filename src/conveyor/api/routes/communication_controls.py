"""/communication-controls: service deals for companies nobody talked to (heads and admins)."""

from __future__ import annotations

from fastapi import APIRouter, status

from conveyor.api.deps import ActorDep, IdPath, IdQuery, Limit, NowDep, Offset, UowDep
from conveyor.api.render import one, page
from conveyor.api.schemas.common import PageOf
from conveyor.api.schemas.communication_controls import (
    CheckPublic,
    ControlCreate,
    ControlPublic,
    ControlRunPublic,
    ControlUpdate,
)
from conveyor.services import communication_checks
from conveyor.services import communication_controls as service

router = APIRouter(prefix="/communication-controls", tags=["communication controls"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ControlPublic)
def create(body: ControlCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> object:
    """Define a control, e.g. every morning a company silent for 90 days gets a deal in
    *Client service* and its manager a task "Contact the client"."""
    spec = service.ControlSpec(**body.model_dump())
    return one(ControlPublic, service.create_control(uow, spec, actor=actor, now=now))


@router.get("", response_model=PageOf[ControlPublic])
def list_(
    uow: UowDep,
    actor: ActorDep,
    limit: Limit = 50,
    offset: Offset = 0,
    enabled: bool | None = None,
) -> object:
    found = service.list_controls(uow, actor=actor, limit=limit, offset=offset, enabled=enabled)
    return page(ControlPublic, found)


@router.get("/{control_id}", response_model=ControlPublic)
def get(control_id: IdPath, uow: UowDep, actor: ActorDep) -> object:
    return one(ControlPublic, service.get_control(uow, control_id, actor=actor))


@router.patch("/{control_id}", response_model=ControlPublic)
def update(
    control_id: IdPath, body: ControlUpdate, uow: UowDep, actor: ActorDep, now: NowDep
) -> object:
    changed = service.update_control(uow, control_id, body.changes(), actor=actor, now=now)
    return one(ControlPublic, changed)


@router.delete("/{control_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete(control_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> None:
    service.delete_control(uow, control_id, actor=actor, now=now)


@router.post("/{control_id}/run", response_model=ControlRunPublic)
def run(control_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> object:
    """Run it now, by hand: what it did to each silent company (the schedule goes on)."""
    made = communication_checks.run_control(uow, control_id, actor=actor, now=now)
    return ControlRunPublic(
        control_id=made.control_id,
        ran_at=made.ran_at,
        silent_since=made.silent_since,
        checks=[one(CheckPublic, c) for c in made.checks],
        continues=made.continues,
    )


@router.get("/{control_id}/checks", response_model=PageOf[CheckPublic])
def checks(
    control_id: IdPath,
    uow: UowDep,
    actor: ActorDep,
    limit: Limit = 50,
    offset: Offset = 0,
    company_id: IdQuery = None,
) -> object:
    """What the control did, the latest first: the deal, the task, and why."""
    found = service.list_checks(
        uow, control_id, actor=actor, limit=limit, offset=offset, company_id=company_id
    )
    return page(CheckPublic, found)
