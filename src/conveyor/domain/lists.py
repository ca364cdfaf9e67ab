"""Universal lists: admin-defined tables with typed columns ("Managers", "Companies to call").

A list's columns are typed like custom fields. Changing them never loses data silently:
a column that still holds values is removed only when the admin says to discard them, and
a column whose type, options or "required" change must still fit every element's value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from conveyor.domain.custom_fields import check_code
from conveyor.domain.errors import Conflict, InvalidValue
from conveyor.domain.events import DomainEvent
from conveyor.domain.field_types import FieldType, is_empty, normalize_value

MAX_COLUMNS = 50
MAX_OPTIONS = 200
MAX_LABEL = 200
#: Types a ``where.<column>`` filter can compare exactly; money and instants cannot.
FILTERABLE = frozenset(FieldType) - {FieldType.MONEY, FieldType.DATETIME}
LINK_TYPES = frozenset({FieldType.EMPLOYEE, FieldType.LIST_ELEMENT})


@dataclass(frozen=True, kw_only=True)
class ListColumn:
    code: str
    name: str
    type: FieldType
    required: bool = False
    options: tuple[str, ...] = ()
    #: The list whose elements a ``list_element`` column points at.
    list_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "type": self.type.value,
            "required": self.required,
            "options": list(self.options),
            "list_id": self.list_id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ListColumn:
        return cls(
            code=data["code"],
            name=data["name"],
            type=FieldType(data["type"]),
            required=bool(data.get("required", False)),
            options=tuple(data.get("options", ())),
            list_id=data.get("list_id"),
        )

    def parse_filter(self, text: str) -> Any:
        """The value a ``where.<code>=<text>`` filter looks for; ``None`` (empty text)
        means "elements without a value in this column"."""
        where = f"where.{self.code}"
        if self.type not in FILTERABLE:
            raise InvalidValue(f"Cannot filter by a {self.type.value} column", field=where)
        if text == "":
            return None
        if self.type is FieldType.NUMBER:
            try:
                number = float(text)
            except ValueError:
                raise InvalidValue("Expected a number", field=where) from None
            if not math.isfinite(number):
                raise InvalidValue("Expected a finite number", field=where)
            return int(number) if number.is_integer() and abs(number) <= 2**53 else number
        if self.type is FieldType.BOOLEAN:
            if text not in ("true", "false"):
                raise InvalidValue("Expected true or false", field=where)
            return text == "true"
        if self.type in LINK_TYPES:
            if not text.isdigit() or not 0 < int(text) < 2**63:
                raise InvalidValue("Expected an id", field=where)
            return int(text)
        if self.type is FieldType.DATE:
            try:
                return date.fromisoformat(text).isoformat()
            except ValueError:
                raise InvalidValue("Expected a date as YYYY-MM-DD", field=where) from None
        return normalize_value(self.type, text, where=where, options=list(self.options))


def check_columns(columns: Sequence[ListColumn]) -> None:
    """A list's columns must make sense before any value is checked against them."""
    if len(columns) > MAX_COLUMNS:
        raise InvalidValue(f"A list has at most {MAX_COLUMNS} columns", field="columns")
    seen: set[str] = set()
    for index, column in enumerate(columns):
        where = f"columns.{index}"
        check_code(column.code, where=f"{where}.code")
        if column.code in seen:
            raise InvalidValue(f"Column code '{column.code}' is repeated", field=f"{where}.code")
        seen.add(column.code)
        if not column.name.strip() or len(column.name) > MAX_LABEL:
            raise InvalidValue(
                f"A column name has 1 to {MAX_LABEL} characters", field=f"{where}.name"
            )
        _check_options(column, where=f"{where}.options")
        if (column.type is FieldType.LIST_ELEMENT) != (column.list_id is not None):
            raise InvalidValue(
                "A list_element column, and only it, names the list it points at",
                field=f"{where}.list_id",
            )


def _check_options(column: ListColumn, *, where: str) -> None:
    if column.type is not FieldType.ENUM:
        if column.options:
            raise InvalidValue("Only enum columns have options", field=where)
        return
    if not column.options:
        raise InvalidValue("An enum column needs at least one option", field=where)
    if len(column.options) > MAX_OPTIONS:
        raise InvalidValue(f"An enum column has at most {MAX_OPTIONS} options", field=where)
    if any(not o.strip() or len(o) > MAX_LABEL for o in column.options):
        raise InvalidValue(f"An option has 1 to {MAX_LABEL} characters", field=where)
    if len(set(column.options)) != len(column.options):
        raise InvalidValue("Enum options must be unique", field=where)


@dataclass(frozen=True, kw_only=True)
class ColumnsChange:
    """What replacing a list's columns does to the values already stored."""

    removed: tuple[str, ...]
    #: Columns whose values must now be checked as links (new link type or another list).
    relinked: tuple[str, ...]


def plan_columns_change(old: Sequence[ListColumn], new: Sequence[ListColumn]) -> ColumnsChange:
    before = {c.code: c for c in old}
    relinked = []
    for column in new:
        previous = before.get(column.code)
        if column.type in LINK_TYPES and (
            previous is None or (previous.type, previous.list_id) != (column.type, column.list_id)
        ):
            relinked.append(column.code)
    kept = {c.code for c in new}
    return ColumnsChange(
        removed=tuple(c.code for c in old if c.code not in kept), relinked=tuple(relinked)
    )


@dataclass(kw_only=True)
class UniversalList:
    id: int | None = None
    code: str
    name: str
    columns: list[dict[str, Any]] = field(default_factory=list)

    def typed_columns(self) -> list[ListColumn]:
        return [ListColumn.from_json(c) for c in self.columns]

    def column(self, code: str, *, field: str) -> ListColumn:
        for column in self.typed_columns():
            if column.code == code:
                return column
        raise InvalidValue(f"The list has no column '{code}'", field=field)

    def set_columns(self, columns: Sequence[ListColumn]) -> None:
        check_columns(columns)
        self.columns = [c.to_json() for c in columns]

    def normalize_values(self, current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        """Apply ``changes`` to the values; refuse unknown columns and empty required ones."""
        columns = {c.code: c for c in self.typed_columns()}
        result = dict(current)
        for code, raw in changes.items():
            column = columns.get(code)
            if column is None:
                raise InvalidValue(f"Unknown column '{code}'", field=f"values.{code}")
            value = normalize_value(
                column.type, raw, where=f"values.{code}", options=list(column.options)
            )
            if value is None:
                result.pop(code, None)
            else:
                result[code] = value
        for column in columns.values():
            if column.required and is_empty(result.get(column.code)):
                raise InvalidValue(f"'{column.name}' is required", field=f"values.{column.code}")
        return result

    def conform(
        self, elements: Sequence[ListElement], change: ColumnsChange, *, discard: bool
    ) -> dict[int, dict[str, Any]]:
        """Every element's values under this list's (new) columns, by element id.

        Values of removed columns are dropped only with ``discard``; otherwise a removed
        column that holds any value is a ``Conflict``. An element whose value no longer
        fits (new type, a removed option, newly required) is a ``Conflict`` naming the
        column (``columns.<index>``), so the admin fixes the data or the column first.
        """
        if not discard:
            for code in change.removed:
                holders = sum(1 for e in elements if not is_empty(e.values.get(code)))
                if holders:
                    raise Conflict(
                        f"Column '{code}' holds values in {holders} element(s); clear them,"
                        " or remove the column with discard_values=true",
                        field="columns",
                    )
        index_of = {c.code: i for i, c in enumerate(self.typed_columns())}
        result: dict[int, dict[str, Any]] = {}
        for element in elements:
            assert element.id is not None
            kept = {k: v for k, v in element.values.items() if k not in change.removed}
            try:
                result[element.id] = self.normalize_values({}, kept)
            except InvalidValue as error:
                code = (error.field or "").removeprefix("values.")
                raise Conflict(
                    f"Element {element.id} '{element.name}' does not fit the new columns:"
                    f" {error.message}",
                    field=f"columns.{index_of[code]}" if code in index_of else "columns",
                ) from None
        return result

    def event(self, kind: str, now: datetime, **payload: Any) -> DomainEvent:
        """``List<kind>`` about this list, e.g. ``ListCreated``."""
        assert self.id is not None, "a list gets its id when it is added"
        return DomainEvent(
            type=f"List{kind}", entity="list", entity_id=self.id, occurred_at=now, payload=payload
        )


@dataclass(kw_only=True)
class ListElement:
    id: int | None = None
    list_id: int
    name: str
    #: The case-folded name that searches compare (see ``clients.name_key``).
    name_key: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    created_at: datetime
    updated_at: datetime

    def __post_init__(self) -> None:
        self.name_key = self.name.casefold()

    def rename(self, name: str) -> None:
        self.name = name
        self.name_key = name.casefold()

    def event(self, kind: str, now: datetime, **payload: Any) -> DomainEvent:
        """``ListElement<kind>``, e.g. ``ListElementAdded``; the payload names the list."""
        assert self.id is not None, "an element gets its id when it is added"
        return DomainEvent(
            type=f"ListElement{kind}",
            entity="list_element",
            entity_id=self.id,
            occurred_at=now,
            payload={"list_id": self.list_id, **payload},
        )
