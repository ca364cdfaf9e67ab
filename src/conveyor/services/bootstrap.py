"""The first admin of an empty installation."""

from __future__ import annotations

from datetime import datetime

from conveyor.domain.actors import SYSTEM
from conveyor.domain.employees import Employee
from conveyor.domain.tokens import Role
from conveyor.services import org, tokens
from conveyor.storage.unit_of_work import UnitOfWork


def create_admin(
    uow: UnitOfWork, *, name: str, email: str | None = None, now: datetime
) -> tuple[Employee, str]:
    """An admin employee and their token secret (shown once)."""
    employee, _ = org.create_employee(
        uow,
        org.CreateEmployee(name=name, email=email, position="Administrator"),
        actor=SYSTEM,
        now=now,
    )
    assert employee.id is not None
    _, secret = tokens.issue_token(
        uow, employee_id=employee.id, role=Role.ADMIN, name="admin", actor=SYSTEM, now=now
    )
    return employee, secret
