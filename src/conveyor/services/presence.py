"""Presence: whether an employee is available at a moment, with the reasons."""

from __future__ import annotations

from datetime import datetime

from conveyor.domain.actors import Actor
from conveyor.domain.presence import Presence, decide_presence
from conveyor.domain.workdays import check_may_see_day, local_day
from conveyor.storage.unit_of_work import UnitOfWork


def presence_of(uow: UnitOfWork, employee_id: int, *, at: datetime, actor: Actor) -> Presence:
    """Is the employee present at ``at`` (timezone-aware)? See ``decide_presence``.
    An external partner may ask only about themselves (``Forbidden`` otherwise)."""
    check_may_see_day(actor, employee_id)
    with uow:
        employee = uow.employees.get(employee_id)
        day = local_day(at, employee.timezone)
        return decide_presence(
            employee,
            at=at,
            absences=uow.absences.of_employee_between(employee_id, day, day),
            last_entry=uow.workdays.last_entry(employee_id, at=at),
        )
