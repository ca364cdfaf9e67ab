"""The board's presence column and its "today" and "this week", on each employee's clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.free_capacity import AwaySpell
from conveyor.domain.presence import AwayReason
from conveyor.domain.workdays import DayState
from conveyor.domain.workload_board import (
    DayStatus,
    Person,
    counting_bounds,
    day_status,
    queue_line,
    whereabouts,
)

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2025, 11, 20)
NOW = datetime(2025, 11, 20, 10, tzinfo=BERLIN)


def person(*, active: bool = True, dismissed_at: datetime | None = None) -> Person:
    return Person(
        id=1,
        name="Lev",
        position=None,
        timezone="Europe/Berlin",
        is_external=False,
        active=active,
        dismissed_at=dismissed_at,
    )


def test_a_night_shift_still_running_shows_over_a_day_closed_today() -> None:
    yesterday = TODAY - timedelta(days=1)

    assert day_status([(yesterday, DayState.PAUSED), (TODAY, DayState.CLOSED)], TODAY) is (
        DayStatus.PAUSED
    )
    assert day_status([(TODAY, DayState.CLOSED)], TODAY) is DayStatus.CLOSED
    assert day_status([(yesterday, DayState.CLOSED)], TODAY) is DayStatus.NOT_OPENED
    assert day_status([(TODAY, None)], TODAY) is DayStatus.NOT_OPENED
    assert day_status([], TODAY) is DayStatus.NOT_OPENED


def test_the_week_starts_on_monday_at_midnight_on_their_own_clock_across_a_dst_change() -> None:
    # Sunday 26 October 2025, noon: Berlin left summer time at 03:00, so that day's midnight
    # and Monday the 20th's were both still summer time (UTC+2), though noon is UTC+1.
    sunday_noon = datetime(2025, 10, 26, 12, tzinfo=BERLIN)

    today, week = counting_bounds(sunday_noon, "Europe/Berlin")

    assert today == datetime(2025, 10, 25, 22, tzinfo=UTC)
    assert week == datetime(2025, 10, 19, 22, tzinfo=UTC)
    assert today.astimezone(BERLIN).hour == week.astimezone(BERLIN).hour == 0


def test_the_same_moment_is_a_different_day_in_samara_and_in_moscow() -> None:
    late_wednesday_utc = datetime(2025, 11, 19, 20, 30, tzinfo=UTC)

    samara_today, _ = counting_bounds(late_wednesday_utc, "Europe/Samara")
    moscow_today, _ = counting_bounds(late_wednesday_utc, "Europe/Moscow")

    assert samara_today.date() == date(2025, 11, 20)
    assert moscow_today.date() == date(2025, 11, 19)


def test_away_is_an_absence_or_a_dismissal_never_a_closed_day() -> None:
    vacation = AwaySpell(kind=AbsenceKind.VACATION, first=TODAY, last=TODAY + timedelta(days=6))

    away = whereabouts(
        person(), now=NOW, today=TODAY, away=[vacation], days=[], in_working_hours=True
    )
    closed = whereabouts(
        person(),
        now=NOW,
        today=TODAY,
        away=[],
        days=[(TODAY, DayState.CLOSED)],
        in_working_hours=False,
    )

    assert (away.present, away.reason, away.absence_kind, away.absent_until) == (
        False,
        AwayReason.ABSENCE,
        AbsenceKind.VACATION,
        date(2025, 11, 26),
    )
    assert (closed.present, closed.reason, closed.day) == (True, None, DayStatus.CLOSED)


def test_a_dismissal_counts_from_its_moment() -> None:
    later = NOW + timedelta(hours=1)

    before = whereabouts(
        person(active=False, dismissed_at=later),
        now=NOW,
        today=TODAY,
        away=[],
        days=[],
        in_working_hours=True,
    )
    after = whereabouts(
        person(active=False, dismissed_at=NOW),
        now=NOW,
        today=TODAY,
        away=[],
        days=[],
        in_working_hours=True,
    )

    assert before.present and before.dismissed_at is None
    assert (after.present, after.reason, after.dismissed_at) == (False, AwayReason.DISMISSED, NOW)


def test_a_queue_s_oldest_wait_is_counted_at_the_board_s_moment() -> None:
    line = queue_line(
        rule_id=3,
        rule_name="Paid deals to design",
        waiting=2,
        oldest_queued_at=NOW - timedelta(minutes=35),
        escalated=1,
        now=NOW,
    )
    empty = queue_line(
        rule_id=4, rule_name="Quiet", waiting=0, oldest_queued_at=None, escalated=0, now=NOW
    )

    assert line.oldest_wait == timedelta(minutes=35)
    assert empty.oldest_wait is None
