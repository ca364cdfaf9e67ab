"""Schedules of recurring jobs: cron on a timezone's wall clock, DST handled once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conveyor.domain.errors import InvalidValue, NaiveDatetime
from conveyor.engines.recurrence import Recurrence


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_every_monday_at_nine_is_read_on_the_schedules_own_clock() -> None:
    moscow = Recurrence("0 9 * * mon", "Europe/Moscow")
    samara = Recurrence("0 9 * * 1", "Europe/Samara")
    sunday = utc(2026, 3, 1, 12, 0)
    assert moscow.next_after(sunday) == utc(2026, 3, 2, 6, 0)
    assert samara.next_after(sunday) == utc(2026, 3, 2, 5, 0)


def test_next_is_strictly_after_and_latest_is_at_or_before() -> None:
    mondays = Recurrence("0 9 * * mon", "Europe/Moscow")
    nine = utc(2026, 3, 2, 6, 0)
    assert mondays.next_after(nine) == nine + timedelta(days=7)
    assert mondays.latest_until(nine) == nine
    assert mondays.latest_until(nine - timedelta(microseconds=1)) == nine - timedelta(days=7)
    assert mondays.latest_until(nine + timedelta(days=20)) == nine + timedelta(days=14)


def test_an_autumn_night_runs_a_daily_job_once() -> None:
    nightly = Recurrence("30 2 * * *", "Europe/Berlin")
    # 25 October 2026: 02:30 happens twice in Berlin (CEST, then CET).
    first = nightly.next_after(utc(2026, 10, 24, 12, 0))
    assert first == utc(2026, 10, 25, 0, 30)
    assert nightly.next_after(first) == utc(2026, 10, 26, 1, 30)
    assert nightly.latest_until(utc(2026, 10, 25, 3, 0)) == first


def test_a_time_skipped_in_spring_runs_just_after_the_gap() -> None:
    nightly = Recurrence("30 2 * * *", "Europe/Berlin")
    # 29 March 2026: Berlin's clocks jump from 02:00 to 03:00.
    assert nightly.next_after(utc(2026, 3, 28, 12, 0)) == utc(2026, 3, 29, 1, 0)


def test_extra_spaces_are_tidied() -> None:
    assert Recurrence(" 0  9 * *   mon ", "UTC").expression == "0 9 * * mon"


@pytest.mark.parametrize(
    ("expression", "says"),
    [
        ("0 9 * *", "five fields"),
        ("0 9 * * mon 2026", "five fields"),
        ("@weekly", "five fields"),
        ("61 9 * * mon", "not a valid cron"),
        ("0 9 * * funday", "not a valid cron"),
        ("0 9 30 2 *", "names no date that ever occurs"),
        ("0 " * 60 + "* * * *", "five fields"),
    ],
)
def test_a_bad_schedule_is_refused_naming_the_field(expression: str, says: str) -> None:
    with pytest.raises(InvalidValue, match=says) as refused:
        Recurrence(expression, "Europe/Moscow")
    assert refused.value.field == "schedule"


def test_an_unknown_timezone_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidValue) as refused:
        Recurrence("0 9 * * mon", "Europe/Atlantis", timezone_field="tz")
    assert refused.value.field == "tz"


def test_naive_moments_are_refused() -> None:
    with pytest.raises(NaiveDatetime):
        Recurrence("0 9 * * mon", "UTC").next_after(datetime(2026, 3, 2, 9, 0))
