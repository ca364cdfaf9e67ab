"""Weighing a pool's in-work load reads only what the weight needs and weighs each set of
values once, yet always gives what weighing every deal in its full context gives."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conveyor.domain.actors import SYSTEM
from conveyor.domain.distribution_rules import DistributionRule, RuleEntity
from conveyor.domain.errors import ExpressionFailed
from conveyor.domain.field_types import FieldType
from conveyor.domain.pipelines import Stage
from conveyor.services import candidates, clients, crm_items, custom_fields, pipelines
from conveyor.services import distribution_rules as rules
from conveyor.services.assignment_context import compiled, in_work_weights, item_context, weigh
from conveyor.services.assignment_load import held_load
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import AGENCY, DEAL, agency_pipeline, hire, new_deal

WORK = "Development started"
WEIGHTS = [
    '5 if deal.equipment_type == "special" else (2 if deal.amount > 1000000 else 1)',
    'deal.fields["equipment_type"] == "large" and 3 or 1',
    # A deal without an amount cannot be weighed: it counts 1 point.
    'deal["amount"] / 100000',
    "deal.id % 3 + 1",
    "len(deal.title)",
    # Reads a linked record: weighed the general way, deal by deal.
    'contact.name == "Anna" and 4 or 1',
    # Reads the record as a whole: the general way too.
    "deal is not None and 2 or 9",
    "2",
]


def equipment_field(uow: UnitOfWork, clock: FakeClock) -> None:
    with uow:
        if "equipment_type" in uow.custom_fields.of(DEAL):
            return
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


def weighed_one_by_one(uow: UnitOfWork, text: str, deal_ids: list[int]) -> dict[int, Decimal]:
    """The reference: each deal weighed in its full context (1 point when it cannot be)."""
    expression = compiled(text, RuleEntity.DEAL, "weight")
    weights = {}
    with uow:
        for deal_id in deal_ids:
            try:
                context = item_context(uow, uow.items.get(deal_id), expression.names)
                weights[deal_id] = weigh(expression, context)
            except ExpressionFailed:
                weights[deal_id] = Decimal(1)
    return weights


def weight_rule(
    uow: UnitOfWork, clock: FakeClock, stages: dict[str, Stage], people: list[int], weight: str
) -> DistributionRule:
    return rules.create_rule(
        uow,
        rules.RuleSpec(
            name=f"Paid deals weighed by {weight}"[:200],
            entity_type=RuleEntity.DEAL,
            pipeline_id=stages["Prepayment received"].pipeline_id,
            trigger_stage_id=stages["Prepayment received"].id,
            employee_ids=people,
            default_capacity_points=Decimal(100),
            in_work_stage_ids=[stages[WORK].id],
            weight=weight,
        ),
        actor=SYSTEM,
        now=clock(),
    )


def weights_of(
    uow: UnitOfWork, text: str, people: list[int], stage: Stage
) -> dict[int, Decimal] | None:
    expression = compiled(text, RuleEntity.DEAL, "weight")
    with uow:
        return in_work_weights(uow, expression, RuleEntity.DEAL, people, [stage.id or 0])


@pytest.fixture
def studio(uow: UnitOfWork, clock: FakeClock) -> dict[str, Any]:
    """Two designers with deals in work, others elsewhere or someone else's."""
    stages = agency_pipeline(uow, clock)
    equipment_field(uow, clock)
    anna = clients.create_contact(
        uow, clients.CreateContact(name="Anna"), actor=SYSTEM, now=clock()
    )
    people = [hire(uow, clock, n) for n in ("Dmitry Designer", "Daria Designer")]
    outsider = hire(uow, clock, "Sergei Sales")
    work = stages[WORK]
    in_work = [
        new_deal(uow, clock, "Stand", responsible_id=people[0], stage_id=work.id,
                 amount=2_500_000, fields={"equipment_type": "special"}),
        new_deal(uow, clock, "Banner", responsible_id=people[0], stage_id=work.id,
                 amount="1500000.5", fields={"equipment_type": "large"}, contact_id=anna.id),
        new_deal(uow, clock, "Sign", responsible_id=people[1], stage_id=work.id, amount=90_000),
        new_deal(uow, clock, "Sticker", responsible_id=people[1], stage_id=work.id,
                 fields={"equipment_type": "standard"}),
        new_deal(uow, clock, "Poster", responsible_id=people[1], stage_id=work.id,
                 amount=90_000, fields={"equipment_type": "standard"}, contact_id=anna.id),
    ]  # fmt: skip
    new_deal(uow, clock, "Not paid yet", responsible_id=people[0], stage_id=stages["Invoice"].id)
    new_deal(uow, clock, "Not ours", responsible_id=outsider, stage_id=work.id, amount=5)
    return {"work": work, "people": people, "deal_ids": [d.id or 0 for d in in_work]}


@pytest.mark.parametrize("text", WEIGHTS)
def test_each_deal_in_work_weighs_what_it_weighs_in_its_full_context(
    uow: UnitOfWork, studio: dict[str, Any], text: str
) -> None:
    expected = weighed_one_by_one(uow, text, studio["deal_ids"])

    first = weights_of(uow, text, studio["people"], studio["work"])
    # The second time every deal's values are known already: the same answer.
    again = weights_of(uow, text, studio["people"], studio["work"])

    assert first == again == expected


def test_a_weight_of_one_point_leaves_the_counting_to_the_database(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    idle = hire(uow, clock, "Ivan Idle")

    assert weights_of(uow, "1", studio["people"], studio["work"]) is None
    assert weights_of(uow, "deal.amount", [idle], studio["work"]) is None
    assert weights_of(uow, "2", [idle], studio["work"]) is None


def test_a_deal_changed_in_the_same_instant_is_weighed_anew(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    text = '5 if deal.equipment_type == "special" else 1'
    sticker = studio["deal_ids"][3]
    before = weights_of(uow, text, studio["people"], studio["work"])
    # The clock stands still: only the values tell that the deal changed.
    crm_items.update_item(
        uow, DEAL, sticker, {"fields": {"equipment_type": "special"}}, actor=SYSTEM, now=clock()
    )
    after = weights_of(uow, text, studio["people"], studio["work"])

    assert before is not None and after is not None
    assert (before[sticker], after[sticker]) == (Decimal(1), Decimal(5))


_RUNS = iter(range(10**6))
deals = st.lists(
    st.tuples(
        st.integers(0, 2),  # whose: one of two designers, or someone outside the pool
        st.one_of(st.none(), st.integers(0, 3_000_000)),
        st.sampled_from([None, "standard", "large", "special"]),
        st.sampled_from(["Site", "Stand", "A", "Very long banner title"]),
        st.booleans(),  # in work, or still at the invoice
    ),
    max_size=8,
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=deals, text=st.sampled_from([*WEIGHTS, "1"]))
def test_weighed_loads_count_the_same_items_as_unweighed_ones_in_their_own_points(
    uow: UnitOfWork,
    clock: FakeClock,
    specs: list[tuple[int, int | None, str | None, str, bool]],
    text: str,
) -> None:
    # Each example builds its own pipeline and people in the shared test database.
    run = next(_RUNS)
    stages = agency_pipeline_named(uow, clock, f"Sales {run}")
    equipment_field(uow, clock)
    people = [hire(uow, clock, f"Person {run}.{n}") for n in range(3)]
    pool, work = people[:2], stages[WORK]
    in_work = []
    for whose, amount, equipment, title, working in specs:
        clock.advance(minutes=7)
        deal = new_deal(
            uow,
            clock,
            title,
            responsible_id=people[whose],
            stage_id=(work if working else stages["Invoice"]).id,
            amount=amount,
            fields={} if equipment is None else {"equipment_type": equipment},
        )
        if working and whose < 2:
            in_work.append(deal.id or 0)

    weights = weights_of(uow, text, pool, work)
    rule = weight_rule(uow, clock, stages, pool, text)
    options: dict[str, Any] = {"now": clock(), "in_work_stage_ids": [work.id or 0]}
    with uow:
        plain = candidates.candidate_snapshots(uow, pool, count_open_tasks=False, **options)
        held = held_load(uow, rule, pool, store=True)
        weighed = candidates.candidate_snapshots(
            uow, pool, count_open_tasks=False, held=held, **options
        )

    expected = weighed_one_by_one(uow, text, in_work)
    if weights is None:  # every deal in work counts 1 point
        assert set(expected.values()) <= {Decimal(1)}
    else:
        assert weights == expected
    for bare, heavy in zip(plain, weighed, strict=True):
        assert (bare.load_count, bare.last_assigned_at) == (
            heavy.load_count,
            heavy.last_assigned_at,
        )
    assert sum(s.load_points for s in weighed) == sum(expected.values(), Decimal(0))


def agency_pipeline_named(uow: UnitOfWork, clock: FakeClock, name: str) -> dict[str, Stage]:
    """``agency_pipeline`` under another name, so that several can live in one database."""
    _, stages = pipelines.create_pipeline(
        uow,
        pipelines.CreatePipeline(
            entity_type=DEAL, name=name, stages=[pipelines.StageSpec(name=n) for n in AGENCY]
        ),
        actor=SYSTEM,
        now=clock(),
    )
    return {s.name: s for s in stages}
