"""Tasks: who does what by when, with optional acceptance by the creator.

Who may do what (admins may do everything on anyone's behalf, e.g. to unblock a task
whose creator left):

- start, pause, complete, defer, resume: the responsible or a co-executor;
- decline: the responsible only;
- accept, return (with a comment), renew: the creator;
- edit: the creator every field; the responsible only the co-executors and observers
  (asking for help and keeping people informed without renegotiating the task itself).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from conveyor.domain.actors import SYSTEM
from conveyor.domain.errors import Forbidden, InvalidValue, NaiveDatetime, TransitionNotAllowed
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
A = TaskAction
# Work still on someone's plate; "in work" counts these.
OPEN_STATUSES = frozenset({S.PENDING, S.IN_PROGRESS})
# A deadline can be missed only while the responsible still owes the work.
OVERDUE_STATUSES = frozenset({S.PENDING, S.IN_PROGRESS, S.DEFERRED})

# action -> (statuses it may start from, who may take it, resulting status)
# "executor" is the responsible or a co-executor; "creator" is who set the task.
_RULES: dict[TaskAction, tuple[frozenset[TaskStatus], str, TaskStatus]] = {
    A.START: (frozenset({S.PENDING}), "executor", S.IN_PROGRESS),
    A.PAUSE: (frozenset({S.IN_PROGRESS}), "executor", S.PENDING),
    A.COMPLETE: (frozenset({S.PENDING, S.IN_PROGRESS}), "executor", S.COMPLETED),
    A.ACCEPT: (frozenset({S.AWAITING_CONTROL}), "creator", S.COMPLETED),
    A.RETURN: (frozenset({S.AWAITING_CONTROL}), "creator", S.IN_PROGRESS),
    A.DEFER: (frozenset({S.PENDING, S.IN_PROGRESS}), "executor", S.DEFERRED),
    A.RESUME: (frozenset({S.DEFERRED}), "executor", S.PENDING),
    A.DECLINE: (frozenset({S.PENDING}), "responsible", S.DECLINED),
    A.RENEW: (frozenset({S.COMPLETED, S.DECLINED}), "creator", S.PENDING),
}

# Past-tense names; both ways of finishing (complete without control, accept) are
# "TaskCompleted" so that whoever reacts to finished work listens to one event.
_EVENT_NAMES = {
    A.START: "TaskStarted",
    A.PAUSE: "TaskPaused",
    A.COMPLETE: "TaskCompleted",
    A.ACCEPT: "TaskCompleted",
    A.RETURN: "TaskReturned",
    A.DEFER: "TaskDeferred",
    A.RESUME: "TaskResumed",
    A.DECLINE: "TaskDeclined",
    A.RENEW: "TaskRenewed",
}

#: The fields of a task its responsible may change; the creator (and admins) may change all.
RESPONSIBLE_MAY_EDIT = frozenset({"co_executor_ids", "observer_ids"})
#: The plain fields ``Task.edit`` changes.
_EDITABLE = (
    "title",
    "description",
    "deadline",
    "start_at",
    "requires_acceptance",
    "item_id",
    "remind_before_hours",
)
#: The longest reminder lead time: a year.
MAX_REMIND_BEFORE_HOURS = 8760


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
    #: The company the task is about (a call distribution's call task names its company).
    company_id: int | None = None
    created_at: datetime
    updated_at: datetime
    status_changed_at: datetime
    completed_at: datetime | None = None
    #: The planned start; dependencies place a successor's after its predecessors' finish.
    start_at: datetime | None = None
    #: Hours before the deadline the responsible and the creator are reminded: ``None`` the
    #: company's default, 0 no reminder (``domain/task_reminders.py``).
    remind_before_hours: int | None = None
    #: The return the current work answers to: when, by whom and why the creator sent it back.
    #: Cleared when the task finishes (completed or declined); every return stays in the
    #: task's events (``TaskReturned``).
    returned_at: datetime | None = None
    #: ``None`` also when the system returned it.
    returned_by_id: int | None = None
    return_comment: str | None = None

    def __post_init__(self) -> None:
        check_title(self.title)
        check_deadline(self.deadline)
        check_start(self.start_at, self.deadline)
        check_remind_before_hours(self.remind_before_hours)

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
        creator then accepts it (completed) or returns it (in progress) with a comment, which
        the task keeps (``return_comment``) until it finishes.
        Refused, changing nothing: ``Forbidden`` for the wrong person, then
        ``TransitionNotAllowed`` (naming the current status) for the wrong state, then
        ``InvalidValue`` on ``comment`` for a return without one.
        """
        allowed_from, who, target = _RULES[action]
        if not is_admin and not self._may(who, actor_id, co_executor_ids):
            raise Forbidden(f"Only the task's {who} may {action.value} it")
        if self.status not in allowed_from:
            raise TransitionNotAllowed(
                f"Cannot {action.value} a task that is {self.status.value}", field="action"
            )
        comment = (comment or "").strip() or None
        if action is A.RETURN and comment is None:
            raise InvalidValue("Say why the task is returned", field="comment")
        if action is A.COMPLETE and self.requires_acceptance:
            target = S.AWAITING_CONTROL
        previous = self.status
        self.status = target
        self.status_changed_at = now
        self.updated_at = now
        self.completed_at = now if target is S.COMPLETED else None
        if action is A.RETURN:
            # The system returning (a script, the CLI) is nobody: no one to name.
            by = None if actor_id == SYSTEM.employee_id else actor_id
            self.returned_at, self.returned_by_id, self.return_comment = now, by, comment
        elif target in (S.COMPLETED, S.DECLINED):
            self.returned_at = self.returned_by_id = self.return_comment = None
        kind = "TaskAwaitingControl" if target is S.AWAITING_CONTROL else _EVENT_NAMES[action]
        return self._event(
            kind,
            now,
            action=action.value,
            actor_id=actor_id,
            comment=comment,
            **{"from": previous.value, "to": target.value},
        )

    def edit(self, changes: dict[str, object], *, now: datetime) -> list[str]:
        """Apply the plain-field ``changes`` (title, description, deadline, start_at,
        requires_acceptance, item_id, remind_before_hours); returns the names of fields that
        really changed.

        The responsible is changed with ``hand_over`` and members by the service.
        """
        changed: list[str] = []
        if "start_at" in changes or "deadline" in changes:
            start, deadline = (changes.get(n, getattr(self, n)) for n in ("start_at", "deadline"))
            check_start(start, deadline)  # type: ignore[arg-type]
        if "remind_before_hours" in changes:
            check_remind_before_hours(changes["remind_before_hours"])  # type: ignore[arg-type]
        for name in _EDITABLE:
            if name not in changes or changes[name] == getattr(self, name):
                continue
            if name == "title":
                check_title(str(changes[name]))
            setattr(self, name, changes[name])
            changed.append(name)
        if changed:
            self.updated_at = now
        return changed

    def hand_over(self, responsible_id: int, *, actor_id: int, now: datetime) -> DomainEvent | None:
        """Make ``responsible_id`` the responsible; None when they already are.

        A completed task keeps who completed it: renew it first.
        """
        if responsible_id == self.responsible_id:
            return None
        if self.status is S.COMPLETED:
            raise TransitionNotAllowed(
                "Cannot change the responsible of a task that is completed; renew it first",
                field="responsible_id",
            )
        previous = self.responsible_id
        self.responsible_id = responsible_id
        self.updated_at = now
        return self._event(
            "TaskResponsibleChanged",
            now,
            actor_id=actor_id,
            **{"from": previous, "to": responsible_id},
        )

    def check_may_edit(self, fields: set[str], *, actor_id: int, is_admin: bool) -> None:
        """Refuse with ``Forbidden`` unless ``actor_id`` may change every one of ``fields``."""
        if is_admin or actor_id == self.creator_id:
            return
        if actor_id == self.responsible_id:
            refused = sorted(fields - RESPONSIBLE_MAY_EDIT)
            if refused:
                raise Forbidden(
                    f"The responsible may change only co-executors and observers, not {refused[0]}",
                    field=refused[0],
                )
            return
        raise Forbidden("Only the task's creator or responsible may change it")

    def _may(self, who: str, actor_id: int, co_executor_ids: frozenset[int]) -> bool:
        if who == "creator":
            return actor_id == self.creator_id
        if who == "responsible":
            return actor_id == self.responsible_id
        return actor_id == self.responsible_id or actor_id in co_executor_ids

    def _event(self, kind: str, now: datetime, **payload: object) -> DomainEvent:
        assert self.id is not None, "a task gets its id when it is added"
        return DomainEvent(
            type=kind, entity="task", entity_id=self.id, occurred_at=now, payload=payload
        )


@dataclass(kw_only=True)
class TaskMember:
    task_id: int
    employee_id: int
    role: MemberRole


def check_title(title: str) -> None:
    if not title.strip():
        raise InvalidValue("A task needs a title", field="title")


def check_deadline(deadline: datetime | None) -> None:
    if deadline is not None and deadline.tzinfo is None:
        raise NaiveDatetime("The deadline needs a timezone", field="deadline")


def check_start(start_at: datetime | None, deadline: datetime | None) -> None:
    """A planned start has a timezone and is not after the deadline."""
    check_deadline(deadline)
    if start_at is None:
        return
    if start_at.tzinfo is None:
        raise NaiveDatetime("The planned start needs a timezone", field="start_at")
    if deadline is not None and start_at > deadline:
        raise InvalidValue("The planned start is after the deadline", field="start_at")


def check_remind_before_hours(hours: int | None) -> None:
    if hours is None:
        return
    if isinstance(hours, bool) or not isinstance(hours, int):
        raise InvalidValue(
            "Hours before the deadline are a whole number", field="remind_before_hours"
        )
    if not 0 <= hours <= MAX_REMIND_BEFORE_HOURS:
        raise InvalidValue(
            f"Hours before the deadline are 0 (no reminder) to {MAX_REMIND_BEFORE_HOURS}",
            field="remind_before_hours",
        )


@dataclass(frozen=True, kw_only=True)
class TaskQuery:
    """Which tasks a list shows; ``None`` or empty means "any". ``deadline`` is ``[from, to)``.

    ``member_id`` matches co-executors and observers; ``overdue`` is judged at the ``now``
    the query runs with.
    """

    responsible_id: int | None = None
    creator_id: int | None = None
    member_id: int | None = None
    statuses: frozenset[TaskStatus] = frozenset()
    overdue: bool | None = None
    item_id: int | None = None
    company_id: int | None = None
    deadline_from: datetime | None = None
    deadline_to: datetime | None = None
    #: Set for the employee role: only tasks they create, do or observe.
    visible_to_id: int | None = None
