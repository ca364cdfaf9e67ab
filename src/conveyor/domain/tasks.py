"""Tasks: who does what by when, with optional acceptance by the creator."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from conveyor.domain.errors import Forbidden, TransitionNotAllowed
from conveyor.domain.events import DomainEvent


class TaskStatus(enum.StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    AWAITING_CONTROL = "awaiting_control"
    COMPLETED = "completed"
    DEFERRED = "deferred"
    DECLINED = "declined"


class TaskAction(enum.StrEnum):
    START = "start"
    PAUSE = "pause"
    COMPLETE = "complete"
    ACCEPT = "accept"
    RETURN = "return"
    DEFER = "defer"
    RESUME = "resume"
    DECLINE = "decline"
    RENEW = "renew"


class MemberRole(enum.StrEnum):
    CO_EXECUTOR = "co_executor"
    OBSERVER = "observer"


S = TaskStatus
# Work still on someone's plate; "in work" counts these.
OPEN_STATUSES = frozenset({S.PENDING, S.IN_PROGRESS})
# A deadline can be missed only while the responsible still owes the work.
OVERDUE_STATUSES = frozenset({S.PENDING, S.IN_PROGRESS, S.DEFERRED})

# action -> (statuses it may start from, who may take it, resulting status)
# "executor" is the responsible or a co-executor; "creator" is who set the task.
_RULES: dict[TaskAction, tuple[frozenset[TaskStatus], str, TaskStatus]] = {
    TaskAction.START: (frozenset({S.PENDING}), "executor", S.IN_PROGRESS),
    TaskAction.PAUSE: (frozenset({S.IN_PROGRESS}), "executor", S.PENDING),
    TaskAction.COMPLETE: (frozenset({S.PENDING, S.IN_PROGRESS}), "executor", S.COMPLETED),
    TaskAction.ACCEPT: (frozenset({S.AWAITING_CONTROL}), "creator", S.COMPLETED),
    TaskAction.RETURN: (frozenset({S.AWAITING_CONTROL}), "creator", S.IN_PROGRESS),
    TaskAction.DEFER: (frozenset({S.PENDING, S.IN_PROGRESS}), "executor", S.DEFERRED),
    TaskAction.RESUME: (frozenset({S.DEFERRED}), "executor", S.PENDING),
    TaskAction.DECLINE: (frozenset({S.PENDING}), "responsible", S.DECLINED),
    TaskAction.RENEW: (frozenset({S.COMPLETED, S.DECLINED}), "creator", S.PENDING),
}


@dataclass(kw_only=True)
class Task:
    id: int | None = None
    title: str
    description: str = ""
    creator_id: int
    responsible_id: int
    status: TaskStatus = TaskStatus.PENDING
    deadline: datetime | None = None
    requires_acceptance: bool = False
    item_id: int | None = None
    created_at: datetime
    updated_at: datetime
    status_changed_at: datetime
    completed_at: datetime | None = None

    def is_overdue(self, now: datetime) -> bool:
        return self.deadline is not None and self.status in OVERDUE_STATUSES and self.deadline < now

    def take(
        self,
        action: TaskAction,
        *,
        actor_id: int,
        co_executor_ids: frozenset[int] = frozenset(),
        is_admin: bool = False,
        comment: str | None = None,
        now: datetime,
    ) -> DomainEvent:
        """Apply ``action`` by ``actor_id``; returns the event describing the change.

        Completing a task that requires acceptance leads to awaiting control; the
        creator then accepts it (completed) or returns it (in progress) with a comment.
        """
        allowed_from, who, target = _RULES[action]
        if not is_admin and not self._may(who, actor_id, co_executor_ids):
            raise Forbidden(f"Only the task's {who} may {action.value} it")
        if self.status not in allowed_from:
            raise TransitionNotAllowed(
                f"Cannot {action.value} a task that is {self.status.value}", field="action"
            )
        if action is TaskAction.COMPLETE and self.requires_acceptance:
            target = S.AWAITING_CONTROL
        previous = self.status
        self.status = target
        self.status_changed_at = now
        self.updated_at = now
        self.completed_at = now if target is S.COMPLETED else None
        assert self.id is not None
        return DomainEvent(
            type=_EVENT_NAMES.get(target, "TaskStatusChanged"),
            entity="task",
            entity_id=self.id,
            occurred_at=now,
            payload={
                "action": action.value,
                "from": previous.value,
                "to": target.value,
                "actor_id": actor_id,
                "comment": comment,
            },
        )

    def _may(self, who: str, actor_id: int, co_executor_ids: frozenset[int]) -> bool:
        if who == "creator":
            return actor_id == self.creator_id
        if who == "responsible":
            return actor_id == self.responsible_id
        return actor_id == self.responsible_id or actor_id in co_executor_ids


_EVENT_NAMES = {
    S.COMPLETED: "TaskCompleted",
    S.AWAITING_CONTROL: "TaskAwaitingControl",
    S.DEFERRED: "TaskDeferred",
    S.DECLINED: "TaskDeclined",
}


@dataclass(kw_only=True)
class TaskMember:
    task_id: int
    employee_id: int
    role: MemberRole
