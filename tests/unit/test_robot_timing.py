"""When a robot is due: plain delays, working days and hours on the responsible's calendar
(the official Russian one, from shared/data), and "only within working hours"."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conveyor.domain.calendars import HolidayCalendar
from conveyor.domain.errors import CalendarNotCovered, InvalidValue, NaiveDatetime
from conveyor.domain.robots import TimeUnit, Timing, TimingKind
from conveyor.domain.schedules import WorkSchedule
from conveyor.domain.working_time import WorkingTime
from conveyor.engines.automation import due_at

REFERENCE = Path(__file__).parents[3] / "shared" / "data" / "ru-production-calendar.json"
MOSCOW = ZoneInfo("Europe/Moscow")


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


def after(
    amount: int, unit: TimeUnit, *, working: bool = False, hours_only: bool = False
) -> Timing:
    kind = TimingKind.AFTER_WORKING if working else TimingKind.AFTER
    return Timing(kind=kind, amount=amount, unit=unit, working_hours_only=hours_only)


def due(timing: Timing, entered_at: datetime, office: WorkingTime) -> datetime:
    return due_at(timing, entered_at=entered_at, working_time=lambda first, last: office)


FRIDAY = date(2026, 3, 6)  # Monday 9 March 2026 is a day off: 8 March fell on a Sunday


def test_an_immediate_robot_is_due_at_the_entry(office: WorkingTime) -> None:
    entered = msk(FRIDAY, 22)
    assert due(Timing(), entered, office) == entered


def test_plain_delays_count_every_minute_nights_and_holidays_included(office: WorkingTime) -> None:
    entered = msk(FRIDAY, 17, 55)
    assert due(after(10, TimeUnit.MINUTES), entered, office) == msk(FRIDAY, 18, 5)
    assert due(after(3, TimeUnit.DAYS), entered, office) == msk(date(2026, 3, 9), 17, 55)


def test_two_working_days_from_friday_step_over_the_holiday_monday(office: WorkingTime) -> None:
    timing = after(2, TimeUnit.DAYS, working=True)
    assert due(timing, msk(FRIDAY, 11), office) == msk(date(2026, 3, 11), 11)
    # Entered after hours: nothing of Tuesday was used yet, so Wednesday's close.
    assert due(timing, msk(FRIDAY, 19), office) == msk(date(2026, 3, 11), 18)


def test_working_hours_skip_the_lunch_the_night_and_the_holiday(office: WorkingTime) -> None:
    timing = after(3, TimeUnit.HOURS, working=True)
    # 16:00-18:00 on Friday, then Monday is off: 09:00-10:00 on Tuesday.
    assert due(timing, msk(FRIDAY, 16), office) == msk(date(2026, 3, 10), 10)
    # 12:30-13:00, lunch, 14:00-16:30.
    minutes = after(180, TimeUnit.MINUTES, working=True)
    assert due(minutes, msk(date(2026, 3, 10), 12, 30), office) == msk(date(2026, 3, 10), 16, 30)


def test_working_hours_only_puts_a_moment_off_to_the_next_working_moment(
    office: WorkingTime,
) -> None:
    only = Timing(working_hours_only=True)
    assert due(only, msk(FRIDAY, 22), office) == msk(date(2026, 3, 10), 9)
    assert due(only, msk(FRIDAY, 13, 30), office) == msk(FRIDAY, 14)
    assert due(only, msk(FRIDAY, 10), office) == msk(FRIDAY, 10)
    plain = after(30, TimeUnit.MINUTES, hours_only=True)
    assert due(plain, msk(FRIDAY, 17, 45), office) == msk(date(2026, 3, 10), 9)


def test_a_delay_beyond_the_calendar_is_refused_not_guessed(office: WorkingTime) -> None:
    timing = after(365, TimeUnit.DAYS, working=True)
    with pytest.raises(CalendarNotCovered):
        due_at(
            timing,
            entered_at=msk(FRIDAY, 11),
            working_time=lambda first, last: office,
            last_year=2030,
        )


def test_a_calendar_too_short_is_asked_for_again_further_ahead(office: WorkingTime) -> None:
    asked: list[tuple[int, int]] = []

    def source(first: int, last: int) -> WorkingTime:
        asked.append((first, last))
        return office

    with pytest.raises(CalendarNotCovered):
        due_at(
            after(365, TimeUnit.DAYS, working=True),
            entered_at=msk(FRIDAY, 11),
            working_time=source,
            last_year=2040,
        )
    assert asked[0] == (2025, 2028)
    assert asked[-1][1] == 2040
    assert [b for _, b in asked] == sorted({b for _, b in asked})


def test_a_naive_entry_time_is_refused(office: WorkingTime) -> None:
    with pytest.raises(NaiveDatetime):
        due(Timing(), datetime(2026, 3, 6, 11), office)


@pytest.mark.parametrize(
    ("timing", "field"),
    [
        (Timing(amount=5), "timing.amount"),
        (Timing(unit=TimeUnit.DAYS), "timing.unit"),
        (Timing(kind=TimingKind.AFTER, amount=5), "timing.unit"),
        (Timing(kind=TimingKind.AFTER, amount=0, unit=TimeUnit.HOURS), "timing.amount"),
        (Timing(kind=TimingKind.AFTER_WORKING, amount=366, unit=TimeUnit.DAYS), "timing.amount"),
    ],
)
def test_a_timing_that_says_nothing_sensible_is_refused(timing: Timing, field: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        timing.check()
    assert refused.value.field == field


@given(
    entered=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2026, 6, 30), timezones=st.just(UTC)
    ),
    amount=st.integers(min_value=1, max_value=60),
    unit=st.sampled_from(list(TimeUnit)),
    working=st.booleans(),
    hours_only=st.booleans(),
)
def test_a_delayed_robot_is_never_due_before_its_entry_and_only_in_hours_when_asked(
    office: WorkingTime,
    entered: datetime,
    amount: int,
    unit: TimeUnit,
    working: bool,
    hours_only: bool,
) -> None:
    timing = after(amount, unit, working=working, hours_only=hours_only)
    moment = due(timing, entered, office)
    assert moment >= entered + (timedelta(0) if working else timing.elapsed())
    if hours_only:
        assert office.is_working(moment)
