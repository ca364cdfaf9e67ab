"""What follows a change of a task: its people told, its reminders, the tasks after it.

``services/tasks.py`` calls these at the end of its use cases, INSIDE their open unit of
work (nothing here commits):

- ``task_set`` after a task is written (by hand, by a robot, by a rule's hold);
- ``before_change`` / ``task_changed`` around a change of its fields: a new responsible is
  told; a planned start earlier than its predecessors allow is refused (``start_at``); a
  deadline moved later moves what follows; the reminders follow the deadline;
- ``task_acted`` after an action: a task completed (late or not) moves what follows when it
  must, reminders are dropped or scheduled as the task stops or starts being owed, and the
  creator hears of work waiting for their control, the responsible of its acceptance or
  return (``task_control``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from conveyor.domain.errors import InvalidValue
from conveyor.domain.events import DomainEvent
from conveyor.domain.task_reminders import ReminderTerms, moment_text
from conveyor.domain.tasks import Task, TaskAction, TaskStatus
from conveyor.services import task_control, task_reminders, task_shifts
from conveyor.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class Before:
    """A task's state before a change, as what follows it needs to know."""

    terms: ReminderTerms
    responsible_id: int
    start_at: datetime | None
    deadline: datetime | None


def task_set(uow: UnitOfWork, task: Task, *, actor_id: int, held: bool, now: datetime) -> None:
    task_reminders.task_set(uow, task, actor_id=actor_id, held=held, now=now)


def before_change(task: Task) -> Before:
    return Before(
        terms=ReminderTerms.of(task),
        responsible_id=task.responsible_id,
        start_at=task.start_at,
        deadline=task.deadline,
    )


def task_changed(
    uow: UnitOfWork, task: Task, before: Before, *, actor_id: int, now: datetime
) -> None:
    assert task.id is not None
    if task.responsible_id != before.responsible_id:
        task_reminders.handed_over(uow, task, actor_id=actor_id, now=now)
    if task.start_at is not None and task.start_at != before.start_at:
        _check_start(uow, task)
    if task.deadline is not None and (before.deadline is None or task.deadline > before.deadline):
        task_shifts.shift_following(uow, [task.id], now=now)
    task_reminders.reschedule(uow, task, before=before.terms, now=now)


def task_acted(uow: UnitOfWork, task: Task, event: DomainEvent, *, now: datetime) -> None:
    assert task.id is not None
    before = ReminderTerms(
        status=TaskStatus(event.payload["from"]),
        deadline=task.deadline,
        remind_before_hours=task.remind_before_hours,
    )
    if task.status is TaskStatus.COMPLETED or event.payload["action"] == TaskAction.RENEW:
        # Finished (its finish is now when) or reopened (its finish is its deadline again).
        task_shifts.shift_following(uow, [task.id], now=now)
    task_reminders.reschedule(uow, task, before=before, now=now)
    task_control.acted(uow, task, event, now=now)


def _check_start(uow: UnitOfWork, task: Task) -> None:
    """Refuse a planned start before the task's predecessors finish plus their lag."""
    assert task.start_at is not None
    found = task_shifts.earliest_start_of(uow, task)
    if found is None or task.start_at >= found[0]:
        return
    earliest, after_id = found
    zone = uow.employees.get(task.responsible_id).timezone
    raise InvalidValue(
        f"Task {task.id} follows task {after_id}, so it may start at "
        f"{moment_text(earliest, zone)} at the earliest",
        field="start_at",
    )
