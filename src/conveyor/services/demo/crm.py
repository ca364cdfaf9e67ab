"""The demo agency's CRM: pipelines, custom fields and deals spread over the stages."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.distribution_rules import RuleEntity
from conveyor.domain.field_types import FieldType
from conveyor.domain.pipelines import EntityType, Pipeline, StageSemantics
from conveyor.domain.tokens import Role
from conveyor.services import crm_items, custom_fields, pipelines
from conveyor.services.demo import company
from conveyor.services.demo.org import DemoOrg
from conveyor.services.distribution_rules import RuleSpec, create_rule
from conveyor.storage.unit_of_work import UnitOfWork


@dataclass
class DemoCrm:
    pipeline_ids: dict[str, int] = field(default_factory=dict)
    stage_ids: dict[str, int] = field(default_factory=dict)
    deal_ids: list[int] = field(default_factory=list)
    lead_ids: list[int] = field(default_factory=list)


def seed_pipelines(uow: UnitOfWork, *, now: datetime) -> DemoCrm:
    crm = DemoCrm()
    for entity_type, name, stages in (
        (EntityType.DEAL, "Sales", company.SALES_STAGES),
        (EntityType.DEAL, "Client service", company.SERVICE_STAGES),
        (EntityType.LEAD, "Incoming leads", company.LEAD_STAGES),
    ):
        pipeline, created = pipelines.create_pipeline(
            uow,
            pipelines.CreatePipeline(
                entity_type=entity_type,
                name=name,
                stages=[
                    pipelines.StageSpec(name=s, semantics=StageSemantics(m)) for s, m in stages
                ],
            ),
            actor=SYSTEM,
            now=now,
        )
        crm.pipeline_ids[name] = _id(pipeline)
        for stage in created:
            assert stage.id is not None
            crm.stage_ids[f"{name}/{stage.name}"] = stage.id
    for code, name, kind, options, required_from in (
        ("contract_number", "Contract number", FieldType.STRING, [], "Sales/Upload copy"),
        (
            "equipment_type",
            "Equipment type",
            FieldType.ENUM,
            ["standard", "large", "special"],
            None,
        ),
        ("project_manager", "Project manager", FieldType.EMPLOYEE, [], None),
        ("deadline", "Launch date", FieldType.DATE, [], None),
    ):
        custom_fields.create_field(
            uow,
            custom_fields.CreateField(
                entity_type=EntityType.DEAL,
                code=code,
                name=name,
                type=kind,
                options=options,
                required_from_stage_id=crm.stage_ids[required_from] if required_from else None,
            ),
            actor=SYSTEM,
            now=now,
        )
    return crm


def seed_rules(uow: UnitOfWork, crm: DemoCrm, people: DemoOrg, *, now: datetime) -> None:
    """The seed's rule: paid deals go to the least-loaded present designer, never the head."""
    create_rule(
        uow,
        RuleSpec(
            name="Paid deals to design",
            entity_type=RuleEntity.DEAL,
            pipeline_id=crm.pipeline_ids["Sales"],
            trigger_stage_id=crm.stage_ids["Sales/Prepayment received"],
            department_ids=[people.department_ids["Design"]],
            exclude_heads=True,
            allow_external=False,
            respect_day_status=True,
            default_capacity_points=Decimal(10),
            in_work_stage_ids=[crm.stage_ids["Sales/Development started"]],
            weight='5 if deal.equipment_type == "special" else 1',
            next_stage_id=crm.stage_ids["Sales/Development started"],
        ),
        actor=SYSTEM,
        now=now,
    )


def seed_deals(
    uow: UnitOfWork,
    crm: DemoCrm,
    people: DemoOrg,
    *,
    now: datetime,
    rng: random.Random,
    company_ids: list[int],
    count: int = 60,
) -> None:
    """Deals of the Sales pipeline walked through the stages, as managers would have moved them."""
    sales = [crm.stage_ids[f"Sales/{name}"] for name, _ in company.SALES_STAGES]
    managers = people.staff("Sales")
    for number in range(1, count + 1):
        manager = rng.choice(managers)
        actor = Actor(employee_id=manager, role=Role.EMPLOYEE)
        created_at = now - timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 600))
        deal = crm_items.create_item(
            uow,
            EntityType.DEAL,
            crm_items.CreateItem(
                title=f"{rng.choice(company.DEAL_TITLES)} #{number}",
                stage_id=sales[0],
                amount=Decimal(rng.randrange(50_000, 3_000_000, 5_000)),
                responsible_id=manager,
                company_id=rng.choice(company_ids) if company_ids else None,
                fields={"equipment_type": rng.choice(["standard", "standard", "large", "special"])},
            ),
            actor=actor,
            now=created_at,
        )
        assert deal.id is not None
        crm.deal_ids.append(deal.id)
        # Most deals are early in the funnel; a few are won or lost.
        target = min(int(rng.expovariate(0.45)), len(sales) - 2)
        if rng.random() < 0.12:
            target = len(sales) - 1  # Lost
        if target >= 2:
            crm_items.update_item(
                uow,
                EntityType.DEAL,
                deal.id,
                {"fields": {"contract_number": f"AG-{2026}-{number:04d}"}},
                actor=actor,
                now=created_at,
            )
        moment = created_at
        for stage_id in sales[1 : target + 1] if target < len(sales) - 1 else [sales[-1]]:
            moment = min(now, moment + timedelta(hours=rng.randint(2, 30)))
            crm_items.move_item(uow, EntityType.DEAL, deal.id, stage_id, actor=actor, now=moment)


def _id(pipeline: Pipeline) -> int:
    assert pipeline.id is not None
    return pipeline.id
