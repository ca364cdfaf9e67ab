"""/communications: the log of calls, emails, meetings, messages and notes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import AwareDatetime

from conveyor.api.deps import ActorDep, IdPath, IdQuery, Limit, NowDep, Offset, UowDep
from conveyor.api.render import one, page
from conveyor.api.schemas.common import PageOf
from conveyor.api.schemas.communications import CommunicationCreate, CommunicationPublic
from conveyor.domain.communications import CommunicationKind
from conveyor.services import communications

router = APIRouter(prefix="/communications", tags=["clients"])

From = Annotated[
    AwareDatetime | None, Query(alias="from", description="Occurred at or after (with offset)")
]
To = Annotated[AwareDatetime | None, Query(alias="to", description="Occurred before (with offset)")]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CommunicationPublic)
def log(body: CommunicationCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> object:
    command = communications.LogCommunication(**body.model_dump())
    return one(
        CommunicationPublic,
        communications.log_communication(uow, command, actor=actor, now=now),
    )


@router.get("", response_model=PageOf[CommunicationPublic], description="Newest first.")
def list_(
    uow: UowDep,
    actor: ActorDep,
    limit: Limit = 50,
    offset: Offset = 0,
    company_id: IdQuery = None,
    contact_id: IdQuery = None,
    item_id: IdQuery = None,
    employee_id: IdQuery = None,
    kind: CommunicationKind | None = None,
    since: From = None,
    until: To = None,
) -> object:
    found = communications.list_communications(
        uow,
        actor=actor,
        limit=limit,
        offset=offset,
        company_id=company_id,
        contact_id=contact_id,
        item_id=item_id,
        employee_id=employee_id,
        kind=kind,
        since=since,
        until=until,
    )
    return page(CommunicationPublic, found)


@router.get("/{communication_id}", response_model=CommunicationPublic)
def get(communication_id: IdPath, uow: UowDep, actor: ActorDep) -> object:
    return one(
        CommunicationPublic, communications.get_communication(uow, communication_id, actor=actor)
    )
