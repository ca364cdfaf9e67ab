"""/companies: the organisations the company works with."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from conveyor.api.deps import ActorDep, IdPath, IdQuery, Limit, NowDep, Offset, UowDep
from conveyor.api.render import one, page
from conveyor.api.schemas.clients import CompanyCreate, CompanyPublic, CompanyUpdate
from conveyor.api.schemas.common import PageOf
from conveyor.api.schemas.communications import CommunicationPublic
from conveyor.services import clients, communications

router = APIRouter(prefix="/companies", tags=["clients"])

NameQuery = Annotated[
    str | None, Query(max_length=300, description="Part of the name, in any case")
]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CompanyPublic)
def create(body: CompanyCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> object:
    command = clients.CreateCompany(**body.model_dump())
    return one(CompanyPublic, clients.create_company(uow, command, actor=actor, now=now))


@router.get("", response_model=PageOf[CompanyPublic])
def list_(
    uow: UowDep,
    actor: ActorDep,
    limit: Limit = 50,
    offset: Offset = 0,
    name: NameQuery = None,
    responsible_id: IdQuery = None,
) -> object:
    found = clients.list_companies(
        uow, actor=actor, limit=limit, offset=offset, name=name, responsible_id=responsible_id
    )
    return page(CompanyPublic, found)


@router.get("/{company_id}", response_model=CompanyPublic)
def get(company_id: IdPath, uow: UowDep, actor: ActorDep) -> object:
    return one(CompanyPublic, clients.get_company(uow, company_id, actor=actor))


@router.get(
    "/{company_id}/last-communication",
    response_model=CommunicationPublic | None,
    description="The newest communication with the company (also those logged on its "
    "contacts and deals), or null when there is none yet.",
)
def last_communication(company_id: IdPath, uow: UowDep, actor: ActorDep) -> object:
    found = communications.last_communication(uow, actor=actor, company_id=company_id)
    return None if found is None else one(CommunicationPublic, found)


@router.patch("/{company_id}", response_model=CompanyPublic)
def update(
    company_id: IdPath, body: CompanyUpdate, uow: UowDep, actor: ActorDep, now: NowDep
) -> object:
    company = clients.update_company(uow, company_id, body.changes(), actor=actor, now=now)
    return one(CompanyPublic, company)


@router.delete(
    "/{company_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    description="Refused (409) while a lead or deal names the company. Its contacts stay, "
    "without a company; communications about the company alone are deleted.",
)
def delete(company_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> None:
    clients.delete_company(uow, company_id, actor=actor, now=now)
