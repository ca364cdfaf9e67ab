"""/lists: universal lists (admins define them) and /lists/{id}/elements (heads keep them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from conveyor.api.deps import ActorDep, IdPath, Limit, NowDep, Offset, UowDep
from conveyor.api.render import one, page
from conveyor.api.schemas.common import PageOf
from conveyor.api.schemas.lists import (
    ElementCreate,
    ElementPublic,
    ElementUpdate,
    ListCreate,
    ListPublic,
    ListUpdate,
)
from conveyor.domain.errors import InvalidValue
from conveyor.services import list_elements, lists

router = APIRouter(prefix="/lists", tags=["lists"])

WHERE = "where."


def where_filters(request: Request) -> dict[str, str]:
    """``?where.<column>=<value>`` pairs (``where.status=active``); an empty value asks for
    elements without a value in that column."""
    found: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if not key.startswith(WHERE):
            continue
        code = key[len(WHERE) :]
        if len(key) > 100 or not code:
            raise InvalidValue("Name a column: where.<column code>=<value>", field=key[:100])
        if len(value) > 4000:
            raise InvalidValue("A filter value has at most 4000 characters", field=key)
        if code in found:
            raise InvalidValue("Give each column filter once", field=key)
        found[code] = value
    return found


Where = Annotated[dict[str, str], Depends(where_filters)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ListPublic)
def create(body: ListCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> object:
    command = lists.CreateList(
        code=body.code, name=body.name, columns=[c.to_domain() for c in body.columns]
    )
    return one(ListPublic, lists.create_list(uow, command, actor=actor, now=now))


@router.get("", response_model=PageOf[ListPublic])
def list_(uow: UowDep, actor: ActorDep, limit: Limit = 50, offset: Offset = 0) -> object:
    return page(ListPublic, lists.list_lists(uow, limit=limit, offset=offset, actor=actor))


@router.get("/{list_id}", response_model=ListPublic)
def get(list_id: IdPath, uow: UowDep, actor: ActorDep) -> object:
    return one(ListPublic, lists.get_list(uow, list_id, actor=actor))


@router.patch(
    "/{list_id}",
    response_model=ListPublic,
    description="`columns` replaces all columns. Removing a column that holds values is "
    "refused (409) unless `discard_values=true`; a changed column must fit every element's "
    "value, or nothing changes (409 naming the column).",
)
def update(
    list_id: IdPath,
    body: ListUpdate,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
    discard_values: Annotated[
        bool, Query(description="Drop the values of removed columns")
    ] = False,
) -> object:
    universal = lists.update_list(
        uow,
        list_id,
        body.domain_changes(),
        discard_values=discard_values,
        actor=actor,
        now=now,
    )
    return one(ListPublic, universal)


@router.delete(
    "/{list_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    description="Deletes the elements too; refused (409) while a custom field or another "
    "list's column points at the list.",
)
def delete(list_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> None:
    lists.delete_list(uow, list_id, actor=actor, now=now)


@router.post(
    "/{list_id}/elements", status_code=status.HTTP_201_CREATED, response_model=ElementPublic
)
def add_element(
    list_id: IdPath, body: ElementCreate, uow: UowDep, actor: ActorDep, now: NowDep
) -> object:
    command = list_elements.AddElement(name=body.name, values=body.values)
    element = list_elements.add_element(uow, list_id, command, actor=actor, now=now)
    return one(ElementPublic, element)


@router.get(
    "/{list_id}/elements",
    response_model=PageOf[ElementPublic],
    description="Filter by column values with `where.<column>=<value>` (e.g. "
    "`where.status=active`; an empty value: no value), by name with `name`.",
)
def list_elements_(
    list_id: IdPath,
    uow: UowDep,
    actor: ActorDep,
    where: Where,
    limit: Limit = 50,
    offset: Offset = 0,
    name: Annotated[str | None, Query(max_length=300)] = None,
) -> object:
    found = list_elements.list_elements(
        uow, list_id, limit=limit, offset=offset, where=where, name=name, actor=actor
    )
    return page(ElementPublic, found)


@router.get("/{list_id}/elements/{element_id}", response_model=ElementPublic)
def get_element(list_id: IdPath, element_id: IdPath, uow: UowDep, actor: ActorDep) -> object:
    found = list_elements.get_element(uow, list_id, element_id, actor=actor)
    return one(ElementPublic, found)


@router.patch("/{list_id}/elements/{element_id}", response_model=ElementPublic)
def update_element(
    list_id: IdPath,
    element_id: IdPath,
    body: ElementUpdate,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
) -> object:
    element = list_elements.update_element(
        uow, list_id, element_id, body.changes(), actor=actor, now=now
    )
    return one(ElementPublic, element)


@router.delete(
    "/{list_id}/elements/{element_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    description="Refused (409) while a record's custom field or a list column points at it.",
)
def remove_element(
    list_id: IdPath, element_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep
) -> None:
    list_elements.remove_element(uow, list_id, element_id, actor=actor, now=now)
