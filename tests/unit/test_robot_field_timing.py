"""Robots timed by a date field of the item: at it, N units before or after it, in plain or
working time (backwards too, on the official Russian calendar), and what a timing naming a
field must say."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conveyor.domain.calendars import HolidayCalendar
from conveyor.domain.errors import InvalidValue, NaiveDatetime
from conveyor.domain.robots import TimeUnit, Timing, TimingKind
from conveyor.domain.schedules import WorkSchedule
from conveyor.domain.working_time import WorkingTime
from conveyor.engines.automation import due_at, field_moment
from conveyor.engines.automation.working_back import (
    subtract_working_days,
    subtract_working_hours,
)

REFERENCE = Path(__file__).parents[3] / "shared" / "data" / "ru-production-calendar.json"
MOSCOW = ZoneInfo("Europe/Moscow")
#: Monday 9 March 2026 is a day off (8 March fell on a Sunday).
FRIDAY, TUESDAY, WEDNESDAY = date(2026, 3, 6), date(2026, 3, 10), date(2026, 3, 11)
ENTERED = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def _dates(values: list[str]) -> frozenset[date]:
    return frozenset(date.fromisoformat(v) for v in values)


@pytest.fixture(scope="module")
def office() -> WorkingTime:
    """Moscow, Monday to Friday 9-18 with lunch 13-14, on the official 2025-2026 calendar."""
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    years = [data[str(y)] for y in (2025, 2026)]
    calendar = HolidayCalendar(
        name="RU official",
        country="RU",
        holidays=frozenset().union(*(_dates(y["holidays"]) for y in years)),
        extra_days_off=frozenset().union(*(_dates(y["extra_days_off"]) for y in years)),
        working_weekends=frozenset().union(*(_dates(y["working_weekends"]) for y in years)),
        short_days=frozenset().union(*(_dates(y["short_days"]) for y in years)),
        first_year=2025,
        last_year=2026,
    )
    return WorkingTime(WorkSchedule.five_day_week("Europe/Moscow"), calendar)


def msk(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=MOSCOW)


def field(
    kind: TimingKind,
    amount: int = 0,
    unit: TimeUnit | None = None,
    *,
    working: bool = False,
    hours_only: bool = False,
) -> Timing:
    return Timing(
        kind=kind,
        amount=amount,
        unit=unit,
        field="pay_by",
        working=working,
        working_hours_only=hours_only,
    )


def due(timing: Timing, moment: datetime, office: WorkingTime) -> datetime:
    return due_at(
        timing, entered_at=ENTERED, working_time=lambda first, last: office, field_moment=moment
    )


def test_at_a_field_is_its_moment_whenever_the_item_entered(office: WorkingTime) -> None:
    pay_by = msk(WEDNESDAY, 15)
    assert due(field(TimingKind.AT_FIELD), pay_by, office) == pay_by
    # A moment long past stays past: the robot acts at once.
    assert due(field(TimingKind.AT_FIELD), msk(FRIDAY, 10), office) == msk(FRIDAY, 10)


def test_plain_time_before_and_after_a_field_counts_every_minute(office: WorkingTime) -> None:
    pay_by = msk(WEDNESDAY, 10)
    before = field(TimingKind.BEFORE_FIELD, 2, TimeUnit.DAYS)
    after = field(TimingKind.AFTER_FIELD, 90, TimeUnit.MINUTES)
    assert due(before, pay_by, office) == msk(date(2026, 3, 9), 10)  # the holiday counts
    assert due(after, pay_by, office) == msk(WEDNESDAY, 11, 30)


def test_working_days_before_a_field_step_back_over_the_holiday(office: WorkingTime) -> None:
    two_before = field(TimingKind.BEFORE_FIELD, 2, TimeUnit.DAYS, working=True)
    # Within hours: the same clock time two working days back (Monday is off).
    assert due(two_before, msk(WEDNESDAY, 11), office) == msk(FRIDAY, 11)
    # A date field's 00:00: the opening of the second working day before it.
    assert due(two_before, msk(WEDNESDAY, 0), office) == msk(FRIDAY, 9)
    # After closing, the day itself is the first counted.
    assert due(two_before, msk(WEDNESDAY, 19), office) == msk(TUESDAY, 9)


def test_working_hours_before_a_field_skip_lunch_night_and_holiday(office: WorkingTime) -> None:
    three_before = field(TimingKind.BEFORE_FIELD, 3, TimeUnit.HOURS, working=True)
    # 09:00-10:00 on Tuesday, Monday off, then Friday 16:00-18:00.
    assert due(three_before, msk(TUESDAY, 10), office) == msk(FRIDAY, 16)
    # 14:00-15:30, lunch, 11:30-13:00.
    assert due(three_before, msk(TUESDAY, 15, 30), office) == msk(TUESDAY, 11, 30)
    # Running out exactly at an opening gives the opening, not the evening before.
    one_before = field(TimingKind.BEFORE_FIELD, 1, TimeUnit.HOURS, working=True)
    assert due(one_before, msk(TUESDAY, 10), office) == msk(TUESDAY, 9)


def test_working_time_after_a_field_is_counted_as_after_an_entry(office: WorkingTime) -> None:
    after = field(TimingKind.AFTER_FIELD, 1, TimeUnit.DAYS, working=True)
    assert due(after, msk(FRIDAY, 11), office) == msk(TUESDAY, 11)
    only = field(TimingKind.AT_FIELD, hours_only=True)
    assert due(only, msk(WEDNESDAY, 0), office) == msk(WEDNESDAY, 9)


@given(
    moment=st.datetimes(
        min_value=datetime(2025, 3, 1), max_value=datetime(2026, 12, 1), timezones=st.just(UTC)
    ),
    amount=st.integers(min_value=1, max_value=40),
    unit=st.sampled_from(list(TimeUnit)),
)
def test_working_time_back_is_exactly_what_lies_between(
    office: WorkingTime, moment: datetime, amount: int, unit: TimeUnit
) -> None:
    if unit is TimeUnit.DAYS:
        back = subtract_working_days(office, moment, amount)
        assert back < moment
        # Adding the days back never ends after the moment counted from.
        assert office.add_working_days(back, amount) <= max(
            moment, office.next_working_moment(moment)
        )
    else:
        span = timedelta(minutes=amount * (60 if unit is TimeUnit.HOURS else 1))
        back = subtract_working_hours(office, moment, span)
        assert office.working_time_between(back, moment) == span
        assert office.is_working(back) or back == moment


def test_a_date_field_starts_its_day_in_the_responsibles_timezone() -> None:
    assert field_moment("2026-03-11", date_only=True, timezone="Asia/Yekaterinburg") == datetime(
        2026, 3, 10, 19, 0, tzinfo=UTC
    )
    moment = field_moment("2026-03-11T12:30:00+00:00", date_only=False, timezone="Europe/Moscow")
    assert moment == datetime(2026, 3, 11, 12, 30, tzinfo=UTC)
    assert field_moment(None, date_only=True, timezone="Europe/Moscow") is None
    with pytest.raises(InvalidValue):
        field_moment("soon", date_only=True, timezone="Europe/Moscow")
    with pytest.raises(NaiveDatetime):
        field_moment("2026-03-11T12:30:00", date_only=False, timezone="Europe/Moscow")


def test_a_field_timing_needs_its_moment() -> None:
    with pytest.raises(ValueError, match="field's moment"):
        due_at(field(TimingKind.AT_FIELD), entered_at=ENTERED, working_time=lambda a, b: None)  # type: ignore[arg-type,return-value]


@pytest.mark.parametrize(
    ("timing", "where"),
    [
        (Timing(kind=TimingKind.AT_FIELD), "timing.field"),
        (Timing(kind=TimingKind.AT_FIELD, field="Pay By"), "timing.field"),
        (Timing(kind=TimingKind.AT_FIELD, field="pay_by", amount=1), "timing.amount"),
        (Timing(kind=TimingKind.AT_FIELD, field="pay_by", unit=TimeUnit.DAYS), "timing.unit"),
        (Timing(kind=TimingKind.AT_FIELD, field="pay_by", working=True), "timing.working"),
        (Timing(kind=TimingKind.BEFORE_FIELD, field="pay_by", amount=2), "timing.unit"),
        (
            Timing(kind=TimingKind.AFTER_FIELD, field="pay_by", amount=400, unit=TimeUnit.DAYS),
            "timing.amount",
        ),
        (Timing(kind=TimingKind.AFTER, amount=2, unit=TimeUnit.DAYS, field="x"), "timing.field"),
        (
            Timing(kind=TimingKind.AFTER, amount=2, unit=TimeUnit.DAYS, working=True),
            "timing.working",
        ),
    ],
)
def test_a_field_timing_that_says_nothing_sensible_is_refused(timing: Timing, where: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        timing.check()
    assert refused.value.field == where


def test_a_sensible_field_timing_passes_and_says_what_it_follows() -> None:
    timing = field(TimingKind.BEFORE_FIELD, 2, TimeUnit.DAYS, working=True)
    timing.check()
    assert timing.follows_field and timing.needs_working_time
    assert timing.as_data()["field"] == "pay_by"
    field(TimingKind.AT_FIELD).check()
    Timing(kind=TimingKind.AT_FIELD, field="created_at").check()


def test_a_year_of_working_hours_before_a_field_asks_for_the_calendar_further_back() -> None:
    asked: list[tuple[int, int]] = []

    def source(first: int, last: int) -> WorkingTime:
        asked.append((first, last))
        calendar = HolidayCalendar(name="No holidays", first_year=first, last_year=last)
        return WorkingTime(WorkSchedule.five_day_week("Europe/Moscow"), calendar)

    # 8760 working hours of 8 a day, five days a week: 219 weeks before Monday morning.
    most = field(TimingKind.BEFORE_FIELD, 24 * 365, TimeUnit.HOURS, working=True)
    moment = due_at(
        most, entered_at=ENTERED, working_time=source, field_moment=msk(date(2026, 3, 2), 9)
    )

    assert moment == msk(date(2026, 3, 2) - timedelta(weeks=219), 9)
    assert asked[0] == (2024, 2028)
    assert [first for first, _ in asked] == sorted({first for first, _ in asked}, reverse=True)
