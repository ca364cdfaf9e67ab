"""Task robot runs: one task robot, for one status entry of one task.

When a task enters a status (it is created ``pending``, or an action moves it), each enabled
robot of the status whose scope takes the task gets a run keyed on the status entry:
(robot, task, ``status_changed_at``). The key is unique, so a replayed entry never makes a
second run, and a run acts at most once. Leaving the status and coming back is a new entry
with new runs.

Life of a run::

    scheduled --due, task still in the entry, condition holds--> fired
        |                                  `--condition false----> skipped
        |                                  `--the action refused--> failed
        |--its job died (never acted)----------------------------> failed
        `--the task left the status, the robot was deleted-----> cancelled

A run whose timing follows the task's deadline is due by the deadline, and follows it while
it waits: a deadline moved moves the run; a task without a deadline leaves the run waiting
with no due time (``due_at`` ``None``) until it gets one. (A deal robot following an empty
date field ends ``skipped`` instead: a task's deadline is often set after the task is.)

``verdict`` is the pure decision taken before a run acts: whether the task is still in the
run's entry and the robot still there and enabled. A run acts only if it says ``None``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from conveyor.domain.errors import Conflict
from conveyor.domain.events import DomainEvent
from conveyor.domain.robot_runs import MAX_DETAIL, RunState
from conveyor.domain.tasks import TaskStatus

__all__ = ["Reason", "RunState", "StatusEntry", "TaskRobotRun", "Verdict", "verdict"]


class Reason(enum.StrEnum):
    """Why a run ended as it did, as a stable code (``detail`` says it in words)."""

    DONE = "done"
    CONDITION_FALSE = "condition_false"
    #: The condition could not be evaluated on this task (it counts as false).
    CONDITION_FAILED = "condition_failed"
    #: The action was refused (nobody holds the position, the task is completed...):
    #: nothing of it was kept.
    ACTION_FAILED = "action_failed"
    LEFT_STATUS = "left_status"
    ROBOT_DELETED = "robot_deleted"
    ROBOT_DISABLED = "robot_disabled"
    TASK_GONE = "task_gone"
    #: The due time could not be computed (working time not counted that far ahead).
    TIMING_FAILED = "timing_failed"
    #: The job that was to fire the run died: the run never acted.
    JOB_DIED = "job_died"


@dataclass(frozen=True, kw_only=True)
class StatusEntry:
    """One stay of a task in a status: the key its runs share."""

    task_id: int
    status: TaskStatus
    entered_at: datetime


@dataclass(kw_only=True)
class TaskRobotRun:
    id: int | None = None
    robot_id: int
    #: The definition the run was scheduled with (it acts with the robot as it is when due).
    robot_version: int
    robot_name: str
    task_id: int
    status: TaskStatus
    status_changed_at: datetime
    state: RunState = RunState.SCHEDULED
    #: ``None``: waiting for the task to get the deadline its timing follows.
    due_at: datetime | None
    created_at: datetime
    finished_at: datetime | None = None
    reason: Reason | None = None
    detail: str | None = None
    #: What the action did: who was told, who took the task over, the new deadline...
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def entry(self) -> StatusEntry:
        return StatusEntry(
            task_id=self.task_id, status=self.status, entered_at=self.status_changed_at
        )

    @property
    def is_pending(self) -> bool:
        return self.state is RunState.SCHEDULED

    def fired(self, now: datetime, *, detail: str, data: dict[str, Any]) -> DomainEvent:
        return self._end(RunState.FIRED, Reason.DONE, now, detail=detail, data=data)

    def skipped(self, reason: Reason, now: datetime, *, detail: str) -> DomainEvent:
        return self._end(RunState.SKIPPED, reason, now, detail=detail)

    def failed(self, reason: Reason, now: datetime, *, detail: str) -> DomainEvent:
        return self._end(RunState.FAILED, reason, now, detail=detail)

    def cancelled(self, reason: Reason, now: datetime, *, detail: str) -> DomainEvent:
        return self._end(RunState.CANCELLED, reason, now, detail=detail)

    def scheduled_event(self) -> DomainEvent:
        return self._event("TaskRobotRunScheduled", self.created_at, due_at=_iso(self.due_at))

    def due_again(self, due_at: datetime | None, now: datetime) -> DomainEvent | None:
        """A waiting run is due at ``due_at`` instead (the deadline it follows moved, or was
        set or cleared): ``TaskRobotRunRescheduled``, or ``None`` when nothing changes."""
        if self.state is not RunState.SCHEDULED:
            raise Conflict(f"Task robot run {self.id} is already {self.state.value}", field="state")
        if due_at == self.due_at:
            return None
        before, self.due_at = self.due_at, due_at
        return self._event(
            "TaskRobotRunRescheduled",
            now,
            due_at=_iso(due_at),
            previous_due_at=_iso(before),
        )

    def _end(
        self,
        state: RunState,
        reason: Reason,
        now: datetime,
        *,
        detail: str,
        data: dict[str, Any] | None = None,
    ) -> DomainEvent:
        """Only a scheduled run ends, once; the event says how."""
        if self.state is not RunState.SCHEDULED:
            raise Conflict(f"Task robot run {self.id} is already {self.state.value}", field="state")
        self.state = state
        self.reason = reason
        self.detail = detail[:MAX_DETAIL]
        self.finished_at = now
        if data is not None:
            self.data = dict(data)
        kind = {
            RunState.FIRED: "TaskRobotRunFired",
            RunState.SKIPPED: "TaskRobotRunSkipped",
            RunState.FAILED: "TaskRobotRunFailed",
            RunState.CANCELLED: "TaskRobotRunCancelled",
        }[state]
        return self._event(kind, now, reason=reason.value, detail=self.detail, data=self.data)

    def _event(self, kind: str, now: datetime, **payload: Any) -> DomainEvent:
        assert self.id is not None, "a run gets its id when it is added"
        return DomainEvent(
            type=kind,
            entity="task_robot_run",
            entity_id=self.id,
            occurred_at=now,
            payload={
                "robot_id": self.robot_id,
                "robot_version": self.robot_version,
                "task_id": self.task_id,
                "status": self.status.value,
                "status_changed_at": self.status_changed_at.isoformat(),
                **payload,
            },
        )


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """Why a run must not act: the state it ends in, the reason and its words."""

    state: RunState
    reason: Reason
    detail: str


def verdict(
    run: TaskRobotRun,
    *,
    current: StatusEntry | None,
    robot_exists: bool,
    robot_enabled: bool,
) -> Verdict | None:
    """``None`` when the run may act now: the task (``current``: its entry now, ``None``
    when it is gone) is still in the run's entry, and its robot exists and is enabled.
    Otherwise how the run ends instead."""
    if current is None:
        return _stop(RunState.CANCELLED, Reason.TASK_GONE, "the task is gone")
    if current != run.entry:
        return _stop(
            RunState.CANCELLED,
            Reason.LEFT_STATUS,
            f"the task left the status {run.status.value} before the robot was due",
        )
    if not robot_exists:
        return _stop(RunState.CANCELLED, Reason.ROBOT_DELETED, "the robot was deleted")
    if not robot_enabled:
        return _stop(RunState.SKIPPED, Reason.ROBOT_DISABLED, "the robot is disabled")
    return None


def _stop(state: RunState, reason: Reason, detail: str) -> Verdict:
    return Verdict(state=state, reason=reason, detail=detail)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
