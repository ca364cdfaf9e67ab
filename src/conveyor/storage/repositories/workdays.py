"""The time clock: working days and their entries, with the queries day status needs."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from conveyor.domain.pages import Page
from conveyor.domain.workdays import UNCLOSED, DayState, Workday, WorkdayEntry
from conveyor.storage.repositories.org import WorkdayRepository
from conveyor.storage.tables.org import workday_entries, workdays


class TimeClockRepository(WorkdayRepository):
    """``WorkdayRepository`` (``of``, ``record``, ``history``) plus the running day, the
    entry in force at a moment and everyone's days on a date."""

    def unclosed(self, employee_id: int) -> Workday | None:
        """The employee's working day still open or paused, the latest if (wrongly) several."""
        query = (
            select(Workday)
            .where(workdays.c.employee_id == employee_id, workdays.c.state.in_(UNCLOSED))
            .order_by(workdays.c.day.desc())
            .limit(1)
        )
        return self.session.scalars(query).first()

    def last_entry(self, employee_id: int, *, at: datetime) -> WorkdayEntry | None:
        """The employee's latest time-clock entry at or before ``at``."""
        query = (
            select(WorkdayEntry)
            .where(workday_entries.c.employee_id == employee_id, workday_entries.c.at <= at)
            .order_by(workday_entries.c.at.desc(), workday_entries.c.id.desc())
            .limit(1)
        )
        return self.session.scalars(query).first()

    def page_on(
        self,
        day: date,
        *,
        state: DayState | None,
        limit: int,
        offset: int,
        employee_id: int | None = None,
    ) -> Page[Workday]:
        """The working days on the local date ``day``, by employee, optionally in one state
        and of one employee."""
        return self.page(
            limit=limit,
            offset=offset,
            filters={"day": day, "state": state, "employee_id": employee_id},
            order_by=[workdays.c.employee_id],
        )
