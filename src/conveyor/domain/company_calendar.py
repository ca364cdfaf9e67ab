"""The calendar a company works by: the official one with the company's own decisions.

Pure functions over `HolidayCalendar`; where the official calendar comes from
(the `holidays` package) is storage's business, and which one an employee gets
is the working-time service's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from conveyor.domain.calendars import HolidayCalendar
from conveyor.domain.errors import InvalidValue
from conveyor.domain.schedules import WorkSchedule
from conveyor.domain.work_schedules import CalendarOverride, OverrideKind, Rotation
from conveyor.domain.working_time import WorkingTime

__all__ = ["CalendarYear", "rotation_calendar", "summarize_year", "with_company_overrides"]

#: The weekly hours the official hours norm is quoted for.
NORM_WEEK = WorkSchedule.five_day_week("UTC")


def with_company_overrides(
    official: HolidayCalendar, overrides: Iterable[CalendarOverride]
) -> HolidayCalendar:
    """`official` with every override within its years applied.

    A `day_off` closes the date; a `working_day` opens it for a full day; a
    `short_day` opens it one hour shorter, even on a public holiday or a weekend
    (the company decided to work that date, so it is a working day first).
    """
    by_kind: dict[OverrideKind, list[date]] = {kind: [] for kind in OverrideKind}
    for override in overrides:
        if official.covers(override.day):
            by_kind[override.kind].append(override.day)
    if not any(by_kind.values()):
        return official
    short = by_kind[OverrideKind.SHORT_DAY]
    return official.with_overrides(
        name=f"{official.name} with company overrides",
        days_off=by_kind[OverrideKind.DAY_OFF],
        working_days=by_kind[OverrideKind.WORKING_DAY] + short,
        short_days=short,
    )


def rotation_calendar(
    rotation: Rotation,
    overrides: Iterable[CalendarOverride],
    *,
    country: str | None,
    first_year: int,
    last_year: int,
) -> HolidayCalendar:
    """The calendar of shift work: the rotation's days off and the company's closures.

    No weekend and no public holidays: shift staff work their roster on any date.
    Of the company's overrides only `day_off` applies (the company is closed);
    `working_day` and `short_day` adjust the office calendar, not a roster.
    """
    first, last = date(first_year, 1, 1), date(last_year, 12, 31)
    closures = {
        o.day for o in overrides if o.kind is OverrideKind.DAY_OFF and first <= o.day <= last
    }
    return HolidayCalendar(
        name=f"rotation {rotation.on}/{rotation.off} from {rotation.start.isoformat()}",
        country=country,
        weekend=frozenset(),
        extra_days_off=rotation.off_days(first, last) | closures,
        first_year=first_year,
        last_year=last_year,
    )


@dataclass(frozen=True, kw_only=True)
class CalendarYear:
    """One year of a calendar as a production calendar shows it; dates sorted."""

    year: int
    country: str | None
    #: Non-working public holidays still off after the company's overrides.
    holidays: tuple[date, ...]
    #: Other days off on weekdays and holidays: transfers, observed holidays, closures.
    extra_days_off: tuple[date, ...]
    #: Every date that is not a working day, weekends included.
    days_off: tuple[date, ...]
    working_weekends: tuple[date, ...]
    short_days: tuple[date, ...]
    working_days: int
    #: The norm of working hours for a 40-hour five-day week (8 h a day, 7 on short days).
    hours_40h_week: int


def summarize_year(calendar: HolidayCalendar, year: int) -> CalendarYear:
    """The production calendar of `year`; the calendar must cover that year."""
    if not calendar.covers(date(year, 1, 1)):
        raise InvalidValue(f"The calendar does not cover {year}", field="year")
    first = date(year, 1, 1)
    days = [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]
    week_norm = WorkingTime(NORM_WEEK, calendar)
    hours = week_norm.working_time_between(
        datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    )

    def within(dates: Iterable[date]) -> tuple[date, ...]:
        return tuple(sorted(d for d in dates if d.year == year))

    return CalendarYear(
        year=year,
        country=calendar.country,
        holidays=within(calendar.holidays),
        extra_days_off=within(calendar.extra_days_off - calendar.holidays),
        days_off=tuple(d for d in days if calendar.is_day_off(d)),
        working_weekends=within(calendar.working_weekends),
        short_days=within(calendar.short_days),
        working_days=sum(calendar.is_working_day(d) for d in days),
        hours_40h_week=round(hours / timedelta(hours=1)),
    )
