"""Checks that ids given in input name existing, usable objects (422 naming the field)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from conveyor.domain.custom_fields import normalize_fields
from conveyor.domain.employees import Employee
from conveyor.domain.errors import InvalidValue
from conveyor.domain.field_types import FieldType
from conveyor.domain.pipelines import EntityType
from conveyor.storage.unit_of_work import UnitOfWork


class Typed(Protocol):
    """A custom field or a list column: what a stored value's links are checked against."""

    @property
    def type(self) -> FieldType: ...

    @property
    def list_id(self) -> int | None: ...


def active_employee(uow: UnitOfWork, employee_id: int, *, field: str) -> Employee:
    """The employee, who must exist and not be dismissed (a responsible must be reachable)."""
    employee = uow.employees.get(employee_id, field=field)
    if not employee.is_active:
        raise InvalidValue(f"Employee {employee_id} is dismissed", field=field)
    return employee


def check_links(
    uow: UnitOfWork, definitions: Mapping[str, Typed], values: Mapping[str, Any], *, prefix: str
) -> None:
    """Employee values must be existing employees, list-element values elements of the
    definition's list. ``values`` are already normalized; codes without a definition and
    empty values are skipped. Errors name ``<prefix>.<code>``."""
    for code, value in values.items():
        definition = definitions.get(code)
        if definition is None or value is None:
            continue
        where = f"{prefix}.{code}"
        if definition.type is FieldType.EMPLOYEE:
            uow.employees.get(value, field=where)
        elif definition.type is FieldType.LIST_ELEMENT:
            element = uow.list_elements.get(value, field=where)
            if element.list_id != definition.list_id:
                raise InvalidValue(
                    f"List element {value} is not in list {definition.list_id}", field=where
                )


def custom_field_values(
    uow: UnitOfWork, entity_type: EntityType, current: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    """``current`` custom field values with ``changes`` applied (``None`` clears one),
    each checked against the entity type's definitions and its links checked."""
    definitions = uow.custom_fields.of(entity_type)
    values = normalize_fields(definitions, current, changes)
    check_links(uow, definitions, {code: values.get(code) for code in changes}, prefix="fields")
    return values
