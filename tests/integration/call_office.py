"""A sales office for call distribution tests: a head, the *Managers* list and a client base."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.clients import Company
from conveyor.domain.tokens import Role
from conveyor.services import call_distributions, list_elements, lists, org
from conveyor.services.absences import RegisterAbsence, register_absence
from conveyor.storage.unit_of_work import UnitOfWork

#: Monday 2 March 2026, 09:00 in Moscow.
MONDAY_9_MSK = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
DEFINED_AT = MONDAY_9_MSK - timedelta(days=1)


@dataclass
class Office:
    uow: UnitOfWork
    head: Actor
    managers_list_id: int
    #: Manager name -> employee id, in the list's order.
    managers: dict[str, int] = field(default_factory=dict)
    company_ids: list[int] = field(default_factory=list)

    def hire(self, name: str, *, timezone: str = "Europe/Moscow", listed: bool = True) -> int:
        employee, _ = org.create_employee(
            self.uow, org.CreateEmployee(name=name, timezone=timezone), actor=SYSTEM, now=_now()
        )
        assert employee.id is not None
        if listed:
            self.list_manager(name, employee.id)
        return employee.id

    def list_manager(self, name: str, employee_id: int, status: str = "active") -> int:
        element = list_elements.add_element(
            self.uow,
            self.managers_list_id,
            list_elements.AddElement(name=name, values={"employee": employee_id, "status": status}),
            actor=SYSTEM,
            now=_now(),
        )
        self.managers[name] = employee_id
        assert element.id is not None
        return element.id

    def away(
        self, name: str, first: date, last: date, kind: AbsenceKind = AbsenceKind.VACATION
    ) -> None:
        register_absence(
            self.uow,
            RegisterAbsence(
                employee_id=self.managers[name], kind=kind, starts_on=first, ends_on=last
            ),
            actor=SYSTEM,
            now=_now(),
        )

    def add_companies(self, count: int, *, responsible_id: int | None = None) -> list[int]:
        """``count`` companies named "Company 001"... in one transaction, ids ascending."""
        start = len(self.company_ids)
        with self.uow:
            added = [
                self.uow.companies.add(
                    Company(
                        name=f"Company {start + n + 1:03d}",
                        responsible_id=responsible_id,
                        created_at=_now(),
                        updated_at=_now(),
                    )
                )
                for n in range(count)
            ]
            self.uow.commit()
        ids = [c.id for c in added if c.id is not None]
        self.company_ids += ids
        return ids

    def distribution(self, now: datetime = DEFINED_AT, **fields: Any) -> int:
        """A distribution defined the Sunday before ``MONDAY_9_MSK`` (by default Mondays
        09:00 Moscow, the managers whose status is active)."""
        spec = call_distributions.DistributionSpec(
            name=str(fields.pop("name", "Monday calls")),
            managers_list_id=self.managers_list_id,
            managers_where=fields.pop("managers_where", {"status": "active"}),
            **fields,
        )
        created = call_distributions.create_distribution(self.uow, spec, actor=self.head, now=now)
        assert created.id is not None
        return created.id

    def calls(self) -> list[tuple[int, int]]:
        """(company id, responsible id) of every call task, by task id."""
        with self.uow:
            return [
                (t.company_id, t.responsible_id)
                for t in self.uow.tasks.where()
                if t.company_id is not None
            ]


def open_office(uow: UnitOfWork) -> Office:
    head, _ = org.create_employee(
        uow, org.CreateEmployee(name="Helena Head"), actor=SYSTEM, now=_now()
    )
    assert head.id is not None
    examples = {e.code: e for e in lists.seed_example_lists(uow, actor=SYSTEM, now=_now())}
    managers = examples["managers"]
    assert managers.id is not None
    return Office(
        uow=uow, head=Actor(employee_id=head.id, role=Role.HEAD), managers_list_id=managers.id
    )


def _now() -> datetime:
    # Everything in the office exists a week before the first Monday of the stories.
    return datetime(2026, 2, 23, 6, 0, tzinfo=UTC)
