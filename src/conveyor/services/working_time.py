"""An employee's working time: which hours, on which wall clock, under which calendar.

`working_time_for` is THE entry point for anything that counts an employee's
working time (deadlines, robot delays, the assignment engine): it decides once,
for everybody, that

- the hours are the employee's schedule (`Schedule.week`), or the company
  default (`DEFAULT_WEEK`: Monday-Friday 09:00-18:00, lunch 13:00-14:00) when
  the employee has none, read on the EMPLOYEE's timezone;
- the dates are the official holiday calendar of the schedule's country
  (`DEFAULT_COUNTRY` without a schedule) with every company override applied,
  or, for a rotation schedule (2/2 shifts), the rotation's on-days less the
  company's closures;
- the calendar covers the years from one before the moments asked about to
  two after, so that deadlines weeks or months ahead need no second look.

The official part of a calendar is static package data and is cached in
process per (country, first year, last year); the company's part is read from
the database on every call, so replicas never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TypeVar

from conveyor.domain.calendars import HolidayCalendar
from conveyor.domain.company_calendar import (
    CalendarYear,
    rotation_calendar,
    summarize_year,
    with_company_overrides,
)
from conveyor.domain.errors import CalendarNotCovered, InvalidValue, NaiveDatetime
from conveyor.domain.work_schedules import (
    DEFAULT_COUNTRY,
    DEFAULT_WEEK,
    CalendarOverride,
    Schedule,
    work_schedule,
)
from conveyor.domain.working_time import WorkingTime
from conveyor.storage.holiday_calendars import official_holiday_calendar
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "EmployeeWorkingTime",
    "WorkingState",
    "calendar_year",
    "check_country",
    "deadline",
    "official_calendar",
    "working_hours_between",
    "working_state",
    "working_time_for",
]

#: The years working time is answered for: the official data starts in 1991, and
#: a bound far ahead keeps every calculation finite.
FIRST_YEAR, LAST_YEAR = 1992, 2200
# How far around the moments asked about a calendar is built, in years.
_YEARS_BEFORE, _YEARS_AFTER = 1, 2

R = TypeVar("R")


@lru_cache(maxsize=64)
def official_calendar(country: str, first_year: int, last_year: int) -> HolidayCalendar:
    """The official calendar of `country` for the years given, built once per process.

    Raises `InvalidCalendar` (field "country") for a country without official data.
    """
    return official_holiday_calendar(country, first_year=first_year, last_year=last_year)


@dataclass(frozen=True, kw_only=True)
class EmployeeWorkingTime:
    """What an employee's working time is made of, read from the database once."""

    employee_id: int
    timezone: str
    schedule: Schedule | None
    overrides: tuple[CalendarOverride, ...]

    @property
    def schedule_id(self) -> int | None:
        return None if self.schedule is None else self.schedule.id

    def build(self, first_year: int, last_year: int) -> WorkingTime:
        """The working time with a calendar covering `first_year`..`last_year`."""
        week = DEFAULT_WEEK if self.schedule is None else self.schedule.week
        country = DEFAULT_COUNTRY if self.schedule is None else self.schedule.country
        rotation = None if self.schedule is None else self.schedule.cycle()
        if rotation is None:
            official = official_calendar(country, first_year, last_year)
            calendar = with_company_overrides(official, self.overrides)
        else:
            calendar = rotation_calendar(
                rotation,
                self.overrides,
                country=country,
                first_year=first_year,
                last_year=last_year,
            )
        return WorkingTime(work_schedule(week, self.timezone), calendar)

    def around(self, *moments: datetime) -> WorkingTime:
        """The working time with a calendar covering the years around `moments`."""
        return self.build(*_window(*moments))


def load(uow: UnitOfWork, employee_id: int, *, field: str | None = None) -> EmployeeWorkingTime:
    """Read an employee's timezone, schedule and the company's overrides.

    Call inside an open `with uow:`. Raises `NotFound` (naming `field` if given).
    """
    employee = uow.employees.get(employee_id, field=field)
    schedule = None if employee.schedule_id is None else uow.schedules.get(employee.schedule_id)
    return EmployeeWorkingTime(
        employee_id=employee_id,
        timezone=employee.timezone,
        schedule=schedule,
        overrides=tuple(uow.calendar_overrides.all()),
    )


def working_time_for(
    uow: UnitOfWork, employee_id: int, *, around: datetime, until: datetime | None = None
) -> WorkingTime:
    """The working time of an employee, for questions about moments near `around`.

    The one entry point for counting an employee's working time; see the module
    docstring for what it combines. The calendar covers the year before
    `around` to two years after it, or after `until` when that is later; asking
    outside those years raises `CalendarNotCovered` rather than guessing.

    Call it inside an open `with uow:` (it only reads). Raises `NotFound` for an
    unknown employee, `NaiveDatetime` for a naive `around`/`until` and
    `InvalidValue` for moments outside `FIRST_YEAR`..`LAST_YEAR`.
    """
    moments = [check_instant(around, field="around")]
    if until is not None:
        moments.append(check_instant(until, field="until"))
    return load(uow, employee_id).around(*moments)


@dataclass(frozen=True, kw_only=True)
class WorkingState:
    """Whether an employee is at work at a moment, and when work next starts."""

    employee_id: int
    at: datetime
    working: bool
    next_working_moment: datetime
    timezone: str
    schedule_id: int | None


def working_state(uow: UnitOfWork, employee_id: int, *, at: datetime) -> WorkingState:
    """Is the employee working `at`, and when is the next working moment."""
    check_instant(at, field="at")
    with uow:
        source = load(uow, employee_id)
    working = source.around(at)
    return WorkingState(
        employee_id=employee_id,
        at=at,
        working=_within_years(lambda: working.is_working(at), field="at"),
        next_working_moment=_within_years(lambda: working.next_working_moment(at), field="at"),
        timezone=source.timezone,
        schedule_id=source.schedule_id,
    )


def deadline(
    uow: UnitOfWork,
    employee_id: int,
    *,
    start: datetime,
    days: int | None = None,
    hours: float | None = None,
) -> datetime:
    """The moment `days` working days, or `hours` working hours, after `start`.

    Exactly one of `days` and `hours` must be given. The calendar grows as far
    as the amount needs, up to `LAST_YEAR`. See `WorkingTime.add_working_days`
    for how a person-style day deadline is set.
    """
    check_instant(start, field="start")
    if (days is None) == (hours is None):
        raise InvalidValue(
            "Give exactly one of days or hours", field="days" if days is None else "hours"
        )
    amount_field = "days" if days is not None else "hours"
    with uow:
        source = load(uow, employee_id)
    first, last = _window(start)
    while True:
        working = source.build(first, last)
        try:
            if days is not None:
                return working.add_working_days(start, days)
            assert hours is not None
            return working.add_working_hours(start, hours)
        except CalendarNotCovered:
            if last >= LAST_YEAR:
                raise InvalidValue(
                    f"The deadline falls after {LAST_YEAR}, beyond the years working time "
                    "is counted for",
                    field=amount_field,
                ) from None
            # Four times further each round: a few rounds reach any amount allowed.
            last = min(LAST_YEAR, start.year + 4 * (last - start.year))


def working_hours_between(
    uow: UnitOfWork, employee_id: int, *, start: datetime, end: datetime
) -> timedelta:
    """The employee's working time in [start, end); negative when `end` is earlier."""
    check_instant(start, field="from")
    check_instant(end, field="to")
    with uow:
        source = load(uow, employee_id)
    working = source.around(start, end)
    return _within_years(lambda: working.working_time_between(start, end), field="to")


def calendar_year(
    uow: UnitOfWork, *, year: int, country: str = DEFAULT_COUNTRY
) -> tuple[CalendarYear, list[CalendarOverride]]:
    """The effective production calendar of `year` (official plus the company's
    overrides) for `country`, with the overrides made for that year."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidValue(f"The year must be {FIRST_YEAR}-{LAST_YEAR}", field="year")
    official = official_calendar(check_country(country, year=year), *_window_years(year, year))
    with uow:
        overrides = uow.calendar_overrides.all()
    effective = with_company_overrides(official, overrides)
    return summarize_year(effective, year), [o for o in overrides if o.day.year == year]


def check_instant(moment: datetime, *, field: str) -> datetime:
    """Refuse a naive datetime or one outside `FIRST_YEAR`..`LAST_YEAR`, naming `field`."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetime(
            f"{field} must carry a timezone offset, e.g. 2026-03-02T09:00:00+03:00", field=field
        )
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise InvalidValue(
            f"{field} must be within the years {FIRST_YEAR}-{LAST_YEAR}", field=field
        )
    return moment


def check_country(country: str, *, year: int) -> str:
    """The country code upper-cased; refused (field "country") without official data."""
    code = country.strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise InvalidValue(
            f"A country is a two-letter code such as 'RU', got {country[:20]!r}", field="country"
        )
    official_calendar(code, year, year)  # raises InvalidCalendar for unknown ones
    return code


def _window(*moments: datetime) -> tuple[int, int]:
    years = [m.year for m in moments]
    return _window_years(min(years), max(years))


def _window_years(first: int, last: int) -> tuple[int, int]:
    return max(FIRST_YEAR - 1, first - _YEARS_BEFORE), min(LAST_YEAR, last + _YEARS_AFTER)


def _within_years(compute: Callable[[], R], *, field: str) -> R:
    try:
        return compute()
    except CalendarNotCovered:
        raise InvalidValue(
            f"The answer falls after {LAST_YEAR}, beyond the years working time is counted for",
            field=field,
        ) from None
