"""Per-employee task counters ("in work 5, overdue 1, to accept 2")."""

from __future__ import annotations

from datetime import datetime

from conveyor.domain.actors import Actor
from conveyor.domain.errors import Forbidden
from conveyor.domain.task_counters import TaskCounters, counting_period
from conveyor.domain.tokens import Role
from conveyor.storage.unit_of_work import UnitOfWork


def task_counters(
    uow: UnitOfWork,
    employee_id: int,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    actor: Actor,
    now: datetime,
) -> TaskCounters:
    """The employee's counters at ``now``; "completed" counts ``[start, end)``, by default
    the current month in the employee's timezone.

    Employees see their own counters; heads and admins anyone's. Each counter is one
    ``count(*)`` answered from an index, so a board of many employees stays cheap.
    """
    if actor.role is Role.EMPLOYEE and actor.employee_id != employee_id:
        raise Forbidden("An employee sees only their own task counters")
    with uow:
        employee = uow.employees.get(employee_id)
        start, end = counting_period(now, employee.timezone, start, end)
        counts = uow.tasks.counters(employee_id, now=now, start=start, end=end)
    return TaskCounters(employee_id=employee_id, period_from=start, period_to=end, **counts)
