"""Working-time arithmetic on a schedule and a holiday calendar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conveyor.domain.calendars import HolidayCalendar
from conveyor.domain.errors import CalendarNotCovered, InvalidValue, NaiveDatetime, NoWorkingTime
from conveyor.domain.schedules import WorkInterval, WorkSchedule
from conveyor.domain.working_time import WorkingTime

MOSCOW = ZoneInfo("Europe/Moscow")
SAMARA = ZoneInfo("Europe/Samara")
VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")
BERLIN = ZoneInfo("Europe/Berlin")
HOUR = timedelta(hours=1)


def days(first: date, last: date) -> frozenset[date]:
    return frozenset(first + timedelta(n) for n in range((last - first).days + 1))


# A few real Russian facts, typed in so these tests need no holiday package.
CALENDAR = HolidayCalendar(
    name="test RU",
    country="RU",
    holidays=days(date(2026, 1, 1), date(2026, 1, 8))
    | {date(2025, 11, 4), date(2026, 5, 1), date(2026, 5, 9)},
    extra_days_off=frozenset(
        {date(2025, 11, 3), date(2025, 12, 31), date(2026, 1, 9), date(2026, 5, 11)}
    ),
    working_weekends=frozenset({date(2025, 11, 1)}),
    short_days=frozenset({date(2025, 11, 1), date(2026, 4, 30), date(2026, 5, 8)}),
    first_year=2025,
    last_year=2026,
)


def msk(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=MOSCOW)


@pytest.fixture
def office() -> WorkingTime:
    """Moscow, Monday to Friday 9-18 with a lunch from 13 to 14."""
    return WorkingTime(WorkSchedule.five_day_week("Europe/Moscow"), CALENDAR)


FRIDAY = date(2025, 10, 17)  # an ordinary week: Monday 13 to Sunday 19 October 2025
MONDAY, TUESDAY, WEDNESDAY = date(2025, 10, 20), date(2025, 10, 21), date(2025, 10, 22)


# -- is_working and next_working_moment ---------------------------------------


def test_opening_time_is_working_and_closing_time_is_not(office: WorkingTime) -> None:
    assert office.is_working(msk(MONDAY, 9))
    assert office.is_working(msk(MONDAY, 17, 59))
    assert not office.is_working(msk(MONDAY, 18))
    assert not office.is_working(msk(MONDAY, 8, 59))


def test_lunch_and_weekends_and_holidays_are_not_working(office: WorkingTime) -> None:
    assert not office.is_working(msk(MONDAY, 13, 30))
    assert not office.is_working(msk(date(2025, 10, 18), 11))
    assert not office.is_working(msk(date(2025, 11, 4), 11))
    assert not office.is_working(msk(date(2025, 11, 3), 11))


def test_a_working_moment_is_its_own_next_working_moment(office: WorkingTime) -> None:
    at = msk(MONDAY, 10, 15)
    assert office.next_working_moment(at) is at


def test_after_lunch_work_resumes_at_two(office: WorkingTime) -> None:
    assert office.next_working_moment(msk(MONDAY, 13, 5)) == msk(MONDAY, 14)


def test_after_friday_evening_work_resumes_on_monday_morning(office: WorkingTime) -> None:
    assert office.next_working_moment(msk(FRIDAY, 19)) == msk(MONDAY, 9)


def test_after_new_years_eve_work_resumes_on_january_12(office: WorkingTime) -> None:
    assert office.next_working_moment(msk(date(2025, 12, 30), 18)) == msk(date(2026, 1, 12), 9)


# -- add_working_hours -----------------------------------------------------------


def test_two_hours_from_five_on_monday_end_at_ten_on_tuesday(office: WorkingTime) -> None:
    assert office.add_working_hours(msk(MONDAY, 17), 2) == msk(TUESDAY, 10)


def test_hours_skip_the_lunch_break(office: WorkingTime) -> None:
    assert office.add_working_hours(msk(MONDAY, 12), timedelta(hours=1, minutes=30)) == msk(
        MONDAY, 14, 30
    )


def test_a_full_day_from_opening_ends_at_closing_not_next_morning(office: WorkingTime) -> None:
    assert office.add_working_hours(msk(MONDAY, 9), 8) == msk(MONDAY, 18)


def test_hours_added_at_the_weekend_count_from_monday_morning(office: WorkingTime) -> None:
    assert office.add_working_hours(msk(date(2025, 10, 18), 12), 0.25) == msk(MONDAY, 9, 15)


def test_adding_no_hours_returns_the_start_unchanged(office: WorkingTime) -> None:
    saturday = msk(date(2025, 10, 18), 12)
    assert office.add_working_hours(saturday, 0) is saturday


@pytest.mark.parametrize("hours", [-1, timedelta(minutes=-1), float("nan"), float("inf"), True])
def test_negative_or_meaningless_hours_are_refused(office: WorkingTime, hours: float) -> None:
    with pytest.raises(InvalidValue, match="Working hours"):
        office.add_working_hours(msk(MONDAY, 10), hours)


# -- add_working_days ------------------------------------------------------------


def test_a_deadline_three_working_days_after_friday_evening_lands_on_wednesday_at_closing(
    office: WorkingTime,
) -> None:
    assert office.add_working_days(msk(FRIDAY, 19), 3) == msk(WEDNESDAY, 18)


def test_a_deadline_three_working_days_after_saturday_is_the_same_wednesday_closing(
    office: WorkingTime,
) -> None:
    assert office.add_working_days(msk(date(2025, 10, 18), 12), 3) == msk(WEDNESDAY, 18)


def test_a_deadline_three_working_days_after_friday_morning_keeps_the_clock_time(
    office: WorkingTime,
) -> None:
    assert office.add_working_days(msk(FRIDAY, 11, 20), 3) == msk(WEDNESDAY, 11, 20)


def test_a_deadline_one_working_day_after_an_early_start_is_the_end_of_that_day(
    office: WorkingTime,
) -> None:
    assert office.add_working_days(msk(TUESDAY, 7), 1) == msk(TUESDAY, 18)


def test_a_deadline_set_at_lunch_lands_after_lunch(office: WorkingTime) -> None:
    assert office.add_working_days(msk(MONDAY, 13, 30), 1) == msk(TUESDAY, 14)


def test_a_deadline_on_a_short_day_is_capped_at_its_earlier_closing(office: WorkingTime) -> None:
    thursday = date(2026, 5, 7)
    assert office.add_working_days(msk(thursday, 17, 30), 1) == msk(date(2026, 5, 8), 17)


def test_a_deadline_one_working_day_after_december_30_lands_on_january_12(
    office: WorkingTime,
) -> None:
    assert office.add_working_days(msk(date(2025, 12, 30), 10), 1) == msk(date(2026, 1, 12), 10)


def test_zero_working_days_return_the_start_and_negative_ones_are_refused(
    office: WorkingTime,
) -> None:
    start = msk(FRIDAY, 19)
    assert office.add_working_days(start, 0) is start
    with pytest.raises(InvalidValue, match="must not be negative"):
        office.add_working_days(start, -1)


# -- short days and working weekends ---------------------------------------------


def test_a_short_day_ends_an_hour_earlier(office: WorkingTime) -> None:
    short = date(2026, 4, 30)
    assert office.intervals_on(short) == (
        (msk(short, 9), msk(short, 13)),
        (msk(short, 14), msk(short, 17)),
    )
    assert office.working_time_between(msk(short), msk(short + timedelta(1))) == 7 * HOUR


def test_a_short_day_whose_last_interval_is_shorter_than_an_hour_loses_time_before_it() -> None:
    tail = (
        WorkInterval(start=time(9), end=time(13)),
        WorkInterval(start=time(14), end=time(14, 30)),
    )
    schedule = WorkSchedule(timezone="Europe/Moscow", week=(tail,) * 5 + ((), ()))
    short = date(2026, 4, 30)

    assert WorkingTime(schedule, CALENDAR).intervals_on(short) == (
        (msk(short, 9), msk(short, 12, 30)),
    )


def test_a_working_saturday_is_worked_like_a_monday(office: WorkingTime) -> None:
    saturday = date(2025, 11, 1)  # also a short day before Unity Day
    assert office.intervals_on(saturday) == (
        (msk(saturday, 9), msk(saturday, 13)),
        (msk(saturday, 14), msk(saturday, 17)),
    )


def test_a_working_saturday_counts_as_a_working_day_for_deadlines(office: WorkingTime) -> None:
    friday = date(2025, 10, 31)
    assert office.add_working_days(msk(friday, 10), 1) == msk(date(2025, 11, 1), 10)
    assert office.add_working_days(msk(friday, 10), 2) == msk(date(2025, 11, 5), 10)


# -- working_time_between and working_days_in -------------------------------------


def test_from_friday_five_to_monday_ten_is_two_working_hours(office: WorkingTime) -> None:
    assert office.working_time_between(msk(FRIDAY, 17), msk(MONDAY, 10)) == 2 * HOUR


def test_working_time_backwards_is_negative(office: WorkingTime) -> None:
    assert office.working_time_between(msk(MONDAY, 10), msk(FRIDAY, 17)) == -2 * HOUR


def test_an_ordinary_week_has_forty_working_hours_and_five_working_days(
    office: WorkingTime,
) -> None:
    sunday = date(2025, 10, 19)
    assert office.working_time_between(msk(date(2025, 10, 13)), msk(MONDAY)) == 40 * HOUR
    assert office.working_days_in((date(2025, 10, 13), sunday)) == 5


def test_the_week_of_unity_day_2025_has_a_working_saturday_and_two_days_off(
    office: WorkingTime,
) -> None:
    assert office.working_days_in((date(2025, 10, 27), date(2025, 11, 9))) == 6 + 3


# -- timezones ------------------------------------------------------------------


def test_nine_in_samara_is_five_utc() -> None:
    samara = WorkingTime(WorkSchedule.five_day_week("Europe/Samara"), CALENDAR)

    assert samara.is_working(datetime(2025, 10, 20, 5, tzinfo=UTC))
    assert not samara.is_working(datetime(2025, 10, 20, 4, 59, tzinfo=UTC))
    assert samara.next_working_moment(datetime(2025, 10, 20, 4, tzinfo=SAMARA)) == datetime(
        2025, 10, 20, 9, tzinfo=SAMARA
    )


def test_monday_morning_in_vladivostok_is_still_sunday_in_utc() -> None:
    vladivostok = WorkingTime(WorkSchedule.five_day_week("Asia/Vladivostok"), CALENDAR)
    sunday_evening_utc = datetime(2025, 10, 19, 22, tzinfo=UTC)

    result = vladivostok.next_working_moment(sunday_evening_utc)

    assert result == datetime(2025, 10, 20, 9, tzinfo=VLADIVOSTOK)
    assert result.tzinfo is UTC  # results come back in the argument's timezone


def test_the_same_instant_is_working_in_moscow_and_closed_in_vladivostok() -> None:
    moscow = WorkingTime(WorkSchedule.five_day_week("Europe/Moscow"), CALENDAR)
    vladivostok = WorkingTime(WorkSchedule.five_day_week("Asia/Vladivostok"), CALENDAR)
    instant = datetime(2025, 10, 20, 12, tzinfo=UTC)  # 15:00 in Moscow, 22:00 in Vladivostok

    assert moscow.is_working(instant)
    assert not vladivostok.is_working(instant)


def test_a_holiday_follows_the_local_date_of_the_schedule() -> None:
    vladivostok = WorkingTime(WorkSchedule.five_day_week("Asia/Vladivostok"), CALENDAR)
    # 2025-11-03 23:30 UTC is already 09:30 on Unity Day in Vladivostok.
    assert not vladivostok.is_working(datetime(2025, 11, 3, 23, 30, tzinfo=UTC))


@pytest.mark.parametrize("zone", [MOSCOW, SAMARA, VLADIVOSTOK])
def test_russian_zones_keep_one_offset_across_the_old_clock_change_dates(zone: ZoneInfo) -> None:
    # No daylight saving in Russia since October 2014: the weeks around the old
    # switch Sundays (2025-03-30 and 2025-10-26) are ordinary 40-hour weeks.
    working = WorkingTime(WorkSchedule.five_day_week(zone.key), CALENDAR)
    for friday, next_monday in (
        (date(2025, 3, 28), date(2025, 3, 31)),
        (date(2025, 10, 24), date(2025, 10, 27)),
    ):
        opening = working.intervals_on(friday)[0][0].utcoffset()
        assert working.intervals_on(next_monday)[0][0].utcoffset() == opening
        start = datetime.combine(friday, time(), tzinfo=zone)
        assert working.working_time_between(start, start + timedelta(days=7)) == 40 * HOUR


def test_where_clocks_change_working_hours_follow_the_wall_clock() -> None:
    berlin = WorkingTime(WorkSchedule.five_day_week("Europe/Berlin"), HolidayCalendar(name="none"))
    before, after = date(2025, 3, 28), date(2025, 3, 31)  # clocks went forward on March 30

    assert berlin.intervals_on(before)[0][0] == datetime(2025, 3, 28, 8, tzinfo=UTC)
    assert berlin.intervals_on(after)[0][0] == datetime(2025, 3, 31, 7, tzinfo=UTC)
    assert berlin.working_time_between(
        datetime.combine(before, time(18), tzinfo=BERLIN),
        datetime.combine(after, time(9), tzinfo=BERLIN),
    ) == timedelta(0)


# -- refusals --------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda w, t: w.is_working(t),
        lambda w, t: w.next_working_moment(t),
        lambda w, t: w.add_working_hours(t, 1),
        lambda w, t: w.add_working_days(t, 1),
        lambda w, t: w.working_time_between(t, t),
    ],
)
def test_a_naive_datetime_is_refused_by_every_question(
    office: WorkingTime, call: Callable[[WorkingTime, datetime], object]
) -> None:
    with pytest.raises(NaiveDatetime, match="timezone-aware datetime is required"):
        call(office, datetime(2025, 10, 20, 10))


def test_a_date_outside_the_calendars_years_is_refused_not_guessed(office: WorkingTime) -> None:
    with pytest.raises(CalendarNotCovered, match="covers the years 2025-2026; 2027-01-01"):
        office.add_working_days(msk(date(2026, 12, 30), 10), 2)


def test_a_schedule_that_never_meets_a_working_day_is_reported() -> None:
    saturdays = WorkSchedule(
        timezone="UTC", week=((),) * 5 + ((WorkInterval(start=time(9), end=time(12)),), ())
    )
    never = WorkingTime(saturdays, HolidayCalendar(name="five-day"))

    with pytest.raises(NoWorkingTime, match="No working time"):
        never.next_working_moment(datetime(2025, 1, 1, tzinfo=UTC))


# -- properties ------------------------------------------------------------------

PROPERTY = settings(max_examples=150, deadline=None, database=None)
OFFICE = WorkingTime(WorkSchedule.five_day_week("Europe/Moscow"), CALENDAR)
moments = st.datetimes(
    min_value=datetime(2025, 1, 2),
    max_value=datetime(2026, 9, 30),
    timezones=st.sampled_from([UTC, MOSCOW, SAMARA, VLADIVOSTOK]),
)
durations = st.integers(min_value=0, max_value=200 * 3600).map(lambda s: timedelta(seconds=s))


@PROPERTY
@given(start=moments, a=durations, b=durations)
def test_adding_hours_in_two_steps_equals_adding_their_sum(
    start: datetime, a: timedelta, b: timedelta
) -> None:
    assert OFFICE.add_working_hours(start, a + b) == OFFICE.add_working_hours(
        OFFICE.add_working_hours(start, a), b
    )


@PROPERTY
@given(start=moments, hours=durations)
def test_the_working_time_up_to_a_deadline_is_the_time_that_was_added(
    start: datetime, hours: timedelta
) -> None:
    assert OFFICE.working_time_between(start, OFFICE.add_working_hours(start, hours)) == hours


@PROPERTY
@given(at=moments)
def test_the_next_working_moment_is_working_and_nothing_is_skipped_to_reach_it(
    at: datetime,
) -> None:
    found = OFFICE.next_working_moment(at)

    assert found >= at
    assert OFFICE.is_working(found)
    assert OFFICE.working_time_between(at, found) == timedelta(0)


@PROPERTY
@given(a=moments, b=moments, c=moments)
def test_working_time_adds_up_over_consecutive_stretches(
    a: datetime, b: datetime, c: datetime
) -> None:
    a, b, c = sorted((a, b, c))
    assert OFFICE.working_time_between(a, b) + OFFICE.working_time_between(
        b, c
    ) == OFFICE.working_time_between(a, c)


@PROPERTY
@given(start=moments, n=st.integers(min_value=1, max_value=40))
def test_a_working_days_deadline_lies_within_the_hours_of_a_working_day(
    start: datetime, n: int
) -> None:
    deadline = OFFICE.add_working_days(start, n)
    spans = OFFICE.intervals_on(deadline.astimezone(MOSCOW).date())

    assert spans, "the deadline falls on a working day"
    assert spans[0][0] <= deadline <= spans[-1][1]
    assert deadline > start
    assert OFFICE.add_working_days(start, n + 1) > deadline


@PROPERTY
@given(first=moments, second=moments, n=st.integers(min_value=1, max_value=40))
def test_a_later_start_never_gives_an_earlier_deadline(
    first: datetime, second: datetime, n: int
) -> None:
    first, second = sorted((first, second))
    assert OFFICE.add_working_days(first, n) <= OFFICE.add_working_days(second, n)
