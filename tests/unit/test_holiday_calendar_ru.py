"""The Russian calendar built from `holidays`, against the official production calendar."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conveyor.domain.calendars import HolidayCalendar
from conveyor.domain.errors import CalendarNotCovered, InvalidCalendar
from conveyor.domain.schedules import WorkSchedule
from conveyor.domain.working_time import WorkingTime
from conveyor.storage.holiday_calendars import official_holiday_calendar

REFERENCE = Path(__file__).parents[3] / "shared" / "data" / "ru-production-calendar.json"
YEARS = (2025, 2026)
MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    """The official calendar, kept in shared/data beside the repository."""
    if not REFERENCE.is_file():
        pytest.fail(
            f"The official production calendar is missing: expected {REFERENCE} "
            "(the repository must sit beside shared/, as /work/main beside /work/shared)"
        )
    data: dict[str, Any] = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def calendar() -> HolidayCalendar:
    return official_holiday_calendar("RU", first_year=2025, last_year=2026)


@pytest.fixture(scope="module")
def office(calendar: HolidayCalendar) -> WorkingTime:
    """An eight-hour five-day week: the basis of the official norms."""
    return WorkingTime(WorkSchedule.five_day_week("Europe/Moscow"), calendar)


def dates(values: list[str]) -> set[date]:
    return {date.fromisoformat(v) for v in values}


def of_year(days: frozenset[date], year: int) -> set[date]:
    return {d for d in days if d.year == year}


# -- every list of the official calendar -------------------------------------------


@pytest.mark.parametrize("year", YEARS)
def test_the_public_holidays_are_the_official_ones(
    calendar: HolidayCalendar, reference: dict[str, Any], year: int
) -> None:
    official = dates(reference[str(year)]["holidays"])
    assert of_year(calendar.holidays, year) == official
    assert all(calendar.is_day_off(d) for d in official)


@pytest.mark.parametrize("year", YEARS)
def test_the_extra_days_off_are_the_official_ones(
    calendar: HolidayCalendar, reference: dict[str, Any], year: int
) -> None:
    official = dates(reference[str(year)]["extra_days_off"])
    assert of_year(calendar.extra_days_off, year) == official
    assert all(calendar.is_day_off(d) and d.weekday() < 5 for d in official)


@pytest.mark.parametrize("year", YEARS)
def test_the_working_weekends_are_the_official_ones(
    calendar: HolidayCalendar, reference: dict[str, Any], year: int
) -> None:
    official = dates(reference[str(year)]["working_weekends"])
    assert of_year(calendar.working_weekends, year) == official
    assert all(calendar.is_working_day(d) for d in official)


@pytest.mark.parametrize("year", YEARS)
def test_the_short_days_are_the_official_ones(
    calendar: HolidayCalendar, reference: dict[str, Any], year: int
) -> None:
    official = dates(reference[str(year)]["short_days"])
    assert of_year(calendar.short_days, year) == official
    assert all(calendar.is_working_day(d) and calendar.is_short_day(d) for d in official)


@pytest.mark.parametrize("year", YEARS)
def test_every_transfer_moves_a_weekend_day_off_onto_a_weekday(
    calendar: HolidayCalendar, reference: dict[str, Any], year: int
) -> None:
    for given_up, moved_to in reference[str(year)]["transfers"].items():
        given_up, moved_to = date.fromisoformat(given_up), date.fromisoformat(moved_to)
        assert given_up.weekday() >= 5
        assert moved_to in calendar.extra_days_off
        # The weekend date is then either a holiday anyway or a working day.
        assert given_up in calendar.holidays or given_up in calendar.working_weekends


@pytest.mark.parametrize("year", YEARS)
def test_every_other_date_follows_the_five_day_week(
    calendar: HolidayCalendar, reference: dict[str, Any], year: int
) -> None:
    facts = reference[str(year)]
    off = dates(facts["holidays"]) | dates(facts["extra_days_off"])
    working_weekends = dates(facts["working_weekends"])
    day = date(year, 1, 1)
    while day.year == year:
        expected = day not in off and (day.weekday() < 5 or day in working_weekends)
        assert calendar.is_working_day(day) is expected, day
        day += timedelta(days=1)


# -- the yearly norms ------------------------------------------------------------


@pytest.mark.parametrize("year", YEARS)
def test_the_year_has_the_official_number_of_working_days(
    office: WorkingTime, reference: dict[str, Any], year: int
) -> None:
    assert office.working_days_in(year) == reference[str(year)]["working_days"] == 247


@pytest.mark.parametrize("year", YEARS)
def test_an_eight_hour_day_gives_the_official_forty_hour_week_norm(
    office: WorkingTime, reference: dict[str, Any], year: int
) -> None:
    start = datetime(year, 1, 1, tzinfo=MOSCOW)
    end = datetime(year + 1, 1, 1, tzinfo=MOSCOW)

    worked = office.working_time_between(start, end)

    assert (
        worked == timedelta(hours=reference[str(year)]["hours_40h_week"]) == timedelta(hours=1972)
    )


# -- the New Year holidays and other named facts ---------------------------------


def test_the_new_year_holidays_of_2026_run_from_january_1_to_11(office: WorkingTime) -> None:
    assert office.working_days_in((date(2026, 1, 1), date(2026, 1, 11))) == 0
    assert office.calendar.is_working_day(date(2026, 1, 12))


def test_the_first_working_day_of_2026_is_january_12(office: WorkingTime) -> None:
    new_year = datetime(2026, 1, 1, tzinfo=MOSCOW)
    assert office.next_working_moment(new_year) == datetime(2026, 1, 12, 9, tzinfo=MOSCOW)


def test_the_first_working_day_of_2025_is_january_9(office: WorkingTime) -> None:
    new_year = datetime(2025, 1, 1, tzinfo=MOSCOW)
    assert office.next_working_moment(new_year) == datetime(2025, 1, 9, 9, tzinfo=MOSCOW)


def test_new_years_eve_is_a_day_off_in_both_years(calendar: HolidayCalendar) -> None:
    assert calendar.is_day_off(date(2025, 12, 31))
    assert calendar.is_day_off(date(2026, 12, 31))


def test_the_day_before_a_transferred_day_off_is_a_full_day(calendar: HolidayCalendar) -> None:
    # 2025-05-08 is off by transfer, not a holiday: art. 95 does not shorten May 7.
    assert calendar.is_working_day(date(2025, 5, 7))
    assert not calendar.is_short_day(date(2025, 5, 7))


def test_the_working_saturday_before_unity_day_2025_ends_at_five(office: WorkingTime) -> None:
    saturday = date(2025, 11, 1)
    spans = office.intervals_on(saturday)
    assert spans[0][0] == datetime.combine(saturday, time(9), tzinfo=MOSCOW)
    assert spans[-1][1] == datetime.combine(saturday, time(17), tzinfo=MOSCOW)


def test_holidays_on_weekends_of_2026_move_to_the_next_monday(calendar: HolidayCalendar) -> None:
    assert calendar.is_day_off(date(2026, 3, 9))  # Women's Day fell on a Sunday
    assert calendar.is_day_off(date(2026, 5, 11))  # Victory Day fell on a Saturday
    assert calendar.is_short_day(date(2026, 5, 8))  # the Friday before Victory Day


def test_the_working_saturdays_of_2024_follow_the_production_calendar() -> None:
    calendar_2024 = official_holiday_calendar("RU", first_year=2024, last_year=2024)
    assert calendar_2024.working_weekends == {
        date(2024, 4, 27),
        date(2024, 11, 2),
        date(2024, 12, 28),
    }
    assert calendar_2024.is_short_day(date(2024, 11, 2))  # a decree exception
    assert not calendar_2024.is_short_day(date(2024, 12, 28))
    assert not calendar_2024.is_short_day(date(2024, 4, 27))


# -- building and overriding ------------------------------------------------------


def test_the_calendar_names_its_country_and_years(calendar: HolidayCalendar) -> None:
    assert (calendar.country, calendar.first_year, calendar.last_year) == ("RU", 2025, 2026)
    assert calendar.name == "RU official 2025-2026"


def test_the_calendar_refuses_to_answer_for_years_it_was_not_built_for(
    office: WorkingTime,
) -> None:
    with pytest.raises(CalendarNotCovered, match="2027-01-01 is outside"):
        office.next_working_moment(datetime(2026, 12, 31, 18, tzinfo=MOSCOW))


def test_an_unknown_country_or_reversed_years_are_refused() -> None:
    with pytest.raises(InvalidCalendar, match="No official holiday data for country 'XX'"):
        official_holiday_calendar("XX", first_year=2025, last_year=2025)
    with pytest.raises(InvalidCalendar, match="first year 2026 is after the last year 2025"):
        official_holiday_calendar("RU", first_year=2026, last_year=2025)


def test_a_company_can_add_days_off_working_days_and_short_days(calendar: HolidayCalendar) -> None:
    company = calendar.with_overrides(
        name="Acme",
        days_off=[date(2025, 12, 30), date(2025, 11, 1)],
        working_days=[date(2025, 3, 8), date(2025, 12, 27)],
        short_days=[date(2025, 12, 29)],
    )

    assert company.name == "Acme"
    assert company.is_day_off(date(2025, 12, 30))
    assert company.is_day_off(date(2025, 11, 1)) and not company.is_short_day(date(2025, 11, 1))
    assert company.is_working_day(date(2025, 3, 8))  # a holiday on a Saturday, worked
    assert company.is_working_day(date(2025, 12, 27))  # an ordinary Saturday, worked
    assert company.is_short_day(date(2025, 12, 29))
    assert calendar.is_working_day(date(2025, 12, 30)), "the original calendar is unchanged"


def test_a_company_short_day_must_be_a_working_day(calendar: HolidayCalendar) -> None:
    with pytest.raises(InvalidCalendar, match=r"Only working days can be short days.*2025-12-31"):
        calendar.with_overrides(short_days=[date(2025, 12, 31)])


def test_a_date_cannot_be_both_a_day_off_and_a_working_weekend() -> None:
    saturday = date(2025, 11, 1)
    with pytest.raises(InvalidCalendar, match="both days off and working weekends: 2025-11-01"):
        HolidayCalendar(
            name="broken",
            extra_days_off=frozenset({saturday}),
            working_weekends=frozenset({saturday}),
        )


def test_a_company_weekend_rule_can_differ_from_saturday_and_sunday() -> None:
    sunday_only = HolidayCalendar(name="six-day week", weekend=frozenset({6}))
    assert sunday_only.is_working_day(date(2025, 10, 18))
    assert sunday_only.is_day_off(date(2025, 10, 19))
    with pytest.raises(InvalidCalendar, match="weekday numbers 0-6"):
        HolidayCalendar(name="broken", weekend=frozenset({7}))
