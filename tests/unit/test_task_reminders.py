"""When a task's people are reminded: hours before the deadline, and at it when overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conveyor.domain.task_reminders import (
    Reminder,
    ReminderKind,
    ReminderTerms,
    lead_time,
    moment_text,
    reminders_for,
    still_due,
    terms_changed,
)
from conveyor.domain.tasks import TaskStatus

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BEFORE, OVERDUE = ReminderKind.BEFORE_DEADLINE, ReminderKind.OVERDUE


def terms(
    deadline: datetime | None,
    status: TaskStatus = TaskStatus.PENDING,
    hours: int | None = None,
) -> ReminderTerms:
    return ReminderTerms(status=status, deadline=deadline, remind_before_hours=hours)


def due(found: list[Reminder]) -> list[tuple[ReminderKind, datetime]]:
    return [(r.kind, r.due_at) for r in found]


def test_a_task_due_in_three_days_is_reminded_a_day_before_and_at_its_deadline() -> None:
    deadline = NOW + timedelta(days=3)
    found = reminders_for(7, terms(deadline), company_hours=24, now=NOW, catch_up=False)
    assert due(found) == [(BEFORE, deadline - timedelta(days=1)), (OVERDUE, deadline)]
    assert found[0].key == "task-reminder:7:before_deadline:2026-03-05T09:00:00+00:00"
    assert found[1].payload() == {"task_id": 7, "deadline": "2026-03-05T09:00:00+00:00"}


def test_the_tasks_own_lead_time_wins_and_zero_turns_the_early_reminder_off() -> None:
    deadline = NOW + timedelta(days=3)
    own = reminders_for(7, terms(deadline, hours=2), company_hours=24, now=NOW, catch_up=False)
    assert due(own)[0] == (BEFORE, deadline - timedelta(hours=2))
    off = reminders_for(7, terms(deadline, hours=0), company_hours=24, now=NOW, catch_up=False)
    assert due(off) == [(OVERDUE, deadline)]
    company_off = reminders_for(7, terms(deadline), company_hours=0, now=NOW, catch_up=False)
    assert due(company_off) == [(OVERDUE, deadline)]
    assert lead_time(None, 24) == timedelta(hours=24)
    assert lead_time(0, 24) is None


def test_a_moment_already_passed_is_skipped_for_a_new_task_and_due_at_once_after_a_move() -> None:
    deadline = NOW + timedelta(hours=3)
    fresh = reminders_for(7, terms(deadline), company_hours=24, now=NOW, catch_up=False)
    assert due(fresh) == [(OVERDUE, deadline)]
    moved = reminders_for(7, terms(deadline), company_hours=24, now=NOW, catch_up=True)
    assert due(moved) == [(BEFORE, NOW), (OVERDUE, deadline)]


def test_a_past_deadline_is_overdue_at_once_and_finished_work_gets_nothing() -> None:
    past = NOW - timedelta(hours=1)
    assert due(reminders_for(7, terms(past), company_hours=24, now=NOW, catch_up=True)) == [
        (OVERDUE, NOW)
    ]
    for status in (TaskStatus.COMPLETED, TaskStatus.DECLINED, TaskStatus.AWAITING_CONTROL):
        assert reminders_for(7, terms(past, status), company_hours=24, now=NOW, catch_up=True) == []
    assert reminders_for(7, terms(None), company_hours=24, now=NOW, catch_up=True) == []
    deferred = terms(past, TaskStatus.DEFERRED)
    assert due(reminders_for(7, deferred, company_hours=24, now=NOW, catch_up=False)) == [
        (OVERDUE, NOW)
    ]


def test_a_reminder_fires_only_for_the_deadline_it_was_set_for_while_the_work_is_owed() -> None:
    deadline = NOW + timedelta(hours=1)
    assert still_due(BEFORE, terms(deadline), deadline, NOW)
    assert not still_due(OVERDUE, terms(deadline), deadline, NOW)  # not yet
    assert still_due(OVERDUE, terms(deadline), deadline, deadline)
    assert not still_due(BEFORE, terms(deadline), deadline, deadline)  # too late for it
    assert not still_due(BEFORE, terms(deadline + timedelta(days=1)), deadline, NOW)
    assert not still_due(OVERDUE, terms(deadline, TaskStatus.COMPLETED), deadline, deadline)


def test_reminders_change_with_the_deadline_the_lead_time_or_whether_work_is_owed() -> None:
    deadline = NOW + timedelta(days=1)
    same = terms(deadline)
    assert not terms_changed(same, terms(deadline, TaskStatus.IN_PROGRESS), company_hours=24)
    assert not terms_changed(same, terms(deadline, hours=24), company_hours=24)
    assert terms_changed(same, terms(deadline, hours=2), company_hours=24)
    assert terms_changed(same, terms(deadline + timedelta(hours=1)), company_hours=24)
    assert terms_changed(same, terms(deadline, TaskStatus.COMPLETED), company_hours=24)


def test_a_moment_reads_on_the_recipients_wall_clock() -> None:
    moment = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
    assert moment_text(moment, "Europe/Moscow") == "2026-03-04 18:00 MSK"
    assert moment_text(moment, "Asia/Yekaterinburg") == "2026-03-04 20:00 +05"
    assert moment_text(None, "Europe/Moscow") == "—"
