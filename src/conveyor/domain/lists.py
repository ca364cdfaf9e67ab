"""Universal lists: admin-defined tables with typed columns ("Managers", "Companies to call")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from conveyor.domain.custom_fields import check_code
from conveyor.domain.errors import InvalidValue
from conveyor.domain.field_types import FieldType, is_empty, normalize_value


@dataclass(frozen=True, kw_only=True)
class ListColumn:
    code: str
    name: str
    type: FieldType
    required: bool = False
    options: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "type": self.type.value,
            "required": self.required,
            "options": list(self.options),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ListColumn:
        return cls(
            code=data["code"],
            name=data["name"],
            type=FieldType(data["type"]),
            required=bool(data.get("required", False)),
            options=tuple(data.get("options", ())),
        )


@dataclass(kw_only=True)
class UniversalList:
    id: int | None = None
    code: str
    name: str
    columns: list[dict[str, Any]] = field(default_factory=list)

    def typed_columns(self) -> list[ListColumn]:
        return [ListColumn.from_json(c) for c in self.columns]

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


def check_columns(columns: list[ListColumn]) -> None:
    codes = [c.code for c in columns]
    for index, column in enumerate(columns):
        check_code(column.code, where=f"columns.{index}.code")
        if column.type is FieldType.ENUM and not column.options:
            raise InvalidValue("An enum column needs options", field=f"columns.{index}.options")
    if len(set(codes)) != len(codes):
        raise InvalidValue("Column codes must be unique", field="columns")


@dataclass(kw_only=True)
class ListElement:
    id: int | None = None
    list_id: int
    name: str
    values: dict[str, Any] = field(default_factory=dict)
    created_at: datetime
    updated_at: datetime
