"""Repositories of work schedules and company calendar overrides."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conveyor.domain.employees import EmployeeStatus
from conveyor.domain.pages import Page
from conveyor.domain.work_schedules import CalendarOverride, Schedule
from conveyor.storage.repositories.base import Repository
from conveyor.storage.tables.org import calendar_overrides, employees, schedules


class ScheduleRepository(Repository[Schedule]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Schedule, "schedule")

    def named(self, name: str) -> Schedule | None:
        """The schedule called exactly `name`, if any (names are unique)."""
        return self.session.scalars(select(Schedule).where(schedules.c.name == name)).first()

    def active_users(self, schedule_id: int) -> int:
        """How many active employees follow the schedule."""
        query = select(func.count()).where(
            employees.c.schedule_id == schedule_id,
            employees.c.status == EmployeeStatus.ACTIVE,
        )
        return self.session.scalar(query) or 0


class CalendarOverrideRepository(Repository[CalendarOverride]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, CalendarOverride, "calendar override")

    def on(self, day: date) -> CalendarOverride | None:
        """The override of `day`, if the company made one (at most one per date)."""
        query = select(CalendarOverride).where(calendar_overrides.c.day == day)
        return self.session.scalars(query).first()

    def all(self) -> list[CalendarOverride]:
        """Every override, by date: a company makes a handful a year."""
        query = select(CalendarOverride).order_by(calendar_overrides.c.day)
        return list(self.session.scalars(query))

    def page_between(
        self, *, limit: int, offset: int, first: date | None, last: date | None
    ) -> Page[CalendarOverride]:
        """A page of overrides by date, optionally only from `first` to `last` inclusive."""
        conditions = []
        if first is not None:
            conditions.append(calendar_overrides.c.day >= first)
        if last is not None:
            conditions.append(calendar_overrides.c.day <= last)
        return self.page(
            limit=limit, offset=offset, conditions=conditions, order_by=[calendar_overrides.c.day]
        )
