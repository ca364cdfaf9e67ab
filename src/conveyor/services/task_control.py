"""Tasks under the creator's control: who hears that work waits for them, was accepted or
was returned.

``acted`` runs INSIDE the caller's open unit of work after an action on a task (through
``task_motion.task_acted``) and never commits:

- completed and now awaiting control: the creator (the controller) learns who finished it
  and that it is theirs to accept or return;
- accepted: the responsible learns their work is accepted;
- returned: the responsible learns it came back, with the creator's comment.

Nobody is told of what they did themselves (a creator completing their own task, say).
"""

from __future__ import annotations

from datetime import datetime

from conveyor.domain.actors import SYSTEM
from conveyor.domain.events import DomainEvent
from conveyor.domain.notification_texts import (
    TASK_ACCEPTED,
    TASK_AWAITING_CONTROL,
    TASK_RETURNED,
)
from conveyor.domain.notifications import Link
from conveyor.domain.tasks import Task, TaskAction, TaskStatus
from conveyor.services.notifications import notify
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = ["acted"]


def acted(uow: UnitOfWork, task: Task, event: DomainEvent, *, now: datetime) -> None:
    """Tell whoever the action ``event`` records concerns (see the module)."""
    action = TaskAction(event.payload["action"])
    actor_id = int(event.payload["actor_id"])
    if action is TaskAction.COMPLETE and task.status is TaskStatus.AWAITING_CONTROL:
        # The system acting finishes on the responsible's behalf.
        by_id = task.responsible_id if actor_id == SYSTEM.employee_id else actor_id
        _tell(uow, task, task.creator_id, TASK_AWAITING_CONTROL, by_id=by_id, now=now)
    elif action is TaskAction.ACCEPT:
        by_id = task.creator_id if actor_id == SYSTEM.employee_id else actor_id
        _tell(uow, task, task.responsible_id, TASK_ACCEPTED, by_id=by_id, now=now)
    elif action is TaskAction.RETURN:
        by_id = task.creator_id if actor_id == SYSTEM.employee_id else actor_id
        comment = str(event.payload.get("comment") or "")
        _tell(uow, task, task.responsible_id, TASK_RETURNED, by_id=by_id, now=now, comment=comment)


def _tell(
    uow: UnitOfWork,
    task: Task,
    recipient_id: int,
    kind: str,
    *,
    by_id: int,
    now: datetime,
    **more: str,
) -> None:
    if recipient_id == by_id:
        return
    by = uow.employees.find(by_id)
    assert task.id is not None
    notify(
        uow,
        recipient_ids=[recipient_id],
        kind=kind,
        params={"title": task.title, "by": f"#{by_id}" if by is None else by.name, **more},
        link=Link(entity="task", id=task.id),
        now=now,
    )
