"""The digital agency's CRM set-up for service-level tests: pipeline, fields, people, deals."""

from __future__ import annotations

from typing import Any

from conveyor.domain.actors import SYSTEM
from conveyor.domain.crm_items import CrmItem
from conveyor.domain.field_types import FieldType
from conveyor.domain.pipelines import EntityType, Stage, StageSemantics
from conveyor.services import crm_items, custom_fields, org, pipelines
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock

DEAL, LEAD = EntityType.DEAL, EntityType.LEAD
AGENCY = [
    "Conclude contract",
    "Sign contract",
    "Upload copy",
    "Invoice",
    "Awaiting payment",
    "Prepayment received",
    "Development started",
]


def agency_pipeline(uow: UnitOfWork, clock: FakeClock) -> dict[str, Stage]:
    """The digital agency's deal pipeline, stages by name."""
    specs = [pipelines.StageSpec(name=n) for n in AGENCY] + [
        pipelines.StageSpec(name="Done", semantics=StageSemantics.SUCCESS),
        pipelines.StageSpec(name="Lost", semantics=StageSemantics.FAILURE),
    ]
    _, stages = pipelines.create_pipeline(
        uow,
        pipelines.CreatePipeline(entity_type=DEAL, name="Sales", stages=specs),
        actor=SYSTEM,
        now=clock(),
    )
    return {s.name: s for s in stages}


def contract_number(uow: UnitOfWork, clock: FakeClock, stage: Stage) -> None:
    custom_fields.create_field(
        uow,
        custom_fields.CreateField(
            entity_type=DEAL,
            code="contract_number",
            name="Contract number",
            type=FieldType.STRING,
            required_from_stage_id=stage.id,
        ),
        actor=SYSTEM,
        now=clock(),
    )


def equipment_type(uow: UnitOfWork, clock: FakeClock) -> None:
    """The deal field the agency weighs work by: standard, large or special equipment."""
    custom_fields.create_field(
        uow,
        custom_fields.CreateField(
            entity_type=DEAL,
            code="equipment_type",
            name="Equipment type",
            type=FieldType.ENUM,
            options=["standard", "large", "special"],
        ),
        actor=SYSTEM,
        now=clock(),
    )


def hire(uow: UnitOfWork, clock: FakeClock, name: str, *, external: bool = False) -> int:
    employee, _ = org.create_employee(
        uow, org.CreateEmployee(name=name, is_external=external), actor=SYSTEM, now=clock()
    )
    assert employee.id is not None
    return employee.id


def new_deal(uow: UnitOfWork, clock: FakeClock, title: str = "Website", **kwargs: Any) -> CrmItem:
    command = crm_items.CreateItem(title=title, **kwargs)
    return crm_items.create_item(uow, DEAL, command, actor=SYSTEM, now=clock())


def outbox(uow: UnitOfWork) -> list[tuple[str, dict[str, object]]]:
    with uow:
        return [(e.type, e.payload) for e in uow.events.where()]


def reread(uow: UnitOfWork, item: CrmItem) -> CrmItem:
    with uow:
        assert item.id is not None
        return uow.items.get(item.id)
