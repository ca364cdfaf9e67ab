"""What a lead's or deal's card offers for changing it: the stages of its pipeline, the
people it may name (as responsible or in an employee field) and the elements its
list-element fields may name.

The choices are offers, not rules: whatever is picked is checked again by
``crm_items.update_item`` and ``crm_items.move_item``. They follow what the actor may do
there: an external partner can only be responsible themselves and has no access to the
client base, so they are offered only themselves and no list elements.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from conveyor.domain.actors import Actor
from conveyor.domain.custom_fields import CustomField
from conveyor.domain.employees import Employee, EmployeeStatus
from conveyor.domain.field_types import FieldType
from conveyor.domain.lists import ListElement
from conveyor.domain.pipelines import EntityType, Stage
from conveyor.services import crm_items
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = ["MANY", "ItemChoices", "item_choices"]

#: The most elements one list-element field offers.
MANY = 500


@dataclass(frozen=True, kw_only=True)
class ItemChoices:
    #: The stages of the item's pipeline, in order.
    stages: list[Stage]
    #: The active employees by name (for an external partner: themselves).
    employees: list[Employee]
    #: Each list-element field's code -> the first ``MANY`` elements of its list, by name.
    elements: dict[str, list[ListElement]]


def item_choices(
    uow: UnitOfWork, entity_type: EntityType, item_id: int, *, actor: Actor
) -> ItemChoices:
    """The choices of the item's card; ``NotFound`` when the actor may not see the item."""
    item = crm_items.get_item(uow, entity_type, item_id, actor=actor)
    with uow:
        if actor.is_external:
            own = uow.employees.find(actor.employee_id) if actor.employee_id else None
            people = [own] if own is not None and own.is_active else []
        else:
            active = uow.employees.where(status=EmployeeStatus.ACTIVE)
            people = sorted(active, key=lambda e: (e.name.casefold(), e.id or 0))
        definitions = uow.custom_fields.of(entity_type).values()
        return ItemChoices(
            stages=uow.stages.of(item.pipeline_id),
            employees=people,
            elements={} if actor.is_external else _elements(uow, definitions),
        )


def _elements(uow: UnitOfWork, definitions: Iterable[CustomField]) -> dict[str, list[ListElement]]:
    found = {}
    for definition in definitions:
        if definition.type is FieldType.LIST_ELEMENT and definition.list_id is not None:
            page = uow.list_elements.search(definition.list_id, limit=MANY, offset=0, where={})
            found[definition.code] = sorted(page.items, key=lambda e: (e.name_key, e.id or 0))
    return found
