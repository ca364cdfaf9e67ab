"""/contacts: the people the company works with."""

from __future__ import annotations

from fastapi import APIRouter, status

from conveyor.api.deps import ActorDep, IdPath, IdQuery, Limit, NowDep, Offset, UowDep
from conveyor.api.render import one, page
from conveyor.api.routes.companies import NameQuery
from conveyor.api.schemas.clients import ContactCreate, ContactPublic, ContactUpdate
from conveyor.api.schemas.common import PageOf
from conveyor.api.schemas.communications import CommunicationPublic
from conveyor.services import clients, communications

router = APIRouter(prefix="/contacts", tags=["clients"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ContactPublic)
def create(body: ContactCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> object:
    command = clients.CreateContact(**body.model_dump())
    return one(ContactPublic, clients.create_contact(uow, command, actor=actor, now=now))


@router.get("", response_model=PageOf[ContactPublic])
def list_(
    uow: UowDep,
    actor: ActorDep,
    limit: Limit = 50,
    offset: Offset = 0,
    name: NameQuery = None,
    responsible_id: IdQuery = None,
    company_id: IdQuery = None,
) -> object:
    found = clients.list_contacts(
        uow,
        actor=actor,
        limit=limit,
        offset=offset,
        name=name,
        responsible_id=responsible_id,
        company_id=company_id,
    )
    return page(ContactPublic, found)


@router.get("/{contact_id}", response_model=ContactPublic)
def get(contact_id: IdPath, uow: UowDep, actor: ActorDep) -> object:
    return one(ContactPublic, clients.get_contact(uow, contact_id, actor=actor))


@router.get(
    "/{contact_id}/last-communication",
    response_model=CommunicationPublic | None,
    description="The newest communication with the contact, or null when there is none yet.",
)
def last_communication(contact_id: IdPath, uow: UowDep, actor: ActorDep) -> object:
    found = communications.last_communication(uow, actor=actor, contact_id=contact_id)
    return None if found is None else one(CommunicationPublic, found)


@router.patch("/{contact_id}", response_model=ContactPublic)
def update(
    contact_id: IdPath, body: ContactUpdate, uow: UowDep, actor: ActorDep, now: NowDep
) -> object:
    contact = clients.update_contact(uow, contact_id, body.changes(), actor=actor, now=now)
    return one(ContactPublic, contact)


@router.delete(
    "/{contact_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    description="Refused (409) while a lead or deal names the contact.",
)
def delete(contact_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> None:
    clients.delete_contact(uow, contact_id, actor=actor, now=now)
