"""Pipelines and custom fields that records depend on, through the services, on both databases."""

from __future__ import annotations

import pytest

from conveyor.domain.actors import SYSTEM
from conveyor.domain.clients import Contact
from conveyor.domain.errors import Conflict, InvalidValue, NotFound
from conveyor.domain.field_types import FieldType
from conveyor.domain.lists import ListElement, UniversalList
from conveyor.domain.pipelines import EntityType
from conveyor.services import custom_fields, pipelines
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import (
    DEAL,
    agency_pipeline,
    contract_number,
    hire,
    new_deal,
    outbox,
    reread,
)


def test_stages_in_use_cannot_be_removed_or_change_semantics(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    stages = agency_pipeline(uow, clock)
    contract_number(uow, clock, stages["Invoice"])
    new_deal(uow, clock)
    with pytest.raises(Conflict):
        pipelines.delete_stage(uow, stages["Conclude contract"].id, actor=SYSTEM, now=clock())
    with pytest.raises(Conflict):
        pipelines.delete_stage(uow, stages["Invoice"].id, actor=SYSTEM, now=clock())
    with pytest.raises(Conflict):
        pipelines.update_stage(
            uow,
            stages["Conclude contract"].id,
            {"semantics": "failure"},
            actor=SYSTEM,
            now=clock(),
        )
    with pytest.raises(Conflict):
        pipelines.delete_pipeline(uow, stages["Invoice"].pipeline_id, actor=SYSTEM, now=clock())
    pipelines.delete_stage(uow, stages["Upload copy"].id, actor=SYSTEM, now=clock())
    _, remaining = pipelines.get_pipeline(uow, stages["Invoice"].pipeline_id)
    assert "Upload copy" not in [s.name for s in remaining]
    assert [s.sort for s in remaining] == [10 * (i + 1) for i in range(len(remaining))]


def test_a_field_with_values_keeps_its_type_and_its_used_options(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    agency_pipeline(uow, clock)
    kind = custom_fields.create_field(
        uow,
        custom_fields.CreateField(
            entity_type=DEAL, code="kind", name="Kind", type=FieldType.ENUM, options=["web", "app"]
        ),
        actor=SYSTEM,
        now=clock(),
    )
    new_deal(uow, clock, fields={"kind": "web"})
    with pytest.raises(Conflict) as retype:
        custom_fields.update_field(uow, kind.id, {"type": "string"}, actor=SYSTEM, now=clock())
    assert retype.value.field == "type"
    with pytest.raises(Conflict) as options:
        custom_fields.update_field(uow, kind.id, {"options": ["app"]}, actor=SYSTEM, now=clock())
    assert options.value.field == "options"
    changed = custom_fields.update_field(
        uow, kind.id, {"options": ["web", "crm"]}, actor=SYSTEM, now=clock()
    )
    assert changed.options == ["web", "crm"]
    assert custom_fields.get_field(uow, kind.id).type is FieldType.ENUM


def test_deleting_a_field_removes_its_values(uow: UnitOfWork, clock: FakeClock) -> None:
    agency_pipeline(uow, clock)
    note = custom_fields.create_field(
        uow,
        custom_fields.CreateField(
            entity_type=DEAL, code="note", name="Note", type=FieldType.STRING
        ),
        actor=SYSTEM,
        now=clock(),
    )
    deal = new_deal(uow, clock, fields={"note": "call back"})
    untouched = new_deal(uow, clock, "Other")
    custom_fields.delete_field(uow, note.id, actor=SYSTEM, now=clock())
    assert reread(uow, deal).fields == {}
    assert reread(uow, untouched).fields == {}
    assert outbox(uow)[-1] == ("CustomFieldDeleted", {"code": "note", "cleared": 1})
    # Now a field of another type may take the code.
    custom_fields.create_field(
        uow,
        custom_fields.CreateField(entity_type=DEAL, code="note", name="N", type=FieldType.NUMBER),
        actor=SYSTEM,
        now=clock(),
    )


def test_field_values_link_to_existing_employees_and_elements_of_the_fields_list(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    agency_pipeline(uow, clock)
    custom_fields.create_field(
        uow,
        custom_fields.CreateField(
            entity_type=DEAL, code="designer", name="Designer", type=FieldType.EMPLOYEE
        ),
        actor=SYSTEM,
        now=clock(),
    )
    with pytest.raises(NotFound) as unknown:
        new_deal(uow, clock, fields={"designer": 4242})
    assert unknown.value.field == "fields.designer"
    with pytest.raises(InvalidValue) as wrong_type:
        new_deal(uow, clock, fields={"designer": "Daria"})
    assert wrong_type.value.field == "fields.designer"
    with pytest.raises(InvalidValue) as unknown_code:
        new_deal(uow, clock, fields={"colour": "red"})
    assert unknown_code.value.field == "fields.colour"
    designer = hire(uow, clock, "Daria Designer")
    assert new_deal(uow, clock, fields={"designer": designer}).fields == {"designer": designer}
    with uow:
        assert len(uow.items.where()) == 1


def test_a_list_element_value_must_be_an_element_of_the_fields_list(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    agency_pipeline(uow, clock)
    with uow:
        studios = uow.lists.add(UniversalList(code="studios", name="Studios"))
        rooms = uow.lists.add(UniversalList(code="rooms", name="Rooms"))
        north = uow.list_elements.add(
            ListElement(list_id=studios.id, name="North", created_at=clock(), updated_at=clock())
        )
        kitchen = uow.list_elements.add(
            ListElement(list_id=rooms.id, name="Kitchen", created_at=clock(), updated_at=clock())
        )
        uow.commit()
    custom_fields.create_field(
        uow,
        custom_fields.CreateField(
            entity_type=DEAL,
            code="studio",
            name="Studio",
            type=FieldType.LIST_ELEMENT,
            list_id=studios.id,
        ),
        actor=SYSTEM,
        now=clock(),
    )
    with pytest.raises(InvalidValue) as elsewhere:
        new_deal(uow, clock, fields={"studio": kitchen.id})
    assert elsewhere.value.field == "fields.studio"
    assert new_deal(uow, clock, fields={"studio": north.id}).fields == {"studio": north.id}


def test_deleting_a_contact_field_removes_it_from_contacts_only(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    birthday = custom_fields.create_field(
        uow,
        custom_fields.CreateField(
            entity_type=EntityType.CONTACT, code="birthday", name="Birthday", type=FieldType.DATE
        ),
        actor=SYSTEM,
        now=clock(),
    )
    with uow:
        olga = uow.contacts.add(
            Contact(
                name="Olga",
                fields={"birthday": "1990-05-01", "other": 1},
                created_at=clock(),
                updated_at=clock(),
            )
        )
        uow.commit()
    with pytest.raises(Conflict):
        custom_fields.update_field(uow, birthday.id, {"type": "string"}, actor=SYSTEM, now=clock())
    custom_fields.delete_field(uow, birthday.id, actor=SYSTEM, now=clock())
    with uow:
        assert uow.contacts.get(olga.id).fields == {"other": 1}
