"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Enum
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.mutable import MutableDict, MutableList
from sqlalchemy.types import TypeDecorator, TypeEngine


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored as UTC on both databases."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; times are timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _json() -> JSON:
    # none_as_null: a Python None is SQL NULL, not the JSON value null.
    return JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


# Each mutable wrapper needs its own type instance: as_mutable binds to the instance.
JsonDict = MutableDict.as_mutable(_json())
JsonList = MutableList.as_mutable(_json())


def enum_of(cls: type[enum.Enum], length: int = 20) -> Enum:
    """An enum kept as its value in a VARCHAR with a CHECK, portable and readable in SQL."""
    return Enum(
        cls,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        create_constraint=True,
        validate_strings=True,
        name=cls.__name__.lower(),
    )


class PointsByEmployee(TypeDecorator[dict[int, Decimal]]):
    """``{employee_id: points}`` kept as a JSON object ``{"7": "2.5"}``: JSON keys are text,
    and points as text stay exact. Not mutation-tracked: assign a new dict to change it."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())

    def process_bind_param(
        self, value: dict[int, Decimal] | None, dialect: Dialect
    ) -> dict[str, str] | None:
        if value is None:
            return None
        return {str(k): str(v) for k, v in value.items()}

    def process_result_value(
        self, value: dict[str, str] | None, dialect: Dialect
    ) -> dict[int, Decimal] | None:
        if value is None:
            return None
        return {int(k): Decimal(v) for k, v in value.items()}
