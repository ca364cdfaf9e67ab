"""The time clock's choice of day: a running day is finished before a new one starts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from conveyor.domain.actors import Actor
from conveyor.domain.errors import Conflict, Forbidden, TransitionNotAllowed
from conveyor.domain.tokens import Role
from conveyor.domain.workdays import (
    DayAction,
    DayState,
    Workday,
    check_may_clock,
    day_to_act_on,
    local_day,
)

MONDAY, TUESDAY = date(2026, 3, 2), date(2026, 3, 3)
NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def _running(day: date, state: DayState = DayState.OPEN) -> Workday:
    return Workday(id=1, employee_id=7, day=day, state=state, opened_at=NOW)


def test_without_a_running_day_every_action_is_about_today() -> None:
    for action in DayAction:
        assert day_to_act_on(action, today=TUESDAY, unclosed=None) == TUESDAY


def test_a_day_left_running_from_yesterday_is_the_one_paused_resumed_and_closed() -> None:
    assert day_to_act_on(DayAction.PAUSE, today=TUESDAY, unclosed=_running(MONDAY)) == MONDAY
    paused = _running(MONDAY, DayState.PAUSED)
    assert day_to_act_on(DayAction.RESUME, today=TUESDAY, unclosed=paused) == MONDAY
    assert day_to_act_on(DayAction.CLOSE, today=TUESDAY, unclosed=paused) == MONDAY


def test_opening_today_while_yesterday_still_runs_is_refused_with_the_date_to_close() -> None:
    with pytest.raises(Conflict) as refusal:
        day_to_act_on(DayAction.OPEN, today=TUESDAY, unclosed=_running(MONDAY))
    assert refusal.value.field == "action"
    assert "2026-03-02 is still open" in refusal.value.message


def test_opening_a_day_already_open_is_left_to_the_day_to_refuse() -> None:
    workday = _running(TUESDAY)
    assert day_to_act_on(DayAction.OPEN, today=TUESDAY, unclosed=workday) == TUESDAY
    with pytest.raises(TransitionNotAllowed):
        workday.apply(DayAction.OPEN, now=NOW)


def test_a_closed_day_can_be_reopened_and_keeps_its_first_opening_time() -> None:
    workday = Workday(employee_id=7, day=TUESDAY)
    workday.apply(DayAction.OPEN, now=NOW)
    workday.apply(DayAction.CLOSE, now=NOW.replace(hour=18))
    event = workday.apply(DayAction.OPEN, now=NOW.replace(hour=19))
    assert workday.state is DayState.OPEN
    assert workday.opened_at == NOW and workday.closed_at is None
    assert event.payload == {"day": "2026-03-03", "action": "open", "from": "closed", "to": "open"}


def test_the_local_date_follows_the_employees_timezone() -> None:
    late = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)
    assert local_day(late, "Europe/Moscow") == TUESDAY
    assert local_day(late, "America/New_York") == MONDAY


def test_only_the_employee_or_an_admin_runs_the_time_clock() -> None:
    check_may_clock(Actor(employee_id=7, role=Role.EMPLOYEE), 7)
    check_may_clock(Actor(employee_id=1, role=Role.ADMIN), 7)
    for role in (Role.HEAD, Role.EMPLOYEE):
        with pytest.raises(Forbidden):
            check_may_clock(Actor(employee_id=1, role=role), 7)
