"""Universal lists and their elements."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from conveyor.api.schemas.common import Id, Input, Name, Output, Title, Update
from conveyor.domain.field_types import FieldType
from conveyor.domain.lists import ListColumn

Code = Annotated[str, StringConstraints(max_length=63)]
Option = Annotated[str, StringConstraints(max_length=200)]


class Column(Input):
    code: Code
    name: Name
    type: FieldType
    required: bool = False
    options: list[Option] = Field(default_factory=list, max_length=200)
    list_id: Id | None = Field(default=None, description="For list_element columns: whose elements")

    def to_domain(self) -> ListColumn:
        return ListColumn(
            code=self.code,
            name=self.name,
            type=self.type,
            required=self.required,
            options=tuple(self.options),
            list_id=self.list_id,
        )


Columns = Annotated[list[Column], Field(max_length=50)]


class ListCreate(Input):
    code: Code
    name: Name
    columns: Columns = Field(default_factory=list)


class ListUpdate(Update):
    NOT_NULL = ("code", "name", "columns")

    code: Code | None = None
    name: Name | None = None
    columns: Columns | None = Field(
        default=None, description="Replaces all columns, in this order (see discard_values)"
    )

    def domain_changes(self) -> dict[str, Any]:
        changes = self.changes()
        if self.columns is not None:
            changes["columns"] = [c.to_domain() for c in self.columns]
        return changes


class ColumnPublic(Output):
    code: str
    name: str
    type: FieldType
    required: bool
    options: list[str]
    list_id: int | None = None


class ListPublic(Output):
    id: int
    code: str
    name: str
    columns: list[ColumnPublic]


#: Values by column code; each is checked against its column.
Values = Annotated[dict[Code, Any], Field(max_length=50)]


class ElementCreate(Input):
    name: Title
    values: Values = Field(default_factory=dict)


class ElementUpdate(Update):
    NOT_NULL = ("name", "values")

    name: Title | None = None
    values: Values | None = Field(
        default=None, description="Merged into the values: a column set to null is cleared"
    )


class ElementPublic(Output):
    id: int
    list_id: int
    name: str
    values: dict[str, Any]
    created_at: datetime
    updated_at: datetime
