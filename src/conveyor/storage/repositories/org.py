"""Repositories of the org structure."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from conveyor.domain.departments import Department
from conveyor.domain.employees import Employee
from conveyor.domain.pages import Page
from conveyor.domain.tokens import ApiToken, Role
from conveyor.domain.workdays import Workday, WorkdayEntry
from conveyor.storage.repositories.base import Repository
from conveyor.storage.tables.org import (
    api_tokens,
    departments,
    employees,
    memberships,
    workday_entries,
    workdays,
)


class EmployeeRepository(Repository[Employee]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Employee, "employee")

    def department_ids(self, employee_id: int) -> list[int]:
        query = select(memberships.c.department_id).where(memberships.c.employee_id == employee_id)
        return sorted(self.session.scalars(query))

    def in_departments(self, department_ids: set[int]) -> list[Employee]:
        members = select(memberships.c.employee_id).where(
            memberships.c.department_id.in_(department_ids)
        )
        query = select(Employee).where(employees.c.id.in_(members)).order_by(employees.c.id)
        return list(self.session.scalars(query))

    def page_in(
        self, *, limit: int, offset: int, filters: dict[str, Any], department_id: int | None
    ) -> Page[Employee]:
        """A page of employees, optionally only the members of one department."""
        conditions = []
        if department_id is not None:
            members = select(memberships.c.employee_id).where(
                memberships.c.department_id == department_id
            )
            conditions.append(employees.c.id.in_(members))
        return self.page(limit=limit, offset=offset, filters=filters, conditions=conditions)

    def with_email(self, email: str) -> Employee | None:
        """The employee with ``email`` in any letter case: the one spelt exactly so when two
        differ only in case, else the first."""
        query = (
            select(Employee)
            .where(func.lower(employees.c.email) == func.lower(email))
            .order_by((employees.c.email == email).desc(), employees.c.id)
        )
        return self.session.scalars(query).first()


class DepartmentRepository(Repository[Department]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Department, "department")

    def parents(self) -> dict[int, int | None]:
        """Every department id with its parent id: the whole tree in one query."""
        rows = self.session.execute(select(departments.c.id, departments.c.parent_id))
        return {row.id: row.parent_id for row in rows}


class TokenRepository(Repository[ApiToken]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, ApiToken, "token")

    def by_hash(self, token_hash: str) -> ApiToken | None:
        query = select(ApiToken).where(api_tokens.c.token_hash == token_hash)
        return self.session.scalars(query).first()

    def roles_of(self, employee_id: int) -> set[Role]:
        """The roles the employee acts in: those of their tokens not revoked."""
        query = select(api_tokens.c.role).where(
            api_tokens.c.employee_id == employee_id, api_tokens.c.revoked_at.is_(None)
        )
        return {Role(role) for role in self.session.scalars(query)}

    def purge_ended_sessions(self, *, name: str, before: datetime) -> int:
        """Delete the web sessions (expiring tokens named ``name``; an API token never
        expires) that expired or were revoked before ``before``; how many went."""
        c = api_tokens.c
        ended = (c.expires_at < before) | (c.revoked_at < before)
        session = (c.name == name) & c.expires_at.is_not(None)
        result = self.session.execute(delete(api_tokens).where(session, ended))
        return int(result.rowcount)  # type: ignore[attr-defined]


class WorkdayRepository(Repository[Workday]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Workday, "working day")

    def of(self, employee_id: int, day: date) -> Workday | None:
        query = select(Workday).where(workdays.c.employee_id == employee_id, workdays.c.day == day)
        return self.session.scalars(query).first()

    def record(self, entry: WorkdayEntry) -> None:
        self.session.add(entry)

    def history(self, employee_id: int, *, limit: int = 200) -> list[WorkdayEntry]:
        query = (
            select(WorkdayEntry)
            .where(workday_entries.c.employee_id == employee_id)
            .order_by(workday_entries.c.at.desc(), workday_entries.c.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(query))
