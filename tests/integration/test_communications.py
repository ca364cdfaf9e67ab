"""The communications log on both databases: links filled from deals and contacts, the last
communication read through one index, and deletions that keep the log of what remains."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from conveyor.domain.actors import SYSTEM
from conveyor.domain.communications import CommunicationKind
from conveyor.domain.crm_items import CrmItem
from conveyor.domain.errors import Conflict, InvalidValue, NotFound
from conveyor.domain.pipelines import EntityType, Pipeline, Stage
from conveyor.services import clients, communications, org
from conveyor.services.communications import LogCommunication
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock


@dataclass
class Crm:
    employee_id: int
    company_id: int
    contact_id: int
    deal_id: int


@pytest.fixture
def crm(uow: UnitOfWork, clock: FakeClock) -> Crm:
    """An account manager, company "Romashka" with contact Ivan, and a deal with both."""
    now = clock()
    manager, _ = org.create_employee(uow, org.CreateEmployee(name="Olga"), actor=SYSTEM, now=now)
    company = clients.create_company(
        uow, clients.CreateCompany(name="ООО Ромашка"), actor=SYSTEM, now=now
    )
    contact = clients.create_contact(
        uow,
        clients.CreateContact(name="Ivan", company_id=company.id),
        actor=SYSTEM,
        now=now,
    )
    assert manager.id and company.id and contact.id
    deal_id = add_deal(uow, now, contact_id=contact.id, company_id=company.id)
    return Crm(manager.id, company.id, contact.id, deal_id)


def add_deal(
    uow: UnitOfWork, now: datetime, *, contact_id: int | None, company_id: int | None
) -> int:
    with uow:
        pipeline = uow.pipelines.add(Pipeline(entity_type=EntityType.DEAL, name=f"Sales {now}"))
        assert pipeline.id is not None
        stage = uow.stages.add(Stage(pipeline_id=pipeline.id, name="New", sort=10))
        assert stage.id is not None
        deal = uow.items.add(
            CrmItem(
                entity_type=EntityType.DEAL,
                title="Website",
                pipeline_id=pipeline.id,
                stage_id=stage.id,
                contact_id=contact_id,
                company_id=company_id,
                created_at=now,
                updated_at=now,
                stage_entered_at=now,
            )
        )
        uow.commit()
    assert deal.id is not None
    return deal.id


def log(uow: UnitOfWork, clock: FakeClock, **given: object) -> communications.Communication:
    command = LogCommunication(**{"kind": CommunicationKind.CALL, **given})  # type: ignore[arg-type]
    return communications.log_communication(uow, command, actor=SYSTEM, now=clock())


def count(uow: UnitOfWork) -> int:
    with uow:
        return len(uow.communications.where())


def test_a_call_logged_on_a_deal_counts_for_its_contact_and_company(
    uow: UnitOfWork, clock: FakeClock, crm: Crm
) -> None:
    call = log(uow, clock, item_id=crm.deal_id, employee_id=crm.employee_id, subject="Brief")
    assert (call.contact_id, call.company_id, call.item_id) == (
        crm.contact_id,
        crm.company_id,
        crm.deal_id,
    )
    last = communications.last_communication(uow, actor=SYSTEM, company_id=crm.company_id)
    assert last is not None and last.id == call.id
    with uow:
        event = uow.events.where(type="CommunicationLogged")[0]
    assert (event.entity, event.entity_id) == ("company", crm.company_id)
    assert event.payload["item_id"] == crm.deal_id
    assert event.payload["contact_id"] == crm.contact_id
    assert event.payload["employee_id"] == crm.employee_id


def test_a_note_on_a_contact_reaches_the_contacts_company_and_a_named_company_wins(
    uow: UnitOfWork, clock: FakeClock, crm: Crm
) -> None:
    note = log(uow, clock, kind=CommunicationKind.NOTE, contact_id=crm.contact_id)
    assert note.company_id == crm.company_id
    other = clients.create_company(
        uow, clients.CreateCompany(name="Partner"), actor=SYSTEM, now=clock()
    )
    about_other = log(uow, clock, contact_id=crm.contact_id, company_id=other.id)
    assert about_other.company_id == other.id


def test_a_communication_about_a_contact_alone_is_about_the_contact(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    loner = clients.create_contact(
        uow, clients.CreateContact(name="Freelancer"), actor=SYSTEM, now=clock()
    )
    log(uow, clock, contact_id=loner.id)
    with uow:
        event = uow.events.where(type="CommunicationLogged")[0]
    assert (event.entity, event.entity_id, event.payload["company_id"]) == (
        "contact",
        loner.id,
        None,
    )


def test_the_last_communication_is_the_latest_that_happened_not_the_latest_logged(
    uow: UnitOfWork, clock: FakeClock, crm: Crm
) -> None:
    assert communications.last_communication(uow, actor=SYSTEM, company_id=crm.company_id) is None
    recent = log(uow, clock, company_id=crm.company_id, occurred_at=clock() - timedelta(hours=1))
    log(uow, clock, company_id=crm.company_id, occurred_at=clock() - timedelta(days=3))
    clock.advance(minutes=10)
    tie = log(uow, clock, company_id=crm.company_id, occurred_at=recent.occurred_at)
    last = communications.last_communication(uow, actor=SYSTEM, company_id=crm.company_id)
    # Ties go to the one logged later, the same on both databases.
    assert last is not None and last.id == tie.id
    by_contact = communications.last_communication(uow, actor=SYSTEM, contact_id=crm.contact_id)
    assert by_contact is None
    with pytest.raises(NotFound):
        communications.last_communication(uow, actor=SYSTEM, company_id=424242)


def test_the_last_communication_with_a_company_is_read_through_its_index(
    uow: UnitOfWork, clock: FakeClock, crm: Crm
) -> None:
    for hours in range(5):
        log(uow, clock, company_id=crm.company_id, occurred_at=clock() - timedelta(hours=hours))
    with uow:
        session = uow.session
        dialect = session.get_bind().dialect
        query = uow.communications.last_query(company_id=crm.company_id)
        sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        if dialect.name == "postgresql":
            # On a tiny table a sequential scan is cheaper; forbid it to see the plan the
            # planner picks on a large one.
            session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(session.scalars(text(f"EXPLAIN {sql}")))
            assert "Sort" not in plan, plan
        else:
            plan = "\n".join(row[-1] for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            assert "TEMP B-TREE" not in plan, plan
    assert "ix_communications_company_at" in plan, plan


def test_the_log_is_newest_first_and_filtered_by_link_kind_and_time(
    uow: UnitOfWork, clock: FakeClock, crm: Crm
) -> None:
    now = clock()
    old = log(uow, clock, company_id=crm.company_id, occurred_at=now - timedelta(days=2))
    mail = log(
        uow,
        clock,
        kind=CommunicationKind.EMAIL,
        item_id=crm.deal_id,
        occurred_at=now - timedelta(days=1),
    )
    note = log(uow, clock, kind=CommunicationKind.NOTE, contact_id=crm.contact_id, occurred_at=now)

    def ids(**filters: object) -> list[int | None]:
        page = communications.list_communications(
            uow,
            actor=SYSTEM,
            limit=50,
            offset=0,
            **filters,  # type: ignore[arg-type]
        )
        return [c.id for c in page.items]

    assert ids() == [note.id, mail.id, old.id]
    assert ids(company_id=crm.company_id) == [note.id, mail.id, old.id]
    assert ids(item_id=crm.deal_id) == [mail.id]
    assert ids(kind=CommunicationKind.EMAIL) == [mail.id]
    assert ids(since=now - timedelta(days=1), until=now) == [mail.id]
    with pytest.raises(InvalidValue) as error:
        ids(since=now, until=now - timedelta(days=1))
    assert error.value.field == "to"


BAD: list[tuple[str, Callable[[Crm, datetime], dict[str, object]]]] = [
    ("company_id", lambda crm, now: {"company_id": 999}),
    ("contact_id", lambda crm, now: {"contact_id": 999}),
    ("item_id", lambda crm, now: {"item_id": 999}),
    ("employee_id", lambda crm, now: {"company_id": crm.company_id, "employee_id": 999}),
    ("contact_id", lambda crm, now: {}),
    (
        "occurred_at",
        lambda crm, now: {"company_id": crm.company_id, "occurred_at": now + timedelta(minutes=6)},
    ),
    (
        "occurred_at",
        lambda crm, now: {"company_id": crm.company_id, "occurred_at": now.replace(tzinfo=None)},
    ),
    ("body", lambda crm, now: {"company_id": crm.company_id, "body": "x" * 20_001}),
]


@pytest.mark.parametrize(("field", "build"), BAD)
def test_bad_communications_name_the_field_and_store_nothing(
    uow: UnitOfWork,
    clock: FakeClock,
    crm: Crm,
    field: str,
    build: Callable[[Crm, datetime], dict[str, object]],
) -> None:
    with pytest.raises((NotFound, InvalidValue)) as error:
        log(uow, clock, **build(crm, clock()))
    assert error.value.field == field
    assert count(uow) == 0
    with uow:
        assert uow.events.where(type="CommunicationLogged") == []


def test_a_service_caller_may_name_the_kind_as_text_but_not_a_kind_that_does_not_exist(
    uow: UnitOfWork, clock: FakeClock, crm: Crm
) -> None:
    assert (
        log(uow, clock, kind="meeting", company_id=crm.company_id).kind is CommunicationKind.MEETING
    )
    with pytest.raises(InvalidValue) as error:
        log(uow, clock, kind="fax", company_id=crm.company_id)
    assert error.value.field == "kind"


def test_a_call_a_minute_ahead_of_the_server_clock_is_accepted(
    uow: UnitOfWork, clock: FakeClock, crm: Crm
) -> None:
    call = log(uow, clock, company_id=crm.company_id, occurred_at=clock() + timedelta(minutes=1))
    assert call.occurred_at == clock() + timedelta(minutes=1)


def test_deleting_a_company_keeps_its_contacts_log_and_drops_what_was_about_it_alone(
    uow: UnitOfWork, clock: FakeClock, crm: Crm
) -> None:
    with_contact = log(uow, clock, contact_id=crm.contact_id)
    log(uow, clock, company_id=crm.company_id)
    with pytest.raises(Conflict):
        clients.delete_company(uow, crm.company_id, actor=SYSTEM, now=clock())
    assert count(uow) == 2
    with uow:
        uow.items.delete(uow.items.get(crm.deal_id))
        uow.commit()
    clock.advance(hours=1)
    clients.delete_company(uow, crm.company_id, actor=SYSTEM, now=clock())
    with uow:
        remaining = uow.communications.where()
        contact = uow.contacts.get(crm.contact_id)
        deleted = uow.events.where(type="CompanyDeleted")[0]
        detached = uow.events.where(type="ContactChanged")
    assert [(c.id, c.company_id, c.contact_id) for c in remaining] == [
        (with_contact.id, None, crm.contact_id)
    ]
    assert contact.company_id is None and contact.updated_at == clock()
    assert deleted.payload["communications_deleted"] == 1
    assert deleted.payload["contacts_detached"] == [crm.contact_id]
    assert [e.entity_id for e in detached] == [crm.contact_id]
