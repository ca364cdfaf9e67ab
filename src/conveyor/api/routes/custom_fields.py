"""/custom-fields: admin-defined fields of leads, deals, contacts and companies."""

from __future__ import annotations

from fastapi import APIRouter, status

from conveyor.api.deps import ActorDep, IdPath, Limit, NowDep, Offset, UowDep
from conveyor.api.render import one, page
from conveyor.api.schemas.common import PageOf
from conveyor.api.schemas.crm import FieldCreate, FieldPublic, FieldUpdate
from conveyor.domain.pipelines import EntityType
from conveyor.services import custom_fields as service

router = APIRouter(prefix="/custom-fields", tags=["crm"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=FieldPublic)
def create(body: FieldCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> FieldPublic:
    command = service.CreateField(**body.model_dump())
    return one(FieldPublic, service.create_field(uow, command, actor=actor, now=now))


@router.get("", response_model=PageOf[FieldPublic])
def list_(
    uow: UowDep,
    _: ActorDep,
    limit: Limit = 50,
    offset: Offset = 0,
    entity_type: EntityType | None = None,
) -> PageOf[FieldPublic]:
    found = service.list_fields(uow, limit=limit, offset=offset, entity_type=entity_type)
    return page(FieldPublic, found)


@router.get("/{field_id}", response_model=FieldPublic)
def get(field_id: IdPath, uow: UowDep, _: ActorDep) -> FieldPublic:
    return one(FieldPublic, service.get_field(uow, field_id))


@router.patch("/{field_id}", response_model=FieldPublic)
def update(
    field_id: IdPath, body: FieldUpdate, uow: UowDep, actor: ActorDep, now: NowDep
) -> FieldPublic:
    definition = service.update_field(uow, field_id, body.changes(), actor=actor, now=now)
    return one(FieldPublic, definition)


@router.delete("/{field_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete(field_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> None:
    """Deletes the field and the values records hold for it."""
    service.delete_field(uow, field_id, actor=actor, now=now)
