"""An employee's working time from the database: schedule, timezone and company calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conveyor.domain.actors import SYSTEM
from conveyor.domain.errors import Conflict, InvalidValue, NaiveDatetime, NotFound
from conveyor.domain.work_schedules import OverrideKind
from conveyor.domain.working_time import WorkingTime
from conveyor.services import org, schedules, working_time
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock

MOSCOW, SAMARA = ZoneInfo("Europe/Moscow"), ZoneInfo("Europe/Samara")
EVERY_DAY_10_TO_22 = {d: [["10:00", "22:00"]] for d in ("mon", "tue", "wed", "thu", "fri")} | {
    "sat": [["10:00", "22:00"]],
    "sun": [["10:00", "22:00"]],
}


def hire(
    uow: UnitOfWork, clock: FakeClock, name: str, *, timezone: str, schedule_id: int | None = None
) -> int:
    command = org.CreateEmployee(name=name, timezone=timezone, schedule_id=schedule_id)
    employee, _ = org.create_employee(uow, command, actor=SYSTEM, now=clock())
    assert employee.id is not None
    return employee.id


def in_uow(uow: UnitOfWork, employee_id: int, around: datetime) -> WorkingTime:
    with uow:
        return working_time.working_time_for(uow, employee_id, around=around)


def events(uow: UnitOfWork) -> list[str]:
    with uow:
        return [e.type for e in uow.events.where()]


def test_a_company_override_making_december_31_a_working_day_moves_a_deadline(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    accountant = hire(uow, clock, "Alla Accountant", timezone="Europe/Moscow")
    december_30 = datetime(2026, 12, 30, 10, tzinfo=MOSCOW)
    # Officially December 31 is a day off and January 1-10 are holidays and a weekend.
    before = working_time.deadline(uow, accountant, start=december_30, days=1)
    assert before == datetime(2027, 1, 11, 10, tzinfo=MOSCOW)

    schedules.set_override(
        uow,
        schedules.SetOverride(day=date(2026, 12, 31), kind=OverrideKind.WORKING_DAY, note="Close"),
        actor=SYSTEM,
        now=clock(),
    )

    assert working_time.deadline(uow, accountant, start=december_30, days=1) == datetime(
        2026, 12, 31, 10, tzinfo=MOSCOW
    )
    # Two hours from 17:00: one on the 30th, one on the newly working 31st.
    assert working_time.deadline(
        uow, accountant, start=datetime(2026, 12, 30, 17, tzinfo=MOSCOW), hours=2
    ) == datetime(2026, 12, 31, 10, tzinfo=MOSCOW)
    assert events(uow)[-1] == "CalendarOverrideSet"


def test_a_samara_employee_starts_work_an_hour_earlier_in_utc_than_a_moscow_one(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    office = schedules.create_schedule(
        uow, schedules.CreateSchedule(name="Office 5/2"), actor=SYSTEM, now=clock()
    )
    moscow = hire(uow, clock, "Maxim Moscow", timezone="Europe/Moscow", schedule_id=office.id)
    samara = hire(uow, clock, "Sofia Samara", timezone="Europe/Samara", schedule_id=office.id)
    monday_midnight_utc = datetime(2026, 3, 2, tzinfo=UTC)

    starts = {
        who: working_time.working_state(uow, who, at=monday_midnight_utc).next_working_moment
        for who in (moscow, samara)
    }

    assert starts[samara] == datetime(2026, 3, 2, 5, tzinfo=UTC)  # 09:00 in Samara
    assert starts[moscow] == datetime(2026, 3, 2, 6, tzinfo=UTC)  # 09:00 in Moscow
    at_half_past_five = datetime(2026, 3, 2, 5, 30, tzinfo=UTC)
    assert in_uow(uow, samara, at_half_past_five).is_working(at_half_past_five)
    assert not in_uow(uow, moscow, at_half_past_five).is_working(at_half_past_five)


def test_an_employee_without_a_schedule_follows_the_company_default_week(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    newcomer = hire(uow, clock, "Nina New", timezone="Europe/Moscow")
    wt = in_uow(uow, newcomer, clock())
    monday = date(2026, 3, 2)
    assert wt.intervals_on(monday) == (
        (datetime(2026, 3, 2, 9, tzinfo=MOSCOW), datetime(2026, 3, 2, 13, tzinfo=MOSCOW)),
        (datetime(2026, 3, 2, 14, tzinfo=MOSCOW), datetime(2026, 3, 2, 18, tzinfo=MOSCOW)),
    )
    assert wt.intervals_on(date(2026, 3, 7)) == ()  # Saturday
    assert wt.intervals_on(date(2026, 3, 9)) == ()  # the March 8 holiday moved to Monday
    assert wt.calendar.covers(date(2025, 1, 1)) and wt.calendar.covers(date(2028, 12, 31))


def test_a_shop_assistant_on_a_2_2_rotation_works_two_days_then_rests_two_holidays_included(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    shop = schedules.create_schedule(
        uow,
        schedules.CreateSchedule(
            name="Shop 2/2",
            week=EVERY_DAY_10_TO_22,
            rotation={"start": "2026-03-02", "on": 2, "off": 2},
        ),
        actor=SYSTEM,
        now=clock(),
    )
    seller = hire(uow, clock, "Sergey Seller", timezone="Europe/Moscow", schedule_id=shop.id)
    wt = in_uow(uow, seller, clock())

    worked = [d.day for d in _days(date(2026, 3, 2), date(2026, 3, 12)) if wt.intervals_on(d)]
    assert worked == [2, 3, 6, 7, 10, 11]  # Saturday the 7th is an ordinary shift
    # May 1 is a public holiday, and an on-day of the roster: the shop is open.
    may_day = datetime(2026, 5, 1, 12, tzinfo=MOSCOW)
    assert wt.is_working(may_day)
    # Tuesday noon + 1 working day is the next shift's noon: Friday.
    tuesday_noon = datetime(2026, 3, 3, 12, tzinfo=MOSCOW)
    assert working_time.deadline(uow, seller, start=tuesday_noon, days=1) == datetime(
        2026, 3, 6, 12, tzinfo=MOSCOW
    )
    # A company closure stops the roster too.
    schedules.set_override(
        uow,
        schedules.SetOverride(day=date(2026, 3, 6), kind=OverrideKind.DAY_OFF),
        actor=SYSTEM,
        now=clock(),
    )
    assert working_time.deadline(uow, seller, start=tuesday_noon, days=1) == datetime(
        2026, 3, 7, 12, tzinfo=MOSCOW
    )
    hours = working_time.working_hours_between(
        uow,
        seller,
        start=datetime(2026, 3, 2, tzinfo=MOSCOW),
        end=datetime(2026, 3, 9, tzinfo=MOSCOW),
    )
    assert hours == timedelta(hours=36)  # 2nd, 3rd and 7th, 12 hours each


def test_a_schedule_in_use_cannot_be_deleted_and_stays(uow: UnitOfWork, clock: FakeClock) -> None:
    office = schedules.create_schedule(
        uow, schedules.CreateSchedule(name="Office"), actor=SYSTEM, now=clock()
    )
    assert office.id is not None
    hire(uow, clock, "Uma User", timezone="Europe/Moscow", schedule_id=office.id)

    with pytest.raises(Conflict):
        schedules.delete_schedule(uow, office.id, actor=SYSTEM, now=clock())

    assert schedules.get_schedule(uow, office.id).name == "Office"
    assert events(uow).count("ScheduleDeleted") == 0


def test_a_schedule_nobody_active_follows_is_deleted_and_its_former_staff_fall_back(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    night = schedules.create_schedule(
        uow,
        schedules.CreateSchedule(name="Night", week={"mon": [["22:00", "24:00"]]}),
        actor=SYSTEM,
        now=clock(),
    )
    assert night.id is not None
    leaver = hire(uow, clock, "Lev Leaver", timezone="Europe/Moscow", schedule_id=night.id)
    org.update_employee(uow, leaver, {"status": "dismissed"}, actor=SYSTEM, now=clock())

    schedules.delete_schedule(uow, night.id, actor=SYSTEM, now=clock())

    with pytest.raises(NotFound):
        schedules.get_schedule(uow, night.id)
    assert working_time.working_state(uow, leaver, at=clock()).schedule_id is None
    assert events(uow)[-1] == "ScheduleDeleted"


def test_the_entry_point_refuses_naive_moments_and_unknown_employees(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    someone = hire(uow, clock, "Sam Someone", timezone="Europe/Moscow")
    with uow, pytest.raises(NaiveDatetime) as naive:
        working_time.working_time_for(uow, someone, around=datetime(2026, 3, 2, 9))
    assert naive.value.field == "around"
    with uow, pytest.raises(NotFound):
        working_time.working_time_for(uow, 10_000, around=clock())
    with pytest.raises(InvalidValue) as both:
        working_time.deadline(uow, someone, start=clock(), days=1, hours=1)
    assert both.value.field == "hours"


def test_a_deadline_years_ahead_grows_the_calendar_as_far_as_it_needs(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    someone = hire(uow, clock, "Far Future", timezone="Europe/Moscow")
    start = datetime(2026, 3, 2, 9, tzinfo=MOSCOW)
    far = working_time.deadline(uow, someone, start=start, days=3650)
    assert 2040 <= far.year <= 2042
    assert working_time.working_hours_between(uow, someone, start=start, end=far) > timedelta(
        hours=3650 * 7
    )
    with pytest.raises(InvalidValue) as beyond:
        working_time.deadline(uow, someone, start=datetime(2199, 1, 1, tzinfo=UTC), days=3650)
    assert beyond.value.field == "days"


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
