"""Repositories of universal lists and their elements, and who points at an element."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Table, func, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from conveyor.domain.custom_fields import CustomField
from conveyor.domain.lists import ListElement, UniversalList
from conveyor.domain.pages import Page
from conveyor.domain.pipelines import EntityType
from conveyor.storage.repositories.base import Repository
from conveyor.storage.tables.clients import companies, contacts
from conveyor.storage.tables.crm import crm_items, custom_fields
from conveyor.storage.tables.lists import list_elements, lists

# ``Table.c.values`` is ColumnCollection.values(), so the column is reached by key.
_VALUES = list_elements.c["values"]


def json_value_is(session: Session, column: Any, key: str, value: Any) -> ColumnElement[bool]:
    """``column[key]`` equals the JSON scalar ``value``; ``None`` means the key is absent.

    PostgreSQL compares JSONB by containment, type-exact (the number 7 is not the text
    "7"); SQLite's json_extract yields SQL values that compare the same way.
    """
    if session.get_bind().dialect.name == "postgresql":
        document: Any = type_coerce(column, JSONB)
        condition: ColumnElement[bool] = (
            ~document.has_key(key) if value is None else document.contains({key: value})
        )
        return condition
    # Not column[key]: SQLAlchemy wraps that in JSON_QUOTE on SQLite, which is never NULL.
    extracted = func.json_extract(column, f'$."{key}"')
    return extracted.is_(None) if value is None else extracted == value


class ListRepository(Repository[UniversalList]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, UniversalList, "list")

    def by_code(self, code: str) -> UniversalList | None:
        return self.session.scalars(select(UniversalList).where(lists.c.code == code)).first()

    def fields_using(self, list_id: int) -> list[CustomField]:
        """The custom fields whose values are elements of the list."""
        query = select(CustomField).where(custom_fields.c.list_id == list_id)
        return list(self.session.scalars(query.order_by(custom_fields.c.id)))

    def columns_using(self, list_id: int) -> list[tuple[UniversalList, str]]:
        """The (other list, column code) pairs whose values are elements of the list.

        Lists are few and their columns live in JSON, so they are read and matched here.
        """
        return [
            (other, column.code)
            for other in self.session.scalars(select(UniversalList).order_by(lists.c.id))
            for column in other.typed_columns()
            if column.list_id == list_id
        ]


class ListElementRepository(Repository[ListElement]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, ListElement, "list element")

    def search(
        self,
        list_id: int,
        *,
        limit: int,
        offset: int,
        where: Mapping[str, Any],
        name: str | None = None,
    ) -> Page[ListElement]:
        """The list's elements whose values equal ``where`` (column code -> JSON value,
        ``None`` for "no value") and whose name contains ``name`` (any case), by id."""
        conditions = [json_value_is(self.session, _VALUES, k, v) for k, v in where.items()]
        if name:
            conditions.append(list_elements.c.name_key.contains(name.casefold(), autoescape=True))
        return self.page(
            limit=limit, offset=offset, filters={"list_id": list_id}, conditions=conditions
        )

    def of(self, list_id: int) -> list[ListElement]:
        return self.where(list_id=list_id)

    def count(self, list_id: int) -> int:
        query = select(func.count()).where(list_elements.c.list_id == list_id)
        return self.session.scalar(query) or 0

    def ids_among(self, list_id: int, ids: set[int]) -> set[int]:
        """Which of ``ids`` are elements of the list: one query for a whole set of links."""
        query = select(list_elements.c.id).where(
            list_elements.c.list_id == list_id, list_elements.c.id.in_(ids)
        )
        return set(self.session.scalars(query))

    def references(
        self,
        element_id: int,
        fields: list[CustomField],
        columns: list[tuple[UniversalList, str]],
    ) -> list[str]:
        """Readable descriptions of the records whose field or column values point at the
        element, e.g. "2 company records (field 'segment')"; empty when none does."""
        found = []
        for definition in fields:
            table, scope = _records_of(definition.entity_type)
            query = select(func.count()).where(
                *scope, json_value_is(self.session, table.c.fields, definition.code, element_id)
            )
            count = self.session.scalar(query) or 0
            if count:
                found.append(
                    f"{count} {definition.entity_type.value} record(s) (field '{definition.code}')"
                )
        for other, code in columns:
            query = select(func.count()).where(
                list_elements.c.list_id == other.id,
                json_value_is(self.session, _VALUES, code, element_id),
            )
            count = self.session.scalar(query) or 0
            if count:
                found.append(f"{count} element(s) of list '{other.code}' (column '{code}')")
        return found


def _records_of(entity_type: EntityType) -> tuple[Table, list[ColumnElement[bool]]]:
    if entity_type is EntityType.COMPANY:
        return companies, []
    if entity_type is EntityType.CONTACT:
        return contacts, []
    return crm_items, [crm_items.c.entity_type == entity_type]
