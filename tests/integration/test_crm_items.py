"""Leads and deals through the services, on both databases."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.crm_items import ItemQuery
from conveyor.domain.errors import Conflict, NotFound, RequiredFieldMissing, StageNotInPipeline
from conveyor.domain.tokens import Role
from conveyor.services import crm_items, pipelines
from conveyor.storage.database import build_engine, session_factory
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import (
    DEAL,
    LEAD,
    agency_pipeline,
    contract_number,
    hire,
    new_deal,
    outbox,
    reread,
)


def test_a_new_deal_starts_in_the_first_stage_of_the_first_pipeline(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    stages = agency_pipeline(uow, clock)
    manager = hire(uow, clock, "Maria Manager")
    deal = new_deal(uow, clock, amount="150000.50", currency="RUB", responsible_id=manager)
    stored = reread(uow, deal)
    assert stored.stage_id == stages["Conclude contract"].id
    assert stored.amount == Decimal("150000.50")
    assert stored.created_at == stored.updated_at == stored.stage_entered_at == clock()
    assert stored.closed_at is None
    created = [p for t, p in outbox(uow) if t == "DealCreated"]
    assert created == [
        {
            "title": "Website",
            "pipeline_id": stored.pipeline_id,
            "stage_id": stored.stage_id,
            "semantics": "in_progress",
            "responsible_id": manager,
        }
    ]


def test_a_refused_move_writes_no_event_and_changes_nothing(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    stages = agency_pipeline(uow, clock)
    contract_number(uow, clock, stages["Invoice"])
    deal = new_deal(uow, clock)
    crm_items.move_item(uow, DEAL, deal.id, stages["Upload copy"].id, actor=SYSTEM, now=clock())
    before, events_before = reread(uow, deal), outbox(uow)
    clock.advance(hours=1)
    with pytest.raises(RequiredFieldMissing) as refused:
        crm_items.move_item(uow, DEAL, deal.id, stages["Invoice"].id, actor=SYSTEM, now=clock())
    assert refused.value.field == "fields.contract_number"
    assert "Contract number" in refused.value.message and "Invoice" in refused.value.message
    after = reread(uow, deal)
    assert (after.stage_id, after.updated_at, after.stage_entered_at) == (
        before.stage_id,
        before.updated_at,
        before.stage_entered_at,
    )
    assert outbox(uow) == events_before


def test_a_deal_with_its_contract_number_reaches_done_and_is_closed(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    stages = agency_pipeline(uow, clock)
    contract_number(uow, clock, stages["Invoice"])
    deal = new_deal(uow, clock)
    clock.advance(hours=2)
    crm_items.update_item(
        uow, DEAL, deal.id, {"fields": {"contract_number": "A-17"}}, actor=SYSTEM, now=clock()
    )
    clock.advance(hours=1)
    crm_items.move_item(uow, DEAL, deal.id, stages["Done"].id, actor=SYSTEM, now=clock())
    stored = reread(uow, deal)
    assert stored.closed_at == stored.stage_entered_at == clock()
    entered = [p for t, p in outbox(uow) if t == "DealEnteredStage"]
    assert entered[-1]["semantics"] == "success"
    # Clearing the number while the deal sits past Invoice is refused.
    with pytest.raises(RequiredFieldMissing):
        crm_items.update_item(
            uow, DEAL, deal.id, {"fields": {"contract_number": None}}, actor=SYSTEM, now=clock()
        )
    assert reread(uow, deal).fields == {"contract_number": "A-17"}
    # A lost deal is always possible, and reopening it clears closed_at.
    crm_items.move_item(uow, DEAL, deal.id, stages["Lost"].id, actor=SYSTEM, now=clock())
    crm_items.move_item(uow, DEAL, deal.id, stages["Invoice"].id, actor=SYSTEM, now=clock())
    assert reread(uow, deal).closed_at is None


def test_a_handover_is_recorded_with_both_responsibles(uow: UnitOfWork, clock: FakeClock) -> None:
    agency_pipeline(uow, clock)
    first, second = hire(uow, clock, "First"), hire(uow, clock, "Second")
    deal = new_deal(uow, clock, responsible_id=first)
    clock.advance(minutes=5)
    crm_items.update_item(uow, DEAL, deal.id, {"responsible_id": second}, actor=SYSTEM, now=clock())
    events = outbox(uow)
    assert events[-2] == (
        "DealChanged",
        {"changed": ["responsible_id"], "from_responsible_id": first, "responsible_id": second},
    )
    assert events[-1] == (
        "DealResponsibleChanged",
        {"from_responsible_id": first, "responsible_id": second},
    )
    assert reread(uow, deal).updated_at == clock()


def test_a_deal_moves_to_another_pipeline_only_with_the_fields_required_there(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    agency_pipeline(uow, clock)
    _, service_stages = pipelines.create_pipeline(
        uow,
        pipelines.CreatePipeline(
            entity_type=DEAL,
            name="Client service",
            stages=[pipelines.StageSpec(name="Support"), pipelines.StageSpec(name="Renewal")],
        ),
        actor=SYSTEM,
        now=clock(),
    )
    contract_number(uow, clock, service_stages[0])
    deal = new_deal(uow, clock)
    target = service_stages[0].pipeline_id
    with pytest.raises(RequiredFieldMissing):
        crm_items.change_item_pipeline(uow, DEAL, deal.id, target, actor=SYSTEM, now=clock())
    assert reread(uow, deal).pipeline_id == deal.pipeline_id
    crm_items.update_item(
        uow, DEAL, deal.id, {"fields": {"contract_number": "S-1"}}, actor=SYSTEM, now=clock()
    )
    moved = crm_items.change_item_pipeline(uow, DEAL, deal.id, target, actor=SYSTEM, now=clock())
    assert (moved.pipeline_id, moved.stage_id) == (target, service_stages[0].id)
    # A stage of the old pipeline is now refused.
    with pytest.raises(StageNotInPipeline):
        crm_items.move_item(uow, DEAL, deal.id, deal.stage_id, actor=SYSTEM, now=clock())


def test_lists_filter_by_pipeline_state_and_time_newest_first(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    stages = agency_pipeline(uow, clock)
    start = clock()
    old = new_deal(uow, clock, "Old")
    clock.advance(days=1)
    new = new_deal(uow, clock, "New")
    crm_items.move_item(uow, DEAL, new.id, stages["Lost"].id, actor=SYSTEM, now=clock())

    def titles(**filters: object) -> list[str]:
        query = ItemQuery(entity_type=DEAL, **filters)  # type: ignore[arg-type]
        found = crm_items.list_items(uow, query, actor=SYSTEM, limit=10, offset=0)
        return [i.title for i in found.items]

    assert titles() == ["New", "Old"]
    assert titles(closed=True) == ["New"]
    assert titles(closed=False) == ["Old"]
    assert titles(stage_id=stages["Conclude contract"].id) == ["Old"]
    assert titles(created_from=start, created_to=start + timedelta(hours=1)) == ["Old"]
    assert titles(updated_from=clock()) == ["New"]
    assert (
        crm_items.list_items(
            uow, ItemQuery(entity_type=LEAD), actor=SYSTEM, limit=10, offset=0
        ).total
        == 0
    )
    assert old.id != new.id


def test_an_external_partner_sees_and_changes_only_their_own_deals(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    agency_pipeline(uow, clock)
    partner_id = hire(uow, clock, "Pavel Partner", external=True)
    partner = Actor(employee_id=partner_id, role=Role.EMPLOYEE, is_external=True)
    own = crm_items.create_item(
        uow, DEAL, crm_items.CreateItem(title="Theirs"), actor=partner, now=clock()
    )
    assert own.responsible_id == partner_id
    other = new_deal(uow, clock, "Not theirs")
    found = crm_items.list_items(
        uow, ItemQuery(entity_type=DEAL), actor=partner, limit=10, offset=0
    )
    assert [i.title for i in found.items] == ["Theirs"]
    with pytest.raises(NotFound):
        crm_items.get_item(uow, DEAL, other.id, actor=partner)
    with pytest.raises(NotFound):
        crm_items.update_item(uow, DEAL, other.id, {"title": "Mine"}, actor=partner, now=clock())
    assert reread(uow, other).title == "Not theirs"


def test_every_write_of_a_deal_bumps_its_revision(uow: UnitOfWork, clock: FakeClock) -> None:
    stages = agency_pipeline(uow, clock)
    deal = new_deal(uow, clock, "Website")
    crm_items.update_item(uow, DEAL, deal.id or 0, {"title": "Site"}, actor=SYSTEM, now=clock())
    crm_items.move_item(uow, DEAL, deal.id or 0, stages["Invoice"].id or 0, actor=SYSTEM,
                        now=clock())  # fmt: skip

    assert (deal.revision, reread(uow, deal).revision) == (1, 3)


def test_a_write_based_on_a_stale_read_of_a_deal_is_refused_not_lost(
    uow: UnitOfWork, clock: FakeClock, database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite takes the write lock with the first read: no read goes stale")
    agency_pipeline(uow, clock)
    deal = new_deal(uow, clock, "Website")
    engine = build_engine(database_url)
    other = UnitOfWork(session_factory(engine))
    with uow:
        stale = uow.items.get(deal.id or 0)  # read without a lock
        with other:
            fresh = other.items.get(deal.id or 0, for_update=True)
            fresh.title = "Written first"
            other.commit()
        stale.title = "Written second, from a stale read"
        with pytest.raises(Conflict, match="changed by someone else"):
            uow.commit()

    engine.dispose()
    assert reread(uow, deal).title == "Written first"
