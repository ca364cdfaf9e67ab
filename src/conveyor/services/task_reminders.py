"""Task reminders: who hears that a task is theirs, due soon or overdue, and when.

Everything here runs INSIDE the caller's open unit of work and never commits: a reminder's
job is written (or dropped) in the transaction of the change that causes it
(``domain/task_reminders.py`` says which reminders a task gets).

- ``task_set``: a task just written; its responsible learns it is theirs, unless they set
  it themselves or merely hold it for a task rule (the rule's pick is told by the
  assignment engine's ``item_assigned`` notice, never twice); its reminders are scheduled.
- ``handed_over``: a new responsible learns the task is theirs (reminders go to whoever is
  responsible when they are sent, so nothing is rescheduled).
- ``reschedule``: after a change of the deadline, the lead time or the status, the pending
  reminders of the old deadline are dropped and the new ones scheduled.
- ``send_before_deadline`` and ``send_overdue`` are the jobs' handlers. Under the task's
  lock they check that the work is still owed by the very deadline they were scheduled
  for, and that this reminder was not sent already (its ``TaskReminded`` event), so a job
  run twice, or one that lost a race with a change, tells nobody twice. A "before" job
  scheduled under a longer company lead time than today's waits: it is made due again at
  the deadline minus the current lead time (a change of the company's lead time moves no
  job by itself).

Reminders go to the responsible and to the creator (once when they are the same person),
each with the deadline on their own wall clock.

The company's lead time is the organization's ``task_remind_hours`` (``PATCH
/organization``), read from the database where every worker sees the same; a task's own
``remind_before_hours`` wins over it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from conveyor.domain.actors import SYSTEM
from conveyor.domain.errors import InvalidValue
from conveyor.domain.events import DomainEvent
from conveyor.domain.notification_texts import TASK_ASSIGNED, TASK_OVERDUE, TASK_REMINDER
from conveyor.domain.notifications import Link
from conveyor.domain.task_reminders import (
    ReminderKind,
    ReminderTerms,
    lead_time,
    moment_text,
    reminder_key,
    reminders_for,
    still_due,
    terms_changed,
)
from conveyor.domain.tasks import Task
from conveyor.services.jobs import JobHandlers, schedule
from conveyor.services.notifications import notify
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = [
    "JOB_KINDS",
    "company_hours",
    "handed_over",
    "register",
    "reschedule",
    "send_before_deadline",
    "send_overdue",
    "task_set",
]

#: The job kind of each reminder: payload ``{"task_id": <id>, "deadline": <ISO, UTC>}``.
JOB_KINDS = {
    ReminderKind.BEFORE_DEADLINE: "task.remind",
    ReminderKind.OVERDUE: "task.overdue",
}
#: The event that records a reminder sent (and keeps it from being sent twice).
REMINDED = "TaskReminded"


def company_hours(uow: UnitOfWork) -> int:
    """The organization's lead time (``PATCH /organization``, ``task_remind_hours``)."""
    return uow.organization.current().task_remind_hours


def register(handlers: JobHandlers) -> None:
    """Register the reminders' job kinds on a worker's registry."""
    handlers.register(JOB_KINDS[ReminderKind.BEFORE_DEADLINE], send_before_deadline)
    handlers.register(JOB_KINDS[ReminderKind.OVERDUE], send_overdue)


def task_set(uow: UnitOfWork, task: Task, *, actor_id: int, held: bool, now: datetime) -> None:
    """A task was just written (see the module); ``held``: its responsible only holds it
    until a task rule picks someone."""
    if not held:
        handed_over(uow, task, actor_id=actor_id, now=now)
    reschedule(uow, task, before=None, now=now)


def handed_over(uow: UnitOfWork, task: Task, *, actor_id: int, now: datetime) -> None:
    """The task's responsible learns that ``actor_id`` (or, for the system, the task's
    creator) set the task for them; nobody is told of what they did themselves."""
    if task.responsible_id == actor_id:
        return
    by_id = task.creator_id if actor_id == SYSTEM.employee_id else actor_id
    by = uow.employees.find(by_id)
    employee = uow.employees.find(task.responsible_id)
    timezone = employee.timezone if employee is not None else "UTC"
    notify(
        uow,
        recipient_ids=[task.responsible_id],
        kind=TASK_ASSIGNED,
        params={
            "title": task.title,
            "by": f"#{by_id}" if by is None else by.name,
            "deadline": moment_text(task.deadline, timezone),
        },
        link=_link(task),
        now=now,
    )


def reschedule(uow: UnitOfWork, task: Task, *, before: ReminderTerms | None, now: datetime) -> None:
    """Bring the task's reminder jobs in line with its terms, ``before`` being its terms
    before the change (``None``: a task just written)."""
    after = ReminderTerms.of(task)
    hours = company_hours(uow)
    if before is not None:
        if not terms_changed(before, after, company_hours=hours):
            return
        if before.deadline is not None:
            for kind in ReminderKind:
                uow.jobs.cancel_pending(reminder_key(_id(task), kind, before.deadline))
    for reminder in reminders_for(
        _id(task), after, company_hours=hours, now=now, catch_up=before is not None
    ):
        schedule(
            uow,
            kind=JOB_KINDS[reminder.kind],
            payload=reminder.payload(),
            due_at=reminder.due_at,
            now=now,
            key=reminder.key,
        )


def send_before_deadline(uow: UnitOfWork, payload: dict[str, Any], now: datetime) -> None:
    """The job "N hours before the deadline" (see the module)."""
    _send(uow, ReminderKind.BEFORE_DEADLINE, payload, now)


def send_overdue(uow: UnitOfWork, payload: dict[str, Any], now: datetime) -> None:
    """The job "at the deadline" (see the module)."""
    _send(uow, ReminderKind.OVERDUE, payload, now)


def _send(uow: UnitOfWork, kind: ReminderKind, payload: dict[str, Any], now: datetime) -> None:
    task_id, deadline = _parsed(payload)
    task = uow.tasks.find(task_id, for_update=True)
    if task is None or not still_due(kind, ReminderTerms.of(task), deadline, now):
        return
    if kind is ReminderKind.BEFORE_DEADLINE:
        lead = lead_time(task.remind_before_hours, company_hours(uow))
        if lead is None:
            return
        if now < deadline - lead:
            # Not yet: this very job waits for the moment the current lead time says.
            key = reminder_key(task_id, kind, deadline)
            uow.robot_runs.rearm_job(key, due_at=deadline - lead)
            return
    stamp = deadline.astimezone(UTC).isoformat()
    for event in uow.events.where(entity="task", entity_id=task_id, type=REMINDED):
        if event.payload.get("reminder") == kind.value and event.payload.get("deadline") == stamp:
            return
    recipients = list(dict.fromkeys([task.responsible_id, task.creator_id]))
    told: list[int] = []
    for recipient_id in recipients:
        employee = uow.employees.find(recipient_id)
        if employee is None:
            continue
        written = notify(
            uow,
            recipient_ids=[recipient_id],
            kind=TASK_REMINDER if kind is ReminderKind.BEFORE_DEADLINE else TASK_OVERDUE,
            params={"title": task.title, "deadline": moment_text(deadline, employee.timezone)},
            link=_link(task),
            now=now,
        )
        told += [n.recipient_id for n in written]
    uow.emit(
        task_event(
            task,
            REMINDED,
            now,
            reminder=kind.value,
            deadline=stamp,
            recipient_ids=told,
        )
    )


def _parsed(payload: dict[str, Any]) -> tuple[int, datetime]:
    task_id = payload.get("task_id")
    if not isinstance(task_id, int) or isinstance(task_id, bool):
        raise InvalidValue("A reminder job names its task by id", field="payload.task_id")
    try:
        deadline = datetime.fromisoformat(str(payload.get("deadline")))
    except ValueError:
        raise InvalidValue(
            "A reminder job names the deadline it is for", field="payload.deadline"
        ) from None
    if deadline.tzinfo is None:
        raise InvalidValue(
            "The deadline of a reminder job has a timezone", field="payload.deadline"
        )
    return task_id, deadline


def task_event(task: Task, kind: str, now: datetime, **payload: object) -> DomainEvent:
    return DomainEvent(
        type=kind, entity="task", entity_id=_id(task), occurred_at=now, payload=payload
    )


def _link(task: Task) -> Link:
    return Link(entity="task", id=_id(task))


def _id(task: Task) -> int:
    assert task.id is not None
    return task.id
