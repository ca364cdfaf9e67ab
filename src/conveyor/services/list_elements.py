"""Elements of universal lists: heads and admins keep them; staff read them.

External partners have no access to lists at all (``require_client_access``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from conveyor.domain.actors import Actor
from conveyor.domain.clients import check_name, require_client_access
from conveyor.domain.errors import Conflict, InvalidValue, NotFound
from conveyor.domain.lists import ListElement, UniversalList
from conveyor.domain.pages import Page
from conveyor.domain.tokens import Role
from conveyor.services.references import check_links
from conveyor.storage.unit_of_work import UnitOfWork

#: A request compares at most this many columns.
MAX_FILTERS = 10


@dataclass(frozen=True, kw_only=True)
class AddElement:
    name: str
    values: dict[str, Any] = field(default_factory=dict)


def add_element(
    uow: UnitOfWork, list_id: int, command: AddElement, *, actor: Actor, now: datetime
) -> ListElement:
    """Values are checked against the columns: types, options, required ones, and links
    (employee columns name existing employees, list_element columns elements of their list)."""
    require_client_access(actor)
    actor.require(Role.HEAD)
    with uow:
        universal = uow.lists.get(list_id)
        name = check_name(command.name)
        values = _values(uow, universal, {}, command.values)
        element = uow.list_elements.add(
            ListElement(list_id=list_id, name=name, values=values, created_at=now, updated_at=now)
        )
        uow.emit(element.event("Added", now, name=name, values=sorted(values)))
        uow.commit()
    return element


def update_element(
    uow: UnitOfWork,
    list_id: int,
    element_id: int,
    changes: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
) -> ListElement:
    """Rename and/or change values; ``values`` merges (a column set to ``None`` is cleared)."""
    require_client_access(actor)
    actor.require(Role.HEAD)
    with uow:
        universal = uow.lists.get(list_id)
        element = _element_of(uow, list_id, element_id)
        changed: list[str] = []
        if "name" in changes and changes["name"] != element.name:
            element.rename(check_name(changes["name"]))
            changed.append("name")
        if "values" in changes:
            values = _values(uow, universal, element.values, changes["values"])
            codes = set(values) | set(element.values)
            changed += sorted(
                f"values.{c}" for c in codes if values.get(c) != element.values.get(c)
            )
            element.values = values
        if changed:
            element.updated_at = now
            uow.emit(element.event("Changed", now, changed=changed))
        uow.commit()
    return element


def remove_element(
    uow: UnitOfWork, list_id: int, element_id: int, *, actor: Actor, now: datetime
) -> None:
    """Remove an element no record points at; otherwise ``Conflict`` says who does, since
    a deal whose "segment" silently vanished would be worse than a refusal."""
    require_client_access(actor)
    actor.require(Role.HEAD)
    with uow:
        element = _element_of(uow, list_id, element_id)
        users = uow.list_elements.references(
            element_id, uow.lists.fields_using(list_id), uow.lists.columns_using(list_id)
        )
        if users:
            raise Conflict(f"Element {element_id} is still used by {'; '.join(users)}")
        uow.list_elements.delete(element)
        uow.emit(element.event("Removed", now, name=element.name))
        uow.commit()


def get_element(uow: UnitOfWork, list_id: int, element_id: int, *, actor: Actor) -> ListElement:
    require_client_access(actor)
    with uow:
        return _element_of(uow, list_id, element_id)


def list_elements(
    uow: UnitOfWork,
    list_id: int,
    *,
    limit: int,
    offset: int,
    where: Mapping[str, str] | None = None,
    name: str | None = None,
    actor: Actor,
) -> Page[ListElement]:
    """The list's elements by id, those whose column values equal ``where`` (column code
    -> text, parsed by the column's type; empty text: no value) and whose name contains
    ``name`` (any case)."""
    require_client_access(actor)
    where = where or {}
    if len(where) > MAX_FILTERS:
        raise InvalidValue(f"At most {MAX_FILTERS} column filters", field="where")
    with uow:
        universal = uow.lists.get(list_id)
        wanted = {
            code: universal.column(code, field=f"where.{code}").parse_filter(text)
            for code, text in where.items()
        }
        return uow.list_elements.search(
            list_id, limit=limit, offset=offset, where=wanted, name=name
        )


def _element_of(uow: UnitOfWork, list_id: int, element_id: int) -> ListElement:
    element = uow.list_elements.find(element_id)
    if element is None or element.list_id != list_id:
        # An element of another list is as absent from this list as a missing one.
        raise NotFound("list element", element_id)
    return element


def _values(
    uow: UnitOfWork, universal: UniversalList, current: dict[str, Any], changes: Any
) -> dict[str, Any]:
    values = universal.normalize_values(current, dict(changes))
    columns = {c.code: c for c in universal.typed_columns()}
    check_links(uow, columns, {code: values.get(code) for code in changes}, prefix="values")
    return values
