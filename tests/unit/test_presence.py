"""Presence: away when dismissed or on an absence covering the local date; day state shown."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from conveyor.domain.absences import Absence, AbsenceKind
from conveyor.domain.employees import Employee, EmployeeStatus
from conveyor.domain.errors import InvalidValue, NaiveDatetime
from conveyor.domain.presence import AwayReason, day_state_at, decide_presence
from conveyor.domain.workdays import DayAction, DayState, WorkdayEntry, local_day

# 2026-03-02 22:30 UTC is already 2026-03-03 01:30 in Moscow (UTC+3).
LATE_EVENING_UTC = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)
MONDAY, TUESDAY = date(2026, 3, 2), date(2026, 3, 3)


def _employee(**changes: object) -> Employee:
    employee = Employee(id=7, name="Ivan", timezone="Europe/Moscow")
    for name, value in changes.items():
        setattr(employee, name, value)
    return employee


def _vacation(starts_on: date, ends_on: date, employee_id: int = 7) -> Absence:
    return Absence(
        id=1,
        employee_id=employee_id,
        kind=AbsenceKind.VACATION,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def _entry(day: date, state: DayState, at: datetime) -> WorkdayEntry:
    action = {DayState.OPEN: DayAction.OPEN, DayState.PAUSED: DayAction.PAUSE}.get(
        state, DayAction.CLOSE
    )
    return WorkdayEntry(employee_id=7, day=day, action=action, state=state, at=at)


def test_an_active_employee_without_absences_is_present() -> None:
    presence = decide_presence(_employee(), at=LATE_EVENING_UTC, absences=[], last_entry=None)
    assert presence.present
    assert presence.reasons == ()
    assert presence.absence is None
    assert presence.day_state is None


def test_an_absence_counts_on_the_employees_local_date_not_the_utc_one() -> None:
    # The vacation starts on Tuesday; in Moscow it is already Tuesday.
    vacation = _vacation(TUESDAY, TUESDAY + timedelta(days=6))
    presence = decide_presence(
        _employee(), at=LATE_EVENING_UTC, absences=[vacation], last_entry=None
    )
    assert presence.day == TUESDAY
    assert not presence.present
    assert presence.reasons == (AwayReason.ABSENCE,)
    assert presence.absence is vacation
    # For a colleague in London it is still Monday: present.
    london = decide_presence(
        _employee(timezone="Europe/London"),
        at=LATE_EVENING_UTC,
        absences=[vacation],
        last_entry=None,
    )
    assert london.present and london.day == MONDAY


def test_an_absence_that_ended_yesterday_or_belongs_to_someone_else_does_not_count() -> None:
    ended = _vacation(MONDAY - timedelta(days=3), MONDAY)
    other = _vacation(TUESDAY, TUESDAY, employee_id=8)
    presence = decide_presence(
        _employee(), at=LATE_EVENING_UTC, absences=[ended, other], last_entry=None
    )
    assert presence.present


def test_a_dismissed_employee_is_away_from_the_dismissal_on_and_present_before_it() -> None:
    dismissed = _employee(status=EmployeeStatus.DISMISSED, dismissed_at=LATE_EVENING_UTC)
    after = decide_presence(dismissed, at=LATE_EVENING_UTC, absences=[], last_entry=None)
    assert not after.present and after.reasons == (AwayReason.DISMISSED,)
    before = decide_presence(
        dismissed, at=LATE_EVENING_UTC - timedelta(days=1), absences=[], last_entry=None
    )
    assert before.present


def test_a_dismissed_employee_on_vacation_has_both_reasons() -> None:
    dismissed = _employee(status=EmployeeStatus.DISMISSED, dismissed_at=None)
    presence = decide_presence(
        dismissed, at=LATE_EVENING_UTC, absences=[_vacation(TUESDAY, TUESDAY)], last_entry=None
    )
    assert presence.reasons == (AwayReason.DISMISSED, AwayReason.ABSENCE)


def test_the_day_state_is_shown_but_a_closed_day_does_not_make_anyone_absent() -> None:
    closed = _entry(TUESDAY, DayState.CLOSED, LATE_EVENING_UTC - timedelta(minutes=5))
    presence = decide_presence(_employee(), at=LATE_EVENING_UTC, absences=[], last_entry=closed)
    assert presence.present
    assert presence.day_state is DayState.CLOSED


def test_a_night_shift_still_open_after_midnight_shows_as_open() -> None:
    opened_monday = _entry(MONDAY, DayState.OPEN, LATE_EVENING_UTC - timedelta(hours=3))
    assert day_state_at(opened_monday, TUESDAY) is DayState.OPEN
    assert day_state_at(_entry(MONDAY, DayState.PAUSED, LATE_EVENING_UTC), TUESDAY) is (
        DayState.PAUSED
    )


def test_yesterdays_closed_day_means_no_day_opened_today() -> None:
    closed_monday = _entry(MONDAY, DayState.CLOSED, LATE_EVENING_UTC - timedelta(hours=3))
    assert day_state_at(closed_monday, TUESDAY) is None
    assert day_state_at(None, TUESDAY) is None


def test_a_moment_without_timezone_or_out_of_range_is_refused_naming_at() -> None:
    with pytest.raises(NaiveDatetime) as naive:
        decide_presence(_employee(), at=datetime(2026, 3, 2, 9, 0), absences=[], last_entry=None)
    assert naive.value.field == "at"
    edge = datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5)))
    with pytest.raises(InvalidValue) as out_of_range:
        local_day(edge, "Europe/Moscow")
    assert out_of_range.value.field == "at"
