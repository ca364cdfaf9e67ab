"""Day status: the time clock of each employee (open, pause, resume, close a working day)."""

from __future__ import annotations

from datetime import date, datetime

from conveyor.domain.actors import Actor
from conveyor.domain.errors import Conflict
from conveyor.domain.pages import Page
from conveyor.domain.workdays import (
    DayAction,
    DayState,
    Workday,
    WorkdayEntry,
    check_may_clock,
    check_may_see_day,
    day_to_act_on,
    local_day,
)
from conveyor.services.assignment_queue import retry_after_day_change
from conveyor.storage.unit_of_work import UnitOfWork


def change_workday(
    uow: UnitOfWork, employee_id: int, action: DayAction, *, actor: Actor, now: datetime
) -> Workday:
    """Apply a time-clock ``action`` and return the working day it changed.

    The day is the employee's local date at ``now``, except that a day still running (even
    from yesterday) is the one acted on; see ``day_to_act_on``. Each change writes a history
    entry and a ``WorkdayChanged`` event in the same transaction.
    """
    check_may_clock(actor, employee_id)
    with uow:
        # Locking the employee row makes two clicks of one employee take turns.
        employee = uow.employees.get(employee_id, for_update=True)
        if action is DayAction.OPEN and not employee.is_active:
            raise Conflict(
                f"Employee {employee_id} is dismissed and cannot open a working day",
                field="action",
            )
        today = local_day(now, employee.timezone)
        day = day_to_act_on(action, today=today, unclosed=uow.workdays.unclosed(employee_id))
        workday = uow.workdays.of(employee_id, day) or Workday(employee_id=employee_id, day=day)
        event = workday.apply(action, now=now)
        if workday.id is None:
            uow.workdays.add(workday)
        assert workday.state is not None
        uow.workdays.record(
            WorkdayEntry(
                employee_id=employee_id, day=day, action=action, state=workday.state, at=now
            )
        )
        uow.emit(event)
        uow.flush()
        retry_after_day_change(uow, now=now)
        uow.commit()
    return workday


def current_workday(uow: UnitOfWork, employee_id: int, *, now: datetime, actor: Actor) -> Workday:
    """The day still running, else today's (local date); a day never opened has no state.

    The returned object is not stored when no day was opened (its ``id`` is ``None``).
    An external partner may read only their own (``Forbidden`` otherwise).
    """
    check_may_see_day(actor, employee_id)
    with uow:
        employee = uow.employees.get(employee_id)
        running = uow.workdays.unclosed(employee_id)
        if running is not None:
            return running
        today = local_day(now, employee.timezone)
        return uow.workdays.of(employee_id, today) or Workday(employee_id=employee_id, day=today)


def workday_history(
    uow: UnitOfWork, employee_id: int, *, limit: int, actor: Actor
) -> list[WorkdayEntry]:
    """The employee's time-clock entries, newest first; an external partner reads only
    their own (``Forbidden`` otherwise)."""
    check_may_see_day(actor, employee_id)
    with uow:
        uow.employees.get(employee_id)
        return uow.workdays.history(employee_id, limit=limit)


def list_workdays(
    uow: UnitOfWork,
    *,
    day: date,
    state: DayState | None,
    limit: int,
    offset: int,
    actor: Actor,
) -> Page[Workday]:
    """Everyone's working day on the local date ``day``, by employee; employees who did not
    open that day have no working day and are not listed. An external partner sees only
    their own."""
    own = actor.employee_id if actor.is_external else None
    with uow:
        return uow.workdays.page_on(day, state=state, limit=limit, offset=offset, employee_id=own)
