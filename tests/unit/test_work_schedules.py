"""Named schedules, shift rotations and the company's overrides of the official calendar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conveyor.domain.calendars import HolidayCalendar
from conveyor.domain.company_calendar import (
    rotation_calendar,
    summarize_year,
    with_company_overrides,
)
from conveyor.domain.errors import InvalidSchedule, InvalidValue
from conveyor.domain.work_schedules import (
    DEFAULT_WEEK,
    CalendarOverride,
    OverrideKind,
    Rotation,
    Schedule,
    check_week,
)

OFFICIAL = HolidayCalendar(
    name="test RU",
    country="RU",
    holidays=frozenset({date(2026, 1, 1), date(2026, 3, 8), date(2026, 5, 1)}),
    extra_days_off=frozenset({date(2026, 3, 9), date(2026, 12, 31)}),
    short_days=frozenset({date(2026, 4, 30)}),
    first_year=2026,
    last_year=2026,
)


def override(day: date, kind: OverrideKind) -> CalendarOverride:
    return CalendarOverride(day=day, kind=kind)


def test_the_default_week_is_nine_to_six_with_a_lunch_from_one_to_two() -> None:
    assert DEFAULT_WEEK["mon"] == [["09:00", "13:00"], ["14:00", "18:00"]]
    assert DEFAULT_WEEK["sat"] == DEFAULT_WEEK["sun"] == []


def test_a_week_is_stored_in_canonical_form_with_every_weekday() -> None:
    week = check_week({"fri": [("10:00", "24:00")]})
    assert week["fri"] == [["10:00", "24:00"]]
    assert week["mon"] == []
    assert set(week) == {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}


@pytest.mark.parametrize(
    ("week", "field"),
    [
        ({"wed": [["18:00", "09:00"]]}, "week.wed.0"),
        ({"wed": [["09:00", "13:00"], ["12:00", "18:00"]]}, "week.wed"),
        ({"funday": [["09:00", "18:00"]]}, "week.funday"),
        ({"mon": "09:00-18:00"}, "week.mon"),
        ({}, "week"),
        ([], "week"),
    ],
)
def test_an_invalid_week_names_the_field_the_way_the_api_does(week: object, field: str) -> None:
    with pytest.raises(InvalidSchedule) as error:
        check_week(week)
    assert error.value.field == field


def test_a_schedules_hours_are_read_on_the_employees_wall_clock() -> None:
    office = Schedule(name="Office", week=DEFAULT_WEEK)
    assert office.work_schedule("Europe/Samara").timezone == "Europe/Samara"
    assert office.work_schedule("Europe/Moscow").week == office.work_schedule("UTC").week


def test_a_2_2_rotation_works_two_days_then_rests_two_before_and_after_its_start() -> None:
    two_two = Rotation(start=date(2026, 3, 2), on=2, off=2)
    worked = [d for d in range(-4, 8) if two_two.is_on(date(2026, 3, 2) + timedelta(days=d))]
    assert worked == [-4, -3, 0, 1, 4, 5]


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    on=st.integers(1, 31),
    off=st.integers(1, 31),
    shift=st.integers(-1000, 1000),
)
def test_every_stretch_of_a_rotations_length_has_exactly_its_on_days(
    start: date, on: int, off: int, shift: int
) -> None:
    rotation = Rotation(start=start, on=on, off=off)
    first = start + timedelta(days=shift)
    last = first + timedelta(days=on + off - 1)
    assert len(rotation.off_days(first, last)) == off


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"start": "2026-03-02", "on": 0, "off": 2}, "rotation.on"),
        ({"start": "2026-03-02", "on": 2, "off": 32}, "rotation.off"),
        ({"start": "2026-03-02", "on": "2", "off": 2}, "rotation.on"),
        ({"start": "2026-03-02", "on": True, "off": 2}, "rotation.on"),
        ({"start": "March", "on": 2, "off": 2}, "rotation.start"),
        ({"on": 2, "off": 2}, "rotation.start"),
        ({"start": "2026-03-02", "on": 2, "off": 2, "shift": 1}, "rotation.shift"),
    ],
)
def test_a_malformed_rotation_names_its_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidValue) as error:
        Rotation.from_dict(data)
    assert error.value.field == field


def test_a_rotation_that_never_meets_a_weekday_with_hours_is_refused() -> None:
    mondays_only = Schedule(name="x", week=check_week({"tue": [["09:00", "18:00"]]}))
    mondays_only.rotation = Rotation(start=date(2026, 3, 2), on=1, off=6).to_dict()
    with pytest.raises(InvalidValue) as error:
        mondays_only.check()
    assert error.value.field == "rotation"
    # A cycle that drifts over the weekdays meets Tuesday sooner or later.
    mondays_only.rotation = Rotation(start=date(2026, 3, 2), on=1, off=2).to_dict()
    mondays_only.check()


def test_company_overrides_close_open_and_shorten_dates_of_the_official_calendar() -> None:
    effective = with_company_overrides(
        OFFICIAL,
        [
            override(date(2026, 12, 31), OverrideKind.WORKING_DAY),
            override(date(2026, 6, 10), OverrideKind.DAY_OFF),
            override(date(2026, 5, 1), OverrideKind.SHORT_DAY),
            override(date(2027, 1, 11), OverrideKind.DAY_OFF),  # outside the calendar's years
        ],
    )
    assert effective.is_working_day(date(2026, 12, 31))
    assert not effective.is_short_day(date(2026, 12, 31))
    assert effective.is_day_off(date(2026, 6, 10))
    assert effective.is_working_day(date(2026, 5, 1)) and effective.is_short_day(date(2026, 5, 1))
    assert date(2027, 1, 11) not in effective.extra_days_off
    assert with_company_overrides(OFFICIAL, []) is OFFICIAL


def test_a_rotation_calendar_ignores_weekends_and_holidays_but_not_company_closures() -> None:
    calendar = rotation_calendar(
        Rotation(start=date(2026, 3, 2), on=2, off=2),
        [
            override(date(2026, 3, 6), OverrideKind.DAY_OFF),
            override(date(2026, 3, 4), OverrideKind.WORKING_DAY),
        ],
        country="RU",
        first_year=2026,
        last_year=2026,
    )
    assert calendar.is_working_day(date(2026, 3, 7))  # a Saturday on the roster
    assert calendar.is_day_off(date(2026, 3, 6))  # closed by the company
    assert calendar.is_day_off(date(2026, 3, 4))  # the roster's day off stays off
    assert not calendar.covers(date(2027, 1, 1))


def test_a_years_summary_counts_working_days_and_the_40_hour_norm() -> None:
    summary = summarize_year(OFFICIAL, 2026)
    weekdays = sum(
        (date(2026, 1, 1) + timedelta(days=n)).weekday() < 5 for n in range(365)
    )  # 261 in 2026
    # Off on weekdays: January 1, May 1, March 9, December 31 (March 8 is a Sunday).
    assert summary.working_days == weekdays - 4
    assert summary.hours_40h_week == summary.working_days * 8 - 1
    assert summary.short_days == (date(2026, 4, 30),)
    assert summary.extra_days_off == (date(2026, 3, 9), date(2026, 12, 31))
    assert len(summary.days_off) == 365 - summary.working_days
    with pytest.raises(InvalidValue):
        summarize_year(OFFICIAL, 2027)
