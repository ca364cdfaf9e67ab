"""The demo agency's clients: companies with contacts, their calls and emails, and lists."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.communications import CommunicationKind, Direction
from conveyor.domain.tokens import Role
from conveyor.services import clients, communications, list_elements, lists
from conveyor.services.demo import company
from conveyor.services.demo.org import DemoOrg
from conveyor.storage.unit_of_work import UnitOfWork

FIRST_NAMES = ["Андрей", "Марина", "Олег", "Ирина", "Пётр", "Галина", "Виктор", "Оксана"]
LAST_NAMES = ["Громов", "Белова", "Зайцев", "Кравец", "Лукин", "Маслова", "Никитин", "Орлова"]


def seed_clients(
    uow: UnitOfWork, people: DemoOrg, *, now: datetime, rng: random.Random
) -> list[int]:
    """Companies, each with one or two contacts and a history of communications."""
    company_ids = []
    managers = people.staff("Sales")
    for name in company.COMPANIES:
        manager = rng.choice(managers)
        actor = Actor(employee_id=manager, role=Role.EMPLOYEE)
        created = now - timedelta(days=rng.randint(60, 400))
        firm = clients.create_company(
            uow, clients.CreateCompany(name=name, responsible_id=manager), actor=actor, now=created
        )
        assert firm.id is not None
        company_ids.append(firm.id)
        for _ in range(rng.randint(1, 2)):
            person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            contact = clients.create_contact(
                uow,
                clients.CreateContact(
                    name=person,
                    phone=_phone(rng),
                    company_id=firm.id,
                    responsible_id=manager,
                ),
                actor=actor,
                now=created,
            )
            # Some clients were last heard from long ago: the 90-day control will find them.
            quiet_for = rng.choice([1, 3, 10, 35, 95, 120])
            for _ in range(rng.randint(1, 4)):
                communications.log_communication(
                    uow,
                    communications.LogCommunication(
                        kind=rng.choice(list(CommunicationKind)),
                        direction=rng.choice([Direction.INCOMING, Direction.OUTGOING]),
                        occurred_at=now - timedelta(days=quiet_for + rng.randint(0, 60)),
                        subject="Project discussion",
                        contact_id=contact.id,
                    ),
                    actor=actor,
                    now=now,
                )
    return company_ids


def seed_lists(uow: UnitOfWork, people: DemoOrg, company_ids: list[int], *, now: datetime) -> None:
    """ "Managers" holds the sales staff; "Companies to call" every client company."""
    by_code = {
        example.code: example for example in lists.seed_example_lists(uow, actor=SYSTEM, now=now)
    }
    managers, to_call = by_code["managers"], by_code["companies_to_call"]
    assert managers.id is not None and to_call.id is not None
    with uow:
        names = {e.id: e.name for e in uow.employees.where()}
        firms = {c.id: c.name for c in uow.companies.where()}
    for employee_id in people.staff("Sales"):
        list_elements.add_element(
            uow,
            managers.id,
            list_elements.AddElement(
                name=names[employee_id], values={"employee": employee_id, "status": "active"}
            ),
            actor=SYSTEM,
            now=now,
        )
    for company_id in company_ids:
        list_elements.add_element(
            uow,
            to_call.id,
            list_elements.AddElement(
                name=firms[company_id], values={"reason": "Regular check-in", "called": False}
            ),
            actor=SYSTEM,
            now=now,
        )


def _phone(rng: random.Random) -> str:
    digits = [rng.randint(10, 99), rng.randint(100, 999), rng.randint(10, 99), rng.randint(10, 99)]
    return "+7 9{} {}-{}-{}".format(*digits)
