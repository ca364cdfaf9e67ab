"""A pipeline as a kanban board, through the services, on both databases: every stage a
column, the newest cards, and counts and sums of all the items the reader may see."""

from __future__ import annotations

from decimal import Decimal

from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.stage_totals import StageSummary
from conveyor.domain.tokens import Role
from conveyor.services import crm_items, kanban
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import DEAL, agency_pipeline, hire, new_deal

ADMIN = Actor(employee_id=0, role=Role.ADMIN)


def test_each_stage_counts_its_items_and_sums_their_amounts_per_currency(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    stages = agency_pipeline(uow, clock)
    waiting = stages["Awaiting payment"]
    for amount, currency in [
        ("150000.50", "RUB"),
        ("49999.55", "RUB"),
        ("0.05", "RUB"),
        ("1000", "USD"),
        (None, "EUR"),
        (None, "RUB"),
    ]:
        new_deal(uow, clock, stage_id=waiting.id, amount=amount, currency=currency)
    new_deal(uow, clock, amount="12345678901.23")
    new_deal(uow, clock, amount="87654321098.77")
    pipeline_id = waiting.pipeline_id
    summaries = kanban.stage_summaries(uow, pipeline_id, actor=ADMIN)
    assert summaries == {
        waiting.id: StageSummary(
            stage_id=waiting.id,
            count=6,
            sums=(("RUB", Decimal("200000.10")), ("USD", Decimal("1000.00"))),
        ),
        stages["Conclude contract"].id: StageSummary(
            stage_id=stages["Conclude contract"].id,
            count=2,
            sums=(("RUB", Decimal("100000000000.00")),),
        ),
    }


def test_an_external_partner_counts_only_their_own_items(uow: UnitOfWork, clock: FakeClock) -> None:
    stages = agency_pipeline(uow, clock)
    partner = hire(uow, clock, "Paula Partner", external=True)
    new_deal(uow, clock, amount="100", responsible_id=partner)
    new_deal(uow, clock, amount="900")
    as_partner = Actor(employee_id=partner, role=Role.EMPLOYEE, is_external=True)
    first = stages["Conclude contract"].id
    summaries = kanban.stage_summaries(uow, stages["Done"].pipeline_id, actor=as_partner)
    assert summaries == {first: StageSummary(stage_id=first, count=1, sums=(("RUB", 100),))}
    shown = kanban.board(uow, stages["Done"].pipeline_id, actor=as_partner)
    assert [card.item.amount for card in shown.columns[0].cards] == [Decimal("100")]


def test_a_column_shows_its_newest_cards_and_counts_the_rest(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    stages = agency_pipeline(uow, clock)
    manager = hire(uow, clock, "Maria Manager")
    titles = [f"Deal {n}" for n in range(5)]
    for title in titles:
        clock.advance(minutes=1)
        new_deal(uow, clock, title, amount="10", responsible_id=manager)
    shown = kanban.board(uow, stages["Done"].pipeline_id, actor=ADMIN, per_column=3)
    first = shown.columns[0]
    assert [card.item.title for card in first.cards] == ["Deal 4", "Deal 3", "Deal 2"]
    assert {card.responsible_name for card in first.cards} == {"Maria Manager"}
    assert (first.summary.count, first.hidden, first.summary.sums) == (5, 2, (("RUB", 50),))
    assert [column.stage.name for column in shown.columns] == list(stages)
    assert all(column.summary.count == 0 for column in shown.columns[1:])


def test_a_card_without_a_responsible_has_no_name(uow: UnitOfWork, clock: FakeClock) -> None:
    stages = agency_pipeline(uow, clock)
    deal = crm_items.create_item(
        uow, DEAL, crm_items.CreateItem(title="Nobody's"), actor=SYSTEM, now=clock()
    )
    assert deal.responsible_id is None
    card = kanban.board(uow, stages["Done"].pipeline_id, actor=ADMIN).columns[0].cards[0]
    assert (card.item.title, card.responsible_name, card.waiting) == ("Nobody's", None, False)
