"""/organization: the organization's name, timezone and default work schedule."""

from __future__ import annotations

from fastapi import APIRouter

from conveyor.api.deps import ActorDep, NowDep, UowDep
from conveyor.api.render import one
from conveyor.api.schemas.organization import OrganizationPublic, OrganizationUpdate
from conveyor.services import organization as service

router = APIRouter(prefix="/organization", tags=["org"])


@router.get("", response_model=OrganizationPublic)
def get(uow: UowDep, _: ActorDep) -> object:
    return one(OrganizationPublic, service.get_organization(uow))


@router.patch("", response_model=OrganizationPublic)
def update(body: OrganizationUpdate, uow: UowDep, actor: ActorDep, now: NowDep) -> object:
    """Change the organization's settings (admins)."""
    return one(
        OrganizationPublic, service.update_organization(uow, body.changes(), actor=actor, now=now)
    )
