"""/deals and /leads: the same routes over ``CrmItem``, one router per entity type."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from conveyor.api.deps import ActorDep, IdPath, IdQuery, Limit, NowDep, Offset, UowDep
from conveyor.api.render import one, page
from conveyor.api.schemas.common import Moment, PageOf
from conveyor.api.schemas.crm_items import (
    ItemCreate,
    ItemPublic,
    ItemUpdate,
    MoveToPipeline,
    MoveToStage,
)
from conveyor.domain.crm_items import ItemQuery
from conveyor.domain.pipelines import EntityType
from conveyor.services import crm_items as service

MomentQuery = Annotated[
    Moment | None, Query(description="ISO 8601 with a timezone offset; from is inclusive")
]


def items_router(entity_type: EntityType, prefix: str) -> APIRouter:
    """The routes of one entity type; ``entity_type`` is fixed for all of them."""
    router = APIRouter(prefix=prefix, tags=["crm"])

    @router.post("", status_code=status.HTTP_201_CREATED, response_model=ItemPublic)
    def create(body: ItemCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> ItemPublic:
        command = service.CreateItem(**body.model_dump())
        return one(ItemPublic, service.create_item(uow, entity_type, command, actor=actor, now=now))

    @router.get("", response_model=PageOf[ItemPublic])
    def list_(
        uow: UowDep,
        actor: ActorDep,
        limit: Limit = 50,
        offset: Offset = 0,
        pipeline_id: IdQuery = None,
        stage_id: IdQuery = None,
        responsible_id: IdQuery = None,
        contact_id: IdQuery = None,
        company_id: IdQuery = None,
        closed: bool | None = None,
        created_from: MomentQuery = None,
        created_to: MomentQuery = None,
        updated_from: MomentQuery = None,
        updated_to: MomentQuery = None,
    ) -> PageOf[ItemPublic]:
        """Newest first. Time ranges include ``_from`` and exclude ``_to``."""
        query = ItemQuery(
            entity_type=entity_type,
            pipeline_id=pipeline_id,
            stage_id=stage_id,
            responsible_id=responsible_id,
            contact_id=contact_id,
            company_id=company_id,
            closed=closed,
            created_from=created_from,
            created_to=created_to,
            updated_from=updated_from,
            updated_to=updated_to,
        )
        found = service.list_items(uow, query, actor=actor, limit=limit, offset=offset)
        return page(ItemPublic, found)

    @router.get("/{item_id}", response_model=ItemPublic)
    def get(item_id: IdPath, uow: UowDep, actor: ActorDep) -> ItemPublic:
        return one(ItemPublic, service.get_item(uow, entity_type, item_id, actor=actor))

    @router.patch("/{item_id}", response_model=ItemPublic)
    def update(
        item_id: IdPath, body: ItemUpdate, uow: UowDep, actor: ActorDep, now: NowDep
    ) -> ItemPublic:
        item = service.update_item(uow, entity_type, item_id, body.changes(), actor=actor, now=now)
        return one(ItemPublic, item)

    @router.post("/{item_id}/move", response_model=ItemPublic)
    def move(
        item_id: IdPath, body: MoveToStage, uow: UowDep, actor: ActorDep, now: NowDep
    ) -> ItemPublic:
        """Move to another stage of the pipeline; refused while a field required there is
        empty (422 ``required-field-missing``, ``field`` = ``fields.<code>``)."""
        item = service.move_item(uow, entity_type, item_id, body.stage_id, actor=actor, now=now)
        return one(ItemPublic, item)

    @router.post("/{item_id}/pipeline", response_model=ItemPublic)
    def change_pipeline(
        item_id: IdPath, body: MoveToPipeline, uow: UowDep, actor: ActorDep, now: NowDep
    ) -> ItemPublic:
        """Move to the first stage of another pipeline of the same type."""
        item = service.change_item_pipeline(
            uow, entity_type, item_id, body.pipeline_id, actor=actor, now=now
        )
        return one(ItemPublic, item)

    return router


deals_router = items_router(EntityType.DEAL, "/deals")
leads_router = items_router(EntityType.LEAD, "/leads")
