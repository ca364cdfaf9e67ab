"""A rule's load per designer, from weights stored per (rule, deal): always what weighing
every deal in work in its full context gives, however the deals and the rule change."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conveyor.domain.actors import SYSTEM
from conveyor.domain.pipelines import Stage
from conveyor.services import crm_items
from conveyor.services import distribution_rules as rules
from conveyor.services.assignment_load import held_load
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import DEAL, agency_pipeline, hire, new_deal
from tests.integration.test_in_work_weights import (
    WEIGHTS,
    agency_pipeline_named,
    equipment_field,
    weighed_one_by_one,
    weight_rule,
)

WORK = "Development started"


def loads(uow: UnitOfWork, rule_id: int | None, pool: list[int], *, store: bool) -> Any:
    """Per designer: (count, points) as a decision sees them; ``None`` when the database
    counts every deal as 1 point."""
    with uow:
        rule = uow.distribution_rules.get(rule_id or 0)
        held = held_load(uow, rule, pool, store=store)
        uow.commit()
    if held is None:
        return None
    return {holder: (h.count, h.points) for holder, h in held.items()}


def expected_loads(
    uow: UnitOfWork, text: str, pool: list[int], work: Stage
) -> dict[int, tuple[int, Decimal]]:
    """The reference: each deal in work weighed one by one in its full context."""
    with uow:
        held = [
            (d.id or 0, d.responsible_id)
            for d in uow.items.where(entity_type=DEAL, stage_id=work.id)
            if d.responsible_id in pool
        ]
    weights = weighed_one_by_one(uow, text, [deal_id for deal_id, _ in held])
    totals: dict[int, tuple[int, Decimal]] = defaultdict(lambda: (0, Decimal(0)))
    for deal_id, holder in held:
        assert holder is not None
        count, points = totals[holder]
        totals[holder] = (count + 1, points + weights[deal_id])
    return dict(totals)


def stored_weights(uow: UnitOfWork, rule_id: int | None) -> int:
    with uow:
        return uow.assignment_weights.count(rule_id or 0)


@pytest.mark.parametrize("text", WEIGHTS)
def test_the_stored_load_is_the_load_of_every_deal_weighed_in_full_even_after_changes(
    uow: UnitOfWork, clock: FakeClock, text: str
) -> None:
    stages = agency_pipeline(uow, clock)
    equipment_field(uow, clock)
    dmitry, daria = (hire(uow, clock, n) for n in ("Dmitry Designer", "Daria Designer"))
    pool, work = [dmitry, daria], stages[WORK]
    stand = new_deal(
        uow,
        clock,
        "Stand",
        responsible_id=dmitry,
        stage_id=work.id,
        amount=2_500_000,
        fields={"equipment_type": "special"},
    )
    sign = new_deal(uow, clock, "Sign", responsible_id=daria, stage_id=work.id, amount=90_000)
    new_deal(uow, clock, "Sticker", responsible_id=daria, stage_id=work.id,
             fields={"equipment_type": "standard"})  # fmt: skip
    rule = weight_rule(uow, clock, stages, pool, text)

    first = loads(uow, rule.id, pool, store=True)
    again = loads(uow, rule.id, pool, store=True)  # every weight is stored by now
    assert first == again == expected_loads(uow, text, pool, work)

    # The clock stands still: only the deal's revision tells that it changed.
    bigger = {"amount": 3_000_000, "fields": {"equipment_type": "large"}}
    crm_items.update_item(uow, DEAL, sign.id or 0, bigger, actor=SYSTEM, now=clock())
    crm_items.update_item(uow, DEAL, stand.id or 0, {"responsible_id": daria},
                          actor=SYSTEM, now=clock())  # fmt: skip
    crm_items.move_item(uow, DEAL, sign.id or 0, stages["Done"].id or 0, actor=SYSTEM,
                        now=clock())  # fmt: skip
    assert loads(uow, rule.id, pool, store=True) == expected_loads(uow, text, pool, work)


def test_a_new_weight_expression_reweighs_every_deal(uow: UnitOfWork, clock: FakeClock) -> None:
    stages = agency_pipeline(uow, clock)
    equipment_field(uow, clock)
    dmitry = hire(uow, clock, "Dmitry Designer")
    for equipment in ("special", "standard", "special"):
        new_deal(uow, clock, "Stand", responsible_id=dmitry, stage_id=stages[WORK].id,
                 fields={"equipment_type": equipment})  # fmt: skip
    heavy = '5 if deal.equipment_type == "special" else 1'
    rule = weight_rule(uow, clock, stages, [dmitry], heavy)
    assert loads(uow, rule.id, [dmitry], store=True) == {dmitry: (3, Decimal(11))}

    rules.update_rule(uow, rule.id or 0, {"weight": 'deal.equipment_type == "standard" and 7 or 2'},
                      actor=SYSTEM, now=clock())  # fmt: skip

    assert loads(uow, rule.id, [dmitry], store=True) == {dmitry: (3, Decimal(11))}
    rules.update_rule(uow, rule.id or 0, {"weight": "deal.amount or 0.25"}, actor=SYSTEM,
                      now=clock())  # fmt: skip
    assert loads(uow, rule.id, [dmitry], store=True) == {dmitry: (3, Decimal("0.75"))}


def test_a_board_reading_the_load_stores_nothing_and_a_decision_stores_each_weight_once(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    stages = agency_pipeline(uow, clock)
    dmitry = hire(uow, clock, "Dmitry Designer")
    for amount in (10, 20, 30):
        new_deal(uow, clock, "Site", responsible_id=dmitry, stage_id=stages[WORK].id,
                 amount=amount)  # fmt: skip
    rule = weight_rule(uow, clock, stages, [dmitry], "deal.amount / 10")

    assert loads(uow, rule.id, [dmitry], store=False) == {dmitry: (3, Decimal(6))}
    assert stored_weights(uow, rule.id) == 0
    assert loads(uow, rule.id, [dmitry], store=True) == {dmitry: (3, Decimal(6))}
    assert stored_weights(uow, rule.id) == 3


def test_weights_are_kept_to_the_thousandth_of_a_point(uow: UnitOfWork, clock: FakeClock) -> None:
    stages = agency_pipeline(uow, clock)
    dmitry = hire(uow, clock, "Dmitry Designer")
    for _ in range(3):
        new_deal(uow, clock, "Site", responsible_id=dmitry, stage_id=stages[WORK].id, amount=1)
    rule = weight_rule(uow, clock, stages, [dmitry], "deal.amount / 3")

    unstored = loads(uow, rule.id, [dmitry], store=True)
    stored = loads(uow, rule.id, [dmitry], store=True)

    assert unstored == stored == {dmitry: (3, Decimal("0.999"))}


_RUNS = iter(range(10**6))
_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["new", "edit", "move", "hand over"]),
        st.integers(0, 20),  # which deal (modulo how many there are)
        st.integers(0, 2),  # whose: two designers in the pool, one outside
        st.one_of(st.none(), st.integers(0, 3_000_000)),
        st.sampled_from([None, "standard", "large", "special"]),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=_STEPS, text=st.sampled_from(WEIGHTS[:4]))
def test_after_any_story_of_changes_the_stored_load_equals_the_full_weighing(
    uow: UnitOfWork,
    clock: FakeClock,
    steps: list[tuple[str, int, int, int | None, str | None]],
    text: str,
) -> None:
    run = next(_RUNS)
    stages = agency_pipeline_named(uow, clock, f"Sales {run}")
    equipment_field(uow, clock)
    people = [hire(uow, clock, f"Person {run}.{n}") for n in range(3)]
    pool, work = people[:2], stages[WORK]
    rule = weight_rule(uow, clock, stages, pool, text)
    deals: list[int] = []
    for action, which, whose, amount, equipment in steps:
        fields = {} if equipment is None else {"equipment_type": equipment}
        if action == "new" or not deals:
            deal = new_deal(uow, clock, "Deal", responsible_id=people[whose], stage_id=work.id,
                            amount=amount, fields=fields)  # fmt: skip
            deals.append(deal.id or 0)
        else:
            deal_id = deals[which % len(deals)]
            if action == "edit":
                changes: dict[str, Any] = {"amount": amount, "fields": fields}
            elif action == "hand over":
                changes = {"responsible_id": people[whose]}
            else:
                to = work if amount is not None and amount % 2 else stages["Invoice"]
                crm_items.move_item(uow, DEAL, deal_id, to.id or 0, actor=SYSTEM, now=clock())
                changes = {}
            if changes:
                crm_items.update_item(uow, DEAL, deal_id, changes, actor=SYSTEM, now=clock())
        # A decision after each change: it weighs what changed and stores it.
        assert loads(uow, rule.id, pool, store=True) == expected_loads(uow, text, pool, work)
