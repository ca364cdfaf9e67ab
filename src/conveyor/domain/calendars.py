"""Holiday calendars: which dates are days off, working weekends and short days.

A calendar knows nothing about hours; it answers per date. A work schedule says
which hours of a working day are worked (`conveyor.domain.schedules`), and
`conveyor.domain.working_time` combines the two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from conveyor.domain.errors import InvalidCalendar

__all__ = ["SATURDAY_SUNDAY", "HolidayCalendar", "pre_holiday_short_days"]

#: The weekend rule of a five-day week, as `date.weekday()` numbers (Monday is 0).
SATURDAY_SUNDAY: frozenset[int] = frozenset({5, 6})


@dataclass(frozen=True, kw_only=True)
class HolidayCalendar:
    """Which dates are worked, for one country or company.

    A date is a day off when it is a public holiday, an extra day off, or falls on
    a weekend weekday and is not a working weekend. Every other date is a working
    day; a working day listed in `short_days` is one hour shorter (Labour Code of
    the Russian Federation, art. 95).

    `first_year`/`last_year` bound the years the calendar is known for (None means
    unbounded); arithmetic that needs a date outside them must refuse rather than
    guess, see `covers`.
    """

    name: str
    country: str | None = None
    #: Weekdays (Monday is 0) that are days off unless listed in `working_weekends`.
    weekend: frozenset[int] = SATURDAY_SUNDAY
    #: Non-working public holidays, whatever weekday they fall on (art. 112).
    holidays: frozenset[date] = frozenset()
    #: Other days off: transfers by decree, holidays observed on the next weekday,
    #: company closures.
    extra_days_off: frozenset[date] = frozenset()
    #: Weekend dates that are working days by transfer.
    working_weekends: frozenset[date] = frozenset()
    #: Working days shortened by one hour.
    short_days: frozenset[date] = frozenset()
    first_year: int | None = None
    last_year: int | None = None
    # Derived once so that the hot path does one set lookup instead of three.
    _days_off: frozenset[date] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.weekend <= set(range(7)):
            raise InvalidCalendar(
                f"Weekend days must be weekday numbers 0-6, got {sorted(self.weekend)}",
                field="weekend",
            )
        if (
            self.first_year is not None
            and self.last_year is not None
            and self.first_year > self.last_year
        ):
            raise InvalidCalendar(
                f"The calendar's first year {self.first_year} is after its last year "
                f"{self.last_year}",
                field="first_year",
            )
        days_off = self.holidays | self.extra_days_off
        if clash := sorted(self.working_weekends & days_off):
            raise InvalidCalendar(
                f"Dates cannot be both days off and working weekends: {_dates(clash)}",
                field="working_weekends",
            )
        object.__setattr__(self, "_days_off", days_off)
        if idle := sorted(d for d in self.short_days if not self.is_working_day(d)):
            raise InvalidCalendar(
                f"Only working days can be short days, these are days off: {_dates(idle)}",
                field="short_days",
            )

    def is_working_day(self, day: date) -> bool:
        """Whether `day` is a working day by this calendar (short days included)."""
        if day in self._days_off:
            return False
        return day.weekday() not in self.weekend or day in self.working_weekends

    def is_day_off(self, day: date) -> bool:
        """Whether `day` is a day off: the negation of `is_working_day`."""
        return not self.is_working_day(day)

    def is_short_day(self, day: date) -> bool:
        """Whether `day` is a working day shortened by one hour."""
        return day in self.short_days

    def covers(self, day: date) -> bool:
        """Whether the calendar knows the days off of `day`'s year."""
        return (self.first_year is None or day.year >= self.first_year) and (
            self.last_year is None or day.year <= self.last_year
        )

    def with_overrides(
        self,
        *,
        name: str | None = None,
        days_off: Iterable[date] = (),
        working_days: Iterable[date] = (),
        short_days: Iterable[date] = (),
    ) -> HolidayCalendar:
        """Return a copy with a company's own decisions applied on top.

        Applied in this order, so a later list wins over an earlier one:

        - `days_off` become extra days off (and lose any short-day mark);
        - `working_days` become working days, even if they were public holidays or
          weekends (a shop open on March 8 works that day);
        - `short_days` become short days; they must be working days by then.

        Raises `InvalidCalendar` if a short day is not a working day.
        """
        off, working, short = set(days_off), set(working_days), set(short_days)
        holidays = self.holidays - working
        extra_days_off = (self.extra_days_off | off) - working
        working_weekends = (self.working_weekends - off) | {
            d for d in working if d.weekday() in self.weekend
        }
        return replace(
            self,
            name=self.name if name is None else name,
            holidays=frozenset(holidays),
            extra_days_off=frozenset(extra_days_off),
            working_weekends=frozenset(working_weekends),
            short_days=frozenset((self.short_days - off) | short),
        )


def pre_holiday_short_days(
    *,
    holidays: Iterable[date],
    is_working_day: Callable[[date], bool],
) -> frozenset[date]:
    """The working days shortened by art. 95 of the Labour Code of the RF.

    Art. 95: a working day *immediately* preceding a non-working public holiday is
    one hour shorter. Only public holidays count: a day before a transferred day
    off is a full day (2025-05-07 before the 2025-05-08 transfer), and so is a
    Friday before a weekend that precedes a holiday (2026-02-20).
    """
    return frozenset(
        eve for holiday in holidays if is_working_day(eve := holiday - timedelta(days=1))
    )


def _dates(days: Iterable[date]) -> str:
    return ", ".join(d.isoformat() for d in days)
