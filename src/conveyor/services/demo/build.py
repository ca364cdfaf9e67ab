"""Build the whole demo company in an empty database."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from conveyor.domain.actors import SYSTEM
from conveyor.domain.errors import Conflict
from conveyor.domain.tokens import Role
from conveyor.services import logins, org
from conveyor.services.bootstrap import create_admin
from conveyor.services.demo.clients import seed_clients, seed_lists
from conveyor.services.demo.crm import seed_deals, seed_pipelines, seed_rules
from conveyor.services.demo.org import seed_org
from conveyor.services.demo.tasks import seed_tasks
from conveyor.services.tasks import CreateTask, create_task
from conveyor.storage.unit_of_work import UnitOfWork

#: The password of the demo's web logins (printed by ``conveyor demo``).
DEMO_PASSWORD = "conveyor-demo"


@dataclass(frozen=True, kw_only=True)
class DemoLogin:
    name: str
    email: str
    role: Role


@dataclass(frozen=True, kw_only=True)
class DemoSummary:
    admin_token: str
    departments: int
    employees: int
    external: int
    tasks: int
    deals: int
    companies: int
    #: Who can sign in to the web pages with ``DEMO_PASSWORD``: the admin, the head of
    #: Design and a designer.
    logins: tuple[DemoLogin, ...] = ()


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
    admin, token = create_admin(uow, name="Demo Admin", email="admin@agency.example", now=now)
    assert admin.id is not None
    _admins_first_task(uow, admin.id, people.heads["Design"], now=now)
    who = [(admin.id, Role.ADMIN), (people.heads["Design"], Role.HEAD)]
    who.append((people.staff("Design")[0], Role.EMPLOYEE))
    return DemoSummary(
        admin_token=token,
        departments=len(people.department_ids),
        employees=people.employee_count + 1,
        external=len(people.partners),
        tasks=tasks,
        deals=len(crm.deal_ids),
        companies=len(company_ids),
        logins=tuple(_login(uow, employee_id, role, now) for employee_id, role in who),
    )


def _admins_first_task(uow: UnitOfWork, admin_id: int, head_id: int, *, now: datetime) -> None:
    """Something for the admin's own My work: the head of Design asks for a web login for a
    new designer, and will accept the work when it is done."""
    create_task(
        uow,
        CreateTask(
            title="Give the new designer a web login",
            description="PUT /employees/{id}/login with the employee role, on their first day.",
            responsible_id=admin_id,
            creator_id=head_id,
            deadline=now + timedelta(days=2),
            requires_acceptance=True,
        ),
        actor=SYSTEM,
        now=now,
    )


def _login(uow: UnitOfWork, employee_id: int, role: Role, now: datetime) -> DemoLogin:
    logins.set_login(uow, employee_id, role=role, password=DEMO_PASSWORD, actor=SYSTEM, now=now)
    employee, _ = org.get_employee(uow, employee_id)
    assert employee.email is not None
    return DemoLogin(name=employee.name, email=employee.email, role=role)
