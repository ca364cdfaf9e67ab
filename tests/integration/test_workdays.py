"""Day status on both databases: the time clock, its history and events, and presence."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.employees import Employee
from conveyor.domain.errors import Conflict, Forbidden, NotFound, TransitionNotAllowed
from conveyor.domain.presence import AwayReason
from conveyor.domain.tokens import Role
from conveyor.domain.workdays import DayAction, DayState
from conveyor.services import absences, org, presence, workdays
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock

MONDAY, TUESDAY = date(2026, 3, 2), date(2026, 3, 3)
OPEN, PAUSE, RESUME, CLOSE = DayAction.OPEN, DayAction.PAUSE, DayAction.RESUME, DayAction.CLOSE


def _hire(
    uow: UnitOfWork, clock: FakeClock, name: str, timezone: str = "Europe/Moscow"
) -> Employee:
    command = org.CreateEmployee(name=name, timezone=timezone)
    employee, _ = org.create_employee(uow, command, actor=SYSTEM, now=clock())
    return employee


def _self(employee: Employee, role: Role = Role.EMPLOYEE) -> Actor:
    assert employee.id is not None
    return Actor(employee_id=employee.id, role=role)


def _clock(uow: UnitOfWork, clock: FakeClock, employee: Employee, action: DayAction) -> DayState:
    assert employee.id is not None
    workday = workdays.change_workday(uow, employee.id, action, actor=_self(employee), now=clock())
    assert workday.state is not None
    return workday.state


def _trail(uow: UnitOfWork) -> tuple[int, int, int]:
    """How many working days, history entries and WorkdayChanged events are stored."""
    with uow:
        entries = sum(len(uow.workdays.history(e.id or 0)) for e in uow.employees.where())
        changes = sum(1 for e in uow.events.where() if e.type == "WorkdayChanged")
        return len(uow.workdays.where()), entries, changes


def test_a_working_day_is_opened_paused_resumed_and_closed_with_history_and_events(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    ivan = _hire(uow, clock, "Ivan")
    assert ivan.id is not None
    states = []
    for action in (OPEN, PAUSE, RESUME, CLOSE):
        states.append(_clock(uow, clock, ivan, action))
        clock.advance(hours=2)
    assert states == [DayState.OPEN, DayState.PAUSED, DayState.OPEN, DayState.CLOSED]
    day = workdays.current_workday(uow, ivan.id, now=clock(), actor=SYSTEM)
    assert (day.day, day.state) == (MONDAY, DayState.CLOSED)
    assert day.opened_at == datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert day.closed_at == datetime(2026, 3, 2, 15, tzinfo=UTC)
    history = workdays.workday_history(uow, ivan.id, limit=10, actor=SYSTEM)
    assert [e.action for e in history] == [CLOSE, RESUME, PAUSE, OPEN]
    assert [e.state for e in history] == [
        DayState.CLOSED,
        DayState.OPEN,
        DayState.PAUSED,
        DayState.OPEN,
    ]
    last_two = workdays.workday_history(uow, ivan.id, limit=2, actor=SYSTEM)
    assert [e.action for e in last_two] == [CLOSE, RESUME]
    with uow:
        events = [e for e in uow.events.where() if e.type == "WorkdayChanged"]
    assert [e.payload["action"] for e in events] == ["open", "pause", "resume", "close"]
    assert events[1].payload == {
        "day": "2026-03-02",
        "action": "pause",
        "from": "open",
        "to": "paused",
    }
    assert {(e.entity, e.entity_id) for e in events} == {("employee", ivan.id)}


def test_the_day_is_the_employees_local_date(uow: UnitOfWork, clock: FakeClock) -> None:
    # 22:30 UTC on Monday is 01:30 on Tuesday in Moscow and 17:30 on Monday in New York.
    clock.set(datetime(2026, 3, 2, 22, 30, tzinfo=UTC))
    moscow, new_york = _hire(uow, clock, "Ivan"), _hire(uow, clock, "John", "America/New_York")
    _clock(uow, clock, moscow, OPEN)
    _clock(uow, clock, new_york, OPEN)
    assert moscow.id is not None and new_york.id is not None
    assert workdays.current_workday(uow, moscow.id, now=clock(), actor=SYSTEM).day == TUESDAY
    assert workdays.current_workday(uow, new_york.id, now=clock(), actor=SYSTEM).day == MONDAY


def test_a_night_shift_is_paused_and_closed_as_the_day_it_was_opened(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 3, 2, 19, 0, tzinfo=UTC))  # 22:00 on Monday in Moscow
    ivan = _hire(uow, clock, "Ivan")
    assert ivan.id is not None
    _clock(uow, clock, ivan, OPEN)
    clock.advance(hours=3)  # 01:00 on Tuesday
    assert workdays.current_workday(uow, ivan.id, now=clock(), actor=SYSTEM).day == MONDAY
    _clock(uow, clock, ivan, PAUSE)
    _clock(uow, clock, ivan, CLOSE)
    with uow:
        days = [(w.day, w.state) for w in uow.workdays.where()]
    assert days == [(MONDAY, DayState.CLOSED)]
    # Once closed, the next opening starts Tuesday.
    clock.advance(hours=7)
    _clock(uow, clock, ivan, OPEN)
    assert workdays.current_workday(uow, ivan.id, now=clock(), actor=SYSTEM).day == TUESDAY


def test_opening_today_while_yesterday_is_still_open_is_refused_and_changes_nothing(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    ivan = _hire(uow, clock, "Ivan")
    _clock(uow, clock, ivan, OPEN)
    clock.advance(days=1)
    before = _trail(uow)
    with pytest.raises(Conflict) as refusal:
        _clock(uow, clock, ivan, OPEN)
    assert refusal.value.field == "action"
    assert "2026-03-02 is still open" in refusal.value.message
    assert _trail(uow) == before
    # Closing yesterday's day first, as the message says, lets today begin.
    _clock(uow, clock, ivan, CLOSE)
    assert _clock(uow, clock, ivan, OPEN) is DayState.OPEN


def test_pausing_a_closed_day_or_a_day_never_opened_is_refused_and_changes_nothing(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    ivan = _hire(uow, clock, "Ivan")
    with pytest.raises(TransitionNotAllowed) as never_opened:
        _clock(uow, clock, ivan, PAUSE)
    assert never_opened.value.field == "action"
    assert _trail(uow) == (0, 0, 0)
    _clock(uow, clock, ivan, OPEN)
    _clock(uow, clock, ivan, CLOSE)
    before = _trail(uow)
    with pytest.raises(TransitionNotAllowed):
        _clock(uow, clock, ivan, PAUSE)
    assert _trail(uow) == before == (1, 2, 2)


def test_only_the_employee_or_an_admin_changes_their_day(uow: UnitOfWork, clock: FakeClock) -> None:
    ivan, olga = _hire(uow, clock, "Ivan"), _hire(uow, clock, "Olga")
    assert ivan.id is not None
    for intruder in (_self(olga), _self(olga, Role.HEAD)):
        with pytest.raises(Forbidden):
            workdays.change_workday(uow, ivan.id, OPEN, actor=intruder, now=clock())
    assert _trail(uow) == (0, 0, 0)
    workdays.change_workday(uow, ivan.id, OPEN, actor=SYSTEM, now=clock())
    assert _trail(uow) == (1, 1, 1)


def test_a_dismissed_employee_cannot_open_a_day_and_unknown_ones_do_not_exist(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    ivan = _hire(uow, clock, "Ivan")
    assert ivan.id is not None
    org.update_employee(uow, ivan.id, {"status": "dismissed"}, actor=SYSTEM, now=clock())
    with pytest.raises(Conflict) as dismissed:
        workdays.change_workday(uow, ivan.id, OPEN, actor=SYSTEM, now=clock())
    assert dismissed.value.field == "action"
    with pytest.raises(NotFound):
        workdays.change_workday(uow, 4242, OPEN, actor=SYSTEM, now=clock())
    with pytest.raises(NotFound):
        workdays.current_workday(uow, 4242, now=clock(), actor=SYSTEM)
    assert _trail(uow) == (0, 0, 0)


def test_everyones_day_is_listed_by_date_and_state(uow: UnitOfWork, clock: FakeClock) -> None:
    ivan, olga, petr = (_hire(uow, clock, n) for n in ("Ivan", "Olga", "Petr"))
    _clock(uow, clock, ivan, OPEN)
    _clock(uow, clock, olga, OPEN)
    _clock(uow, clock, olga, PAUSE)
    page = workdays.list_workdays(uow, day=MONDAY, state=None, limit=10, offset=0, actor=SYSTEM)
    assert [(w.employee_id, w.state) for w in page.items] == [
        (ivan.id, DayState.OPEN),
        (olga.id, DayState.PAUSED),
    ]
    assert petr.id not in {w.employee_id for w in page.items}
    open_now = workdays.list_workdays(
        uow, day=MONDAY, state=DayState.OPEN, limit=10, offset=0, actor=SYSTEM
    )
    assert [w.employee_id for w in open_now.items] == [ivan.id]
    second = workdays.list_workdays(uow, day=MONDAY, state=None, limit=1, offset=1, actor=SYSTEM)
    assert (second.total, [w.employee_id for w in second.items]) == (2, [olga.id])
    tuesday = workdays.list_workdays(uow, day=TUESDAY, state=None, limit=10, offset=0, actor=SYSTEM)
    assert tuesday.total == 0


def test_presence_shows_the_absence_on_the_local_date_and_the_clock_at_that_moment(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    ivan = _hire(uow, clock, "Ivan")
    assert ivan.id is not None
    _clock(uow, clock, ivan, OPEN)
    opened_at = clock()
    clock.advance(hours=1)
    _clock(uow, clock, ivan, PAUSE)
    absences.register_absence(
        uow,
        absences.RegisterAbsence(
            employee_id=ivan.id, kind=AbsenceKind.BUSINESS_TRIP, starts_on=TUESDAY, ends_on=TUESDAY
        ),
        actor=SYSTEM,
        now=clock(),
    )
    monday = presence.presence_of(uow, ivan.id, at=clock(), actor=SYSTEM)
    assert (monday.present, monday.day_state, monday.absence) == (True, DayState.PAUSED, None)
    earlier = presence.presence_of(uow, ivan.id, at=opened_at, actor=SYSTEM)
    assert earlier.day_state is DayState.OPEN
    before_work = presence.presence_of(
        uow, ivan.id, at=datetime(2026, 3, 2, 5, tzinfo=UTC), actor=SYSTEM
    )
    assert before_work.day_state is None
    # 21:30 UTC on Monday is already Tuesday in Moscow: away on the trip.
    tuesday = presence.presence_of(
        uow, ivan.id, at=datetime(2026, 3, 2, 21, 30, tzinfo=UTC), actor=SYSTEM
    )
    assert not tuesday.present and tuesday.reasons == (AwayReason.ABSENCE,)
    assert tuesday.absence is not None and tuesday.absence.kind is AbsenceKind.BUSINESS_TRIP
    assert tuesday.day_state is DayState.PAUSED  # the Monday day still runs
    with pytest.raises(NotFound):
        presence.presence_of(uow, 4242, at=clock(), actor=SYSTEM)
