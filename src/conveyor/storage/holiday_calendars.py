"""Official holiday calendars built from the `holidays` package.

The only module that imports `holidays`. What the package gives for Russia,
checked against the official production calendars for 2025 and 2026 in
tests/unit/test_holiday_calendar_ru.py:

- public holidays (art. 112 of the Labour Code), each on its own date;
- days off transferred by the Government's decrees, as holidays named
  "Day off (substituted from <date>)"; when the date given up is a weekend,
  it lands in `weekend_workdays` (a working Saturday or Sunday);
- a holiday that falls on a weekend and moves to the next weekday by
  art. 112 itself, only when `observed=True`, named "<holiday> (observed)".

It has no pre-holiday short days at all, and no "workday" category for RU.
Short days are derived here by art. 95, plus the decrees' exceptions below.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import holidays

from conveyor.domain.calendars import SATURDAY_SUNDAY, HolidayCalendar, pre_holiday_short_days
from conveyor.domain.errors import InvalidCalendar

__all__ = ["SHORT_DAY_EXCEPTIONS", "official_holiday_calendar"]

#: Short days that art. 95 alone does not give, per country.
SHORT_DAY_EXCEPTIONS: dict[str, frozenset[date]] = {
    "RU": frozenset(
        {
            # Saturday 2024-11-02 is a working day by the 2024 transfer decree (its day
            # off moved to 2024-04-30) and the 2024 production calendar lists it as one
            # hour shorter before Unity Day on Monday 2024-11-04, as the press reported
            # at the time. The other working Saturdays of 2024 (04-27, 12-28) are full
            # days, which is what the rule gives. Not in the repo's reference file.
            date(2024, 11, 2),
            # Saturday 2025-11-01 is a working day by Government decree No. 1335 of
            # 2024-10-04 (its day off moved to Monday 2025-11-03), and the official
            # 2025 production calendar of the Ministry of Labour lists it as one hour
            # shorter before Unity Day, although a Sunday and the transferred day
            # off stand between it and the holiday.
            date(2025, 11, 1),
        }
    ),
}

# Art. 95 is Russian law; other countries get no derived short days.
_PRE_HOLIDAY_RULE_COUNTRIES = frozenset({"RU"})


def official_holiday_calendar(
    country: str = "RU", *, first_year: int, last_year: int
) -> HolidayCalendar:
    """The public calendar of `country` for the years `first_year`..`last_year`.

    The calendar covers exactly those years, so working-time arithmetic refuses
    dates outside them instead of silently treating them as ordinary weeks.
    Years far ahead are the package's best knowledge: transfers appear only once
    the Government's decree for that year is published (each autumn) and the
    package is updated. Raises `InvalidCalendar` for a country it does not know
    or a reversed range.
    """
    country = country.upper()
    if first_year > last_year:
        raise InvalidCalendar(
            f"The first year {first_year} is after the last year {last_year}", field="years"
        )
    # One year more: whether December 31 is a short day depends on January 1.
    years = range(first_year, last_year + 2)
    with_observed = _country_holidays(country, years, observed=True)
    as_declared = _country_holidays(country, years, observed=False)

    public = frozenset(
        day
        for day in as_declared
        if not all(_is_substituted(as_declared, name) for name in as_declared.get_list(day))
    )
    days_off = frozenset(with_observed)
    # Older releases also listed a weekend *holiday* whose day off was moved
    # (2025-01-04) as a working weekend; a day off is never a working day.
    working_weekends = frozenset(with_observed.weekend_workdays) - days_off
    weekend = frozenset(with_observed.weekend) or SATURDAY_SUNDAY

    def is_working_day(day: date) -> bool:
        if day in days_off:
            return False
        return day.weekday() not in weekend or day in working_weekends

    short_days: frozenset[date] = SHORT_DAY_EXCEPTIONS.get(country, frozenset())
    if country in _PRE_HOLIDAY_RULE_COUNTRIES:
        short_days |= pre_holiday_short_days(holidays=public, is_working_day=is_working_day)

    def within(days: Iterable[date]) -> frozenset[date]:
        return frozenset(d for d in days if first_year <= d.year <= last_year)

    span = str(first_year) if first_year == last_year else f"{first_year}-{last_year}"
    return HolidayCalendar(
        name=f"{country} official {span}",
        country=country,
        weekend=weekend,
        holidays=within(public),
        extra_days_off=within(days_off - public),
        working_weekends=within(working_weekends),
        short_days=within(short_days),
        first_year=first_year,
        last_year=last_year,
    )


def _country_holidays(country: str, years: range, *, observed: bool) -> Any:
    # `Any`: the package's classes are only partly typed, and what this module
    # uses of them (`get_list`, `weekend`, `weekend_workdays`, `tr`) is stable
    # public API since 0.5x.
    try:
        return holidays.country_holidays(country, years=years, observed=observed)
    except NotImplementedError:
        raise InvalidCalendar(
            f"No official holiday data for country {country!r}", field="country"
        ) from None


def _is_substituted(calendar: Any, name: str) -> bool:
    """Whether a holiday name is the package's label for a transferred day off."""
    label = getattr(calendar, "substituted_label", None)
    if not getattr(calendar, "has_substituted_holidays", False) or not label:
        return False
    prefix = str(calendar.tr(label)).split("%s", 1)[0]
    return bool(prefix) and name.startswith(prefix)
