"""Distribution rules saved through the service, validated on save, on both databases."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.distribution_rules import DistributionRule, RuleEntity, RuleStrategy
from conveyor.domain.errors import (
    Conflict,
    ConveyorError,
    Forbidden,
    InvalidExpression,
    InvalidValue,
    NotFound,
    StageNotInPipeline,
)
from conveyor.domain.field_types import FieldType
from conveyor.domain.pipelines import Stage
from conveyor.domain.tokens import Role
from conveyor.services import custom_fields, org, pipelines
from conveyor.services import distribution_rules as rules
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import (
    DEAL,
    LEAD,
    agency_pipeline,
    equipment_type,
    hire,
    outbox,
)

WEIGHT = '5 if deal.equipment_type == "special" else 1'


def designers(uow: UnitOfWork, clock: FakeClock) -> tuple[int, int, list[int]]:
    """The Design department: its id, its head and two designers."""
    head = hire(uow, clock, "Hanna Head")
    department = org.create_department(
        uow, org.CreateDepartment(name="Design", head_id=head), actor=SYSTEM, now=clock()
    )
    assert department.id is not None
    people = [hire(uow, clock, name) for name in ("Dmitry Designer", "Daria Designer")]
    return department.id, head, people


def seed_rule_spec(
    stages: dict[str, Stage], department_id: int, people: list[int]
) -> rules.RuleSpec:
    """At Prepayment received, deals go to the least-loaded present designer, never to the
    head, cap 10 points, weighted by equipment, then move to Development started."""
    prepayment = stages["Prepayment received"]
    return rules.RuleSpec(
        name="Designers take prepaid deals",
        entity_type=RuleEntity.DEAL,
        pipeline_id=prepayment.pipeline_id,
        trigger_stage_id=prepayment.id,
        department_ids=[department_id],
        exclude_heads=True,
        respect_absences=True,
        respect_day_status=True,
        default_capacity_points=Decimal(10),
        capacity_overrides={people[1]: Decimal("2.5")},
        in_work_stage_ids=[stages["Development started"].id or 0],
        weight=WEIGHT,
        strategy=RuleStrategy.LEAST_LOADED,
        next_stage_id=stages["Development started"].id,
    )


@pytest.fixture
def seeded(uow: UnitOfWork, clock: FakeClock) -> dict[str, Any]:
    stages = agency_pipeline(uow, clock)
    equipment_type(uow, clock)
    department_id, head, people = designers(uow, clock)
    rule = rules.create_rule(
        uow, seed_rule_spec(stages, department_id, people), actor=SYSTEM, now=clock()
    )
    return {"stages": stages, "rule": rule, "people": people, "head": head}


def reread(uow: UnitOfWork, rule: DistributionRule) -> DistributionRule:
    assert rule.id is not None
    return rules.get_rule(uow, rule.id, actor=SYSTEM)


def test_the_seed_rule_is_saved_and_met_by_a_deal_reaching_prepayment(
    uow: UnitOfWork, seeded: dict[str, Any]
) -> None:
    stages, rule = seeded["stages"], seeded["rule"]
    stored = reread(uow, rule)
    assert stored.version == 1
    assert stored.weight == WEIGHT
    assert stored.default_capacity_points == Decimal(10)
    assert stored.capacity_overrides == {seeded["people"][1]: Decimal("2.5")}
    assert stored.next_stage_id == stages["Development started"].id
    with uow:
        found = uow.distribution_rules.triggered_at(
            RuleEntity.DEAL, stages["Prepayment received"].id
        )
        elsewhere = uow.distribution_rules.triggered_at(RuleEntity.DEAL, stages["Invoice"].id)
    assert [r.id for r in found] == [rule.id]
    assert elsewhere == []
    assert ("DistributionRuleCreated", {**rule.summary(), "version": 1}) in outbox(uow)


def test_every_change_raises_the_version_and_a_change_to_nothing_does_not(
    uow: UnitOfWork, clock: FakeClock, seeded: dict[str, Any]
) -> None:
    rule = seeded["rule"]
    clock.advance(minutes=5)
    changed = rules.update_rule(
        uow, rule.id, {"enabled": False, "priority": 7}, actor=SYSTEM, now=clock()
    )
    assert (changed.version, changed.updated_at) == (2, clock())
    rules.update_rule(uow, rule.id, {"weight": "2"}, actor=SYSTEM, now=clock())
    same = rules.update_rule(uow, rule.id, {"priority": 7}, actor=SYSTEM, now=clock())
    assert same.version == 3 == reread(uow, rule).version
    events = [(t, p) for t, p in outbox(uow) if t == "DistributionRuleChanged"]
    assert [(p["version"], p["changed"]) for _, p in events] == [
        (2, ["enabled", "priority"]),
        (3, ["weight"]),
    ]
    with uow:
        assert uow.distribution_rules.triggered_at(RuleEntity.DEAL, rule.trigger_stage_id) == []


def _other_pipeline_stage(uow: UnitOfWork, clock: FakeClock) -> int:
    _, stages = pipelines.create_pipeline(
        uow,
        pipelines.CreatePipeline(
            entity_type=DEAL, name="Support", stages=[pipelines.StageSpec(name="New")]
        ),
        actor=SYSTEM,
        now=clock(),
    )
    return stages[0].id or 0


def _lead_stage(uow: UnitOfWork, clock: FakeClock) -> int:
    _, stages = pipelines.create_pipeline(
        uow,
        pipelines.CreatePipeline(
            entity_type=LEAD, name="Inbound", stages=[pipelines.StageSpec(name="New")]
        ),
        actor=SYSTEM,
        now=clock(),
    )
    return stages[0].id or 0


def _field(uow: UnitOfWork, clock: FakeClock, code: str, type_: FieldType) -> str:
    options = ["a", "b"] if type_ is FieldType.ENUM else []
    custom_fields.create_field(
        uow,
        custom_fields.CreateField(
            entity_type=DEAL, code=code, name=code, type=type_, options=options
        ),
        actor=SYSTEM,
        now=clock(),
    )
    return code


BAD_CHANGES: list[tuple[str, Any, type[ConveyorError], str]] = [
    (
        "stage of another pipeline",
        lambda u, c, s: {"trigger_stage_id": _other_pipeline_stage(u, c)},
        StageNotInPipeline,
        "trigger_stage_id",
    ),
    (
        "next stage of another pipeline",
        lambda u, c, s: {"next_stage_id": _other_pipeline_stage(u, c)},
        StageNotInPipeline,
        "next_stage_id",
    ),
    (
        "next stage is the trigger",
        lambda u, c, s: {"next_stage_id": s["rule"].trigger_stage_id},
        InvalidValue,
        "next_stage_id",
    ),
    (
        "in-work stage of a lead pipeline",
        lambda u, c, s: {"in_work_stage_ids": [s["rule"].trigger_stage_id, _lead_stage(u, c)]},
        StageNotInPipeline,
        "in_work_stage_ids.1",
    ),
    (
        "unknown employee",
        lambda u, c, s: {"employee_ids": [s["people"][0], 999_999]},
        NotFound,
        "employee_ids.1",
    ),
    (
        "unknown excluded employee",
        lambda u, c, s: {"excluded_ids": [999_999]},
        NotFound,
        "excluded_ids.0",
    ),
    (
        "unknown department",
        lambda u, c, s: {"department_ids": [999_999]},
        NotFound,
        "department_ids.0",
    ),
    (
        "capacity of an unknown employee",
        lambda u, c, s: {"capacity_overrides": {999_999: Decimal(1)}},
        NotFound,
        "capacity_overrides.999999",
    ),
    (
        "zero capacity",
        lambda u, c, s: {"default_capacity_points": Decimal(0)},
        InvalidValue,
        "default_capacity_points",
    ),
    (
        "unknown target field",
        lambda u, c, s: {"target_field": "designer"},
        InvalidValue,
        "target_field",
    ),
    (
        "target field that is not an employee",
        lambda u, c, s: {"target_field": _field(u, c, "designer", FieldType.STRING)},
        InvalidValue,
        "target_field",
    ),
    (
        "skill field that is a number",
        lambda u, c, s: {"skill_field": _field(u, c, "pages", FieldType.NUMBER)},
        InvalidValue,
        "skill_field",
    ),
    (
        "method call in the condition",
        lambda u, c, s: {"condition": "deal.clear()"},
        InvalidExpression,
        "condition",
    ),
    (
        "unknown name in the condition",
        lambda u, c, s: {"condition": "order.amount > 5"},
        InvalidExpression,
        "condition",
    ),
    (
        "a weight that can never be computed",
        lambda u, c, s: {"weight": "9**9**9"},
        InvalidExpression,
        "weight",
    ),
    (
        "a huge constant inside a weight",
        lambda u, c, s: {"weight": "1 if deal.title else [1] * 10**9"},
        InvalidExpression,
        "weight",
    ),
    ("a negative weight", lambda u, c, s: {"weight": "-1"}, InvalidExpression, "weight"),
    ("an empty pool", lambda u, c, s: {"department_ids": []}, InvalidValue, "employee_ids"),
]


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [pytest.param(ch, er, fi, id=name) for name, ch, er, fi in BAD_CHANGES],
)
def test_a_bad_change_names_the_field_and_changes_nothing(
    uow: UnitOfWork,
    clock: FakeClock,
    seeded: dict[str, Any],
    changes: Any,
    error: type[ConveyorError],
    field: str,
) -> None:
    rule = seeded["rule"]
    before = reread(uow, rule)
    values = changes(uow, clock, seeded)
    with pytest.raises(error) as raised:
        rules.update_rule(uow, rule.id, values, actor=SYSTEM, now=clock())
    assert raised.value.field == field
    after = reread(uow, rule)
    assert after == before
    assert not [t for t, _ in outbox(uow) if t == "DistributionRuleChanged"]


def test_a_bad_expression_points_at_its_position(
    uow: UnitOfWork, clock: FakeClock, seeded: dict[str, Any]
) -> None:
    with pytest.raises(InvalidExpression) as raised:
        rules.update_rule(
            uow, seeded["rule"].id, {"condition": "deal.clear()"}, actor=SYSTEM, now=clock()
        )
    assert (raised.value.line, raised.value.column) == (1, 6)
    assert "line 1, column 6" in raised.value.message
    with pytest.raises(InvalidExpression) as raised:
        rules.update_rule(
            uow, seeded["rule"].id, {"weight": "1 + 9**9**9"}, actor=SYSTEM, now=clock()
        )
    assert raised.value.line == 1 and raised.value.column is not None


def test_a_rule_for_the_wrong_kind_of_pipeline_is_refused(
    uow: UnitOfWork, clock: FakeClock, seeded: dict[str, Any]
) -> None:
    spec = replace(
        seed_rule_spec(seeded["stages"], 1, seeded["people"]),
        entity_type=RuleEntity.LEAD,
        in_work_stage_ids=[],
    )
    with pytest.raises(InvalidValue) as raised:
        rules.create_rule(uow, spec, actor=SYSTEM, now=clock())
    assert raised.value.field == "pipeline_id"
    assert len(rules.list_rules(uow, actor=SYSTEM, limit=10, offset=0).items) == 1


def test_task_rules_have_no_stages_and_set_the_responsible(
    uow: UnitOfWork, clock: FakeClock, seeded: dict[str, Any]
) -> None:
    spec = rules.RuleSpec(
        name="Support tasks", entity_type=RuleEntity.TASK, employee_ids=seeded["people"]
    )
    task_rule = rules.create_rule(uow, spec, actor=SYSTEM, now=clock())
    with uow:
        assert uow.distribution_rules.triggered_at(RuleEntity.TASK, None) == [task_rule]
    with pytest.raises(InvalidValue) as raised:
        rules.create_rule(
            uow,
            replace(spec, trigger_stage_id=seeded["rule"].trigger_stage_id),
            actor=SYSTEM,
            now=clock(),
        )
    assert raised.value.field == "trigger_stage_id"


def test_a_rule_keeps_its_pipeline_and_stages_from_deletion_until_it_is_deleted(
    uow: UnitOfWork, clock: FakeClock, seeded: dict[str, Any]
) -> None:
    rule = seeded["rule"]
    with pytest.raises(Conflict):
        pipelines.delete_pipeline(uow, rule.pipeline_id, actor=SYSTEM, now=clock())
    rules.delete_rule(uow, rule.id, actor=SYSTEM, now=clock())
    with pytest.raises(NotFound):
        reread(uow, rule)
    assert ("DistributionRuleDeleted", rule.summary()) in outbox(uow)
    pipelines.delete_pipeline(uow, rule.pipeline_id, actor=SYSTEM, now=clock())


def test_only_admins_see_or_change_rules(
    uow: UnitOfWork, clock: FakeClock, seeded: dict[str, Any]
) -> None:
    manager = Actor(employee_id=seeded["head"], role=Role.HEAD)
    with pytest.raises(Forbidden):
        rules.get_rule(uow, seeded["rule"].id, actor=manager)
    with pytest.raises(Forbidden):
        rules.update_rule(uow, seeded["rule"].id, {"priority": 1}, actor=manager, now=clock())
