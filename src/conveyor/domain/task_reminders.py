"""When a task's people are reminded: some hours before its deadline, and when it is overdue.

Both reminders belong to one deadline of a task still owed (pending, in progress or
deferred: ``OVERDUE_STATUSES``). A reminder is keyed on its task, its kind and that
deadline, so:

- moving the deadline, finishing or declining the task drops the reminders of the old
  deadline (those not sent yet) and, while the task is still owed, schedules the new one's;
- each reminder of a deadline is sent at most once, however often it is scheduled or run;
  a task renewed with the very deadline it was already reminded of is not reminded again.

"Before the deadline" is plain hours (a person's "a day before"), the task's own
``remind_before_hours`` or, when it has none, the company's default; 0 turns it off. When
that moment has already passed, a task just set is not reminded (its assignment notice is
fresh), while a deadline moved or a task reopened is reminded at once; one that runs only
after the deadline (the workers were stopped) is dropped, the overdue notice saying more.
The overdue notice is due at the deadline, at once when it has passed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from conveyor.domain.tasks import OVERDUE_STATUSES, Task, TaskStatus

#: The company's default lead time when nobody configured another.
DEFAULT_REMIND_BEFORE_HOURS = 24


class ReminderKind(enum.StrEnum):
    BEFORE_DEADLINE = "before_deadline"
    OVERDUE = "overdue"


@dataclass(frozen=True, kw_only=True)
class ReminderTerms:
    """What a task's reminders depend on."""

    status: TaskStatus
    deadline: datetime | None
    remind_before_hours: int | None

    @classmethod
    def of(cls, task: Task) -> ReminderTerms:
        return cls(
            status=task.status,
            deadline=task.deadline,
            remind_before_hours=task.remind_before_hours,
        )

    @property
    def owed(self) -> bool:
        """Whether there is a deadline someone still owes the work by."""
        return self.deadline is not None and self.status in OVERDUE_STATUSES


@dataclass(frozen=True, kw_only=True)
class Reminder:
    task_id: int
    kind: ReminderKind
    deadline: datetime
    due_at: datetime

    @property
    def key(self) -> str:
        return reminder_key(self.task_id, self.kind, self.deadline)

    def payload(self) -> dict[str, Any]:
        return {"task_id": self.task_id, "deadline": _utc(self.deadline)}


def reminder_key(task_id: int, kind: ReminderKind, deadline: datetime) -> str:
    return f"task-reminder:{task_id}:{kind.value}:{_utc(deadline)}"


def lead_time(remind_before_hours: int | None, company_hours: int) -> timedelta | None:
    """How long before the deadline to remind; ``None``: not at all."""
    hours = company_hours if remind_before_hours is None else remind_before_hours
    return timedelta(hours=hours) if hours > 0 else None


def reminders_for(
    task_id: int, terms: ReminderTerms, *, company_hours: int, now: datetime, catch_up: bool
) -> list[Reminder]:
    """The reminders a task with ``terms`` gets (none when nothing is owed). ``catch_up``:
    the deadline was moved or the task reopened, so a "before" moment already passed is
    due at once instead of skipped."""
    if not terms.owed:
        return []
    deadline = terms.deadline
    assert deadline is not None
    found = []
    lead = lead_time(terms.remind_before_hours, company_hours)
    if lead is not None and now < deadline:
        due = deadline - lead
        if due > now or catch_up:
            found.append(_reminder(task_id, ReminderKind.BEFORE_DEADLINE, deadline, max(due, now)))
    found.append(_reminder(task_id, ReminderKind.OVERDUE, deadline, max(deadline, now)))
    return found


def terms_changed(before: ReminderTerms, after: ReminderTerms, *, company_hours: int) -> bool:
    """Whether the reminders of ``before`` are no longer those of ``after``."""
    if before.owed != after.owed or before.deadline != after.deadline:
        return True
    return lead_time(before.remind_before_hours, company_hours) != lead_time(
        after.remind_before_hours, company_hours
    )


def still_due(kind: ReminderKind, terms: ReminderTerms, deadline: datetime, now: datetime) -> bool:
    """Whether a reminder of ``kind`` scheduled for ``deadline`` should still be sent to a
    task with ``terms`` at ``now``: the work is still owed by that very deadline, which has
    passed for the overdue notice and not yet for the early one (sent late, after a
    stoppage, it would only repeat the overdue notice)."""
    if not terms.owed or terms.deadline != deadline:
        return False
    return (deadline <= now) == (kind is ReminderKind.OVERDUE)


def moment_text(moment: datetime | None, timezone: str) -> str:
    """A moment as a person in ``timezone`` reads it: "2026-03-04 18:00 MSK"; "—" for none."""
    if moment is None:
        return "—"
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".rstrip()


def _reminder(task_id: int, kind: ReminderKind, deadline: datetime, due: datetime) -> Reminder:
    return Reminder(task_id=task_id, kind=kind, deadline=deadline, due_at=due)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
