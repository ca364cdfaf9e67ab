"""Build the whole demo company in an empty database."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from conveyor.domain.errors import Conflict
from conveyor.services.bootstrap import create_admin
from conveyor.services.demo.clients import seed_clients, seed_lists
from conveyor.services.demo.crm import seed_deals, seed_pipelines, seed_rules
from conveyor.services.demo.org import seed_org
from conveyor.services.demo.tasks import seed_tasks
from conveyor.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class DemoSummary:
    admin_token: str
    departments: int
    employees: int
    external: int
    tasks: int
    deals: int
    companies: int


def build_demo(uow: UnitOfWork, *, now: datetime, seed: int = 2026) -> DemoSummary:
    """Create the agency through the ordinary services; refuses a database that has people."""
    with uow:
        if uow.employees.page(limit=1, offset=0).total:
            raise Conflict("The demo needs an empty database; this one already has employees")
    rng = random.Random(seed)
    people = seed_org(uow, now=now, rng=rng)
    company_ids = seed_clients(uow, people, now=now, rng=rng)
    seed_lists(uow, people, company_ids, now=now)
    crm = seed_pipelines(uow, now=now)
    seed_rules(uow, crm, people, now=now)
    seed_deals(uow, crm, people, now=now, rng=rng, company_ids=company_ids)
    tasks = seed_tasks(uow, people, now=now, rng=rng, item_ids=crm.deal_ids)
    _, token = create_admin(uow, name="Demo Admin", email="admin@agency.example", now=now)
    return DemoSummary(
        admin_token=token,
        departments=len(people.department_ids),
        employees=people.employee_count + 1,
        external=len(people.partners),
        tasks=tasks,
        deals=len(crm.deal_ids),
        companies=len(company_ids),
    )
