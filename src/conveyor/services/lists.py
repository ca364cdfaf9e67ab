"""Universal lists: define them and change their columns (admins only).

Lists hold internal reference data (managers, companies to call), so external partners
may not read them either (``require_client_access``).

Replacing a list's columns never loses data silently (see ``domain/lists.py``): a removed
column that holds values needs ``discard_values``, and every element must fit the new
columns, links included; otherwise nothing changes and the conflict names the column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from conveyor.domain.actors import Actor
from conveyor.domain.clients import check_name, require_client_access
from conveyor.domain.custom_fields import check_code
from conveyor.domain.errors import Conflict, InvalidValue, NotFound
from conveyor.domain.field_types import FieldType, is_empty
from conveyor.domain.lists import ListColumn, UniversalList, check_columns, plan_columns_change
from conveyor.domain.pages import Page
from conveyor.services.references import check_links
from conveyor.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class CreateList:
    code: str
    name: str
    columns: list[ListColumn] = field(default_factory=list)


def create_list(
    uow: UnitOfWork, command: CreateList, *, actor: Actor, now: datetime
) -> UniversalList:
    require_client_access(actor)
    actor.require_admin()
    with uow:
        _check_code_free(uow, check_code(command.code), list_id=None)
        universal = UniversalList(code=command.code, name=check_name(command.name))
        universal.set_columns(command.columns)
        _check_linked_lists(uow, command.columns, own_id=None)
        uow.lists.add(universal)
        uow.emit(
            universal.event(
                "Created",
                now,
                code=universal.code,
                name=universal.name,
                columns=[c.code for c in command.columns],
            )
        )
        uow.commit()
    return universal


def update_list(
    uow: UnitOfWork,
    list_id: int,
    changes: Mapping[str, Any],
    *,
    discard_values: bool = False,
    actor: Actor,
    now: datetime,
) -> UniversalList:
    """Change code, name or columns (``columns`` replaces them all, in the order given).

    Elements whose values change with the columns (dropped values) get
    ``ListElementChanged``; the list gets ``ListChanged`` when anything changed.
    """
    require_client_access(actor)
    actor.require_admin()
    with uow:
        universal = uow.lists.get(list_id)
        changed: list[str] = []
        payload: dict[str, Any] = {}
        if "code" in changes and changes["code"] != universal.code:
            universal.code = _check_code_free(uow, check_code(changes["code"]), list_id=list_id)
            changed.append("code")
        if "name" in changes and changes["name"] != universal.name:
            universal.name = check_name(changes["name"])
            changed.append("name")
        if "columns" in changes:
            columns: Sequence[ListColumn] = changes["columns"]
            check_columns(columns)
            _check_linked_lists(uow, columns, own_id=list_id)
            if [c.to_json() for c in columns] != universal.columns:
                payload["discarded"] = _replace_columns(
                    uow, universal, columns, discard=discard_values, now=now
                )
                changed.append("columns")
        if changed:
            uow.emit(universal.event("Changed", now, changed=changed, **payload))
        uow.commit()
    return universal


def delete_list(uow: UnitOfWork, list_id: int, *, actor: Actor, now: datetime) -> None:
    """Delete a list and its elements, unless a custom field or another list's column
    points at its elements (``Conflict`` naming them)."""
    require_client_access(actor)
    actor.require_admin()
    with uow:
        universal = uow.lists.get(list_id)
        users = [
            f"custom field '{f.code}' of {f.entity_type.value}s"
            for f in uow.lists.fields_using(list_id)
        ]
        users += [
            f"column '{code}' of list '{other.code}'"
            for other, code in uow.lists.columns_using(list_id)
            if other.id != list_id
        ]
        if users:
            raise Conflict(f"List '{universal.code}' is used by {', '.join(users)}")
        count = uow.list_elements.count(list_id)
        uow.lists.delete(universal)
        uow.emit(universal.event("Deleted", now, code=universal.code, elements_removed=count))
        uow.commit()


def get_list(uow: UnitOfWork, list_id: int, *, actor: Actor) -> UniversalList:
    require_client_access(actor)
    with uow:
        return uow.lists.get(list_id)


def list_lists(uow: UnitOfWork, *, limit: int, offset: int, actor: Actor) -> Page[UniversalList]:
    require_client_access(actor)
    with uow:
        return uow.lists.page(limit=limit, offset=offset)


def seed_example_lists(uow: UnitOfWork, *, actor: Actor, now: datetime) -> list[UniversalList]:
    """The example lists "Managers" and "Companies to call"; existing codes are kept."""
    examples = [
        CreateList(
            code="managers",
            name="Managers",
            columns=[
                ListColumn(
                    code="employee", name="Employee", type=FieldType.EMPLOYEE, required=True
                ),
                ListColumn(
                    code="status",
                    name="Status",
                    type=FieldType.ENUM,
                    required=True,
                    options=("active", "inactive"),
                ),
            ],
        ),
        CreateList(
            code="companies_to_call",
            name="Companies to call",
            columns=[
                ListColumn(code="phone", name="Phone", type=FieldType.STRING),
                ListColumn(code="reason", name="Reason", type=FieldType.STRING),
                ListColumn(code="call_by", name="Call by", type=FieldType.DATE),
                ListColumn(code="caller", name="Caller", type=FieldType.EMPLOYEE),
                ListColumn(code="called", name="Called", type=FieldType.BOOLEAN),
            ],
        ),
    ]
    result = []
    for example in examples:
        with uow:
            existing = uow.lists.by_code(example.code)
        result.append(existing or create_list(uow, example, actor=actor, now=now))
    return result


def _check_code_free(uow: UnitOfWork, code: str, *, list_id: int | None) -> str:
    other = uow.lists.by_code(code)
    if other is not None and other.id != list_id:
        raise Conflict(f"A list with code '{code}' already exists", field="code")
    return code


def _check_linked_lists(
    uow: UnitOfWork, columns: Sequence[ListColumn], *, own_id: int | None
) -> None:
    for index, column in enumerate(columns):
        if column.list_id is not None and column.list_id != own_id:
            uow.lists.get(column.list_id, field=f"columns.{index}.list_id")


def _replace_columns(
    uow: UnitOfWork,
    universal: UniversalList,
    columns: Sequence[ListColumn],
    *,
    discard: bool,
    now: datetime,
) -> dict[str, int]:
    """Set the new columns and conform every element; returns the discarded value counts."""
    plan = plan_columns_change(universal.typed_columns(), columns)
    elements = uow.list_elements.of(universal.id or 0)
    universal.set_columns(columns)
    conformed = universal.conform(elements, plan, discard=discard)
    index_of = {c.code: i for i, c in enumerate(columns)}
    relinked = {c.code: c for c in columns if c.code in plan.relinked}
    for element in elements:
        assert element.id is not None
        try:
            check_links(uow, relinked, conformed[element.id], prefix="values")
        except (NotFound, InvalidValue) as error:
            code = (error.field or "").removeprefix("values.")
            raise Conflict(
                f"Element {element.id} '{element.name}' does not fit the new columns:"
                f" {error.message}",
                field=f"columns.{index_of.get(code, 0)}",
            ) from None
    discarded = {
        code: sum(1 for e in elements if not is_empty(e.values.get(code))) for code in plan.removed
    }
    for element in elements:
        assert element.id is not None
        values = conformed[element.id]
        if values != element.values:
            codes = set(values) | set(element.values)
            changed = sorted(f"values.{c}" for c in codes if values.get(c) != element.values.get(c))
            element.values = values
            element.updated_at = now
            uow.emit(element.event("Changed", now, changed=changed, reason="columns"))
    return {code: count for code, count in discarded.items() if count}
