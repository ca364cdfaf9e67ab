"""Candidate snapshots keep the working time they built for the next calls, yet a schedule or
a company day changed in between is seen at once."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from conveyor.domain.actors import SYSTEM
from conveyor.domain.work_schedules import OverrideKind
from conveyor.engines.assignment.snapshots import CandidateSnapshot
from conveyor.services import candidates, org, schedules
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock

MONDAY = date(2026, 3, 2)
MONDAY_8_30 = datetime(2026, 3, 2, 8, 30, tzinfo=ZoneInfo("Europe/Moscow"))


def snapshot(uow: UnitOfWork, employee_id: int, now: datetime) -> CandidateSnapshot:
    with uow:
        [found] = candidates.candidate_snapshots(
            uow, [employee_id], now=now, in_work_stage_ids=[], count_open_tasks=False
        )
    return found


def test_an_earlier_start_and_a_company_day_off_count_from_the_next_decision_on(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    office = schedules.create_schedule(
        uow, schedules.CreateSchedule(name="Office 5/2"), actor=SYSTEM, now=clock()
    )
    assert office.id is not None
    olga, _ = org.create_employee(
        uow,
        org.CreateEmployee(name="Olga Office", schedule_id=office.id),
        actor=SYSTEM,
        now=clock(),
    )
    assert olga.id is not None
    # 09:00-18:00: not yet at 08:30.
    before = snapshot(uow, olga.id, MONDAY_8_30)

    early = {day: [["08:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    schedules.update_schedule(uow, office.id, {"week": early}, actor=SYSTEM, now=clock())
    after_new_hours = snapshot(uow, olga.id, MONDAY_8_30)

    schedules.set_override(
        uow, schedules.SetOverride(day=MONDAY, kind=OverrideKind.DAY_OFF), actor=SYSTEM, now=clock()
    )
    on_day_off = snapshot(uow, olga.id, MONDAY_8_30)

    assert [before.in_working_hours, after_new_hours.in_working_hours] == [False, True]
    assert on_day_off.in_working_hours is False
    # The day off is no longer a working day of her last 30 (hired today: just today).
    assert (after_new_hours.present_days_in_window, on_day_off.present_days_in_window) == (1, 0)
