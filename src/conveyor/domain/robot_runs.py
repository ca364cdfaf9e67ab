"""Robot runs: one robot, for one stage entry of one item.

When an item enters a stage, each enabled robot of the stage gets a run keyed on the
stage entry: (robot, item, ``stage_entered_at``). The key is unique, so a replayed or
repeated entry never makes a second run, and a run acts at most once. Leaving the stage
and coming back is a new entry with new runs.

Life of a run::

    scheduled --due, item still in the entry, condition holds--> fired
        |                                  `--condition false----> skipped
        |                                  `--the action refused--> failed
        |--the date field it follows is empty--------------------> skipped
        |--its job died (never acted)----------------------------> failed
        `--the item left the stage, the robot was deleted------> cancelled

A run whose timing follows a date field of the item (at / before / after it) has its due
time follow the field while it waits: the field changed, the run is due again by the new
value (``services.robot_timing``).

``verdict`` is the pure decision taken before a run acts: whether the item is still in the
run's entry and the robot still there and enabled. A run acts only if it says ``None``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from conveyor.domain.errors import Conflict
from conveyor.domain.events import DomainEvent

#: A reason's detail is cut to this length.
MAX_DETAIL = 2000


class RunState(enum.StrEnum):
    SCHEDULED = "scheduled"
    FIRED = "fired"
    SKIPPED = "skipped"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Reason(enum.StrEnum):
    """Why a run ended as it did, as a stable code (``detail`` says it in words)."""

    #: Fired: the action was carried out.
    DONE = "done"
    CONDITION_FALSE = "condition_false"
    #: The condition could not be evaluated on this item (it counts as false).
    CONDITION_FAILED = "condition_failed"
    #: The action was refused (a field required at the target stage is empty, nobody to
    #: notify, an employee dismissed...): nothing of it was kept.
    ACTION_FAILED = "action_failed"
    LEFT_STAGE = "left_stage"
    ROBOT_DELETED = "robot_deleted"
    ROBOT_DISABLED = "robot_disabled"
    ITEM_DELETED = "item_deleted"
    #: Robots moving the item from stage to stage stopped after ``MAX_CASCADE`` moves.
    CASCADE_LIMIT = "cascade_limit"
    #: The due time could not be computed (working time not counted that far ahead, the
    #: date field the timing follows no longer exists).
    TIMING_FAILED = "timing_failed"
    #: The date field the timing follows is empty (when the item entered the stage, or it
    #: was cleared while the run waited).
    FIELD_EMPTY = "field_empty"
    #: The job that was to fire the run died (its handler failed every attempt, or the
    #: workers running it stopped each time): the run never acted.
    JOB_DIED = "job_died"


@dataclass(frozen=True, kw_only=True)
class StageEntry:
    """One stay of an item at a stage: the key its runs share."""

    item_id: int
    stage_id: int
    entered_at: datetime


@dataclass(kw_only=True)
class RobotRun:
    id: int | None = None
    robot_id: int
    #: The definition the run was scheduled with (it acts with the robot as it is when due).
    robot_version: int
    robot_name: str
    entity_type: str
    item_id: int
    stage_id: int
    stage_entered_at: datetime
    state: RunState = RunState.SCHEDULED
    due_at: datetime
    created_at: datetime
    finished_at: datetime | None = None
    reason: Reason | None = None
    detail: str | None = None
    #: What the action did: ids of the notifications or task written, the stage moved to...
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def entry(self) -> StageEntry:
        return StageEntry(
            item_id=self.item_id, stage_id=self.stage_id, entered_at=self.stage_entered_at
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
        return self._event("RobotRunScheduled", self.created_at, due_at=self.due_at.isoformat())

    def due_again(self, due_at: datetime, now: datetime, *, cause: str) -> DomainEvent | None:
        """A waiting run is due at ``due_at`` instead (the date field it follows changed):
        ``RobotRunRescheduled``, or ``None`` when the moment is the same."""
        if self.state is not RunState.SCHEDULED:
            raise Conflict(f"Robot run {self.id} is already {self.state.value}", field="state")
        if due_at == self.due_at:
            return None
        before, self.due_at = self.due_at, due_at
        return self._event(
            "RobotRunRescheduled",
            now,
            due_at=due_at.isoformat(),
            previous_due_at=before.isoformat(),
            cause=cause,
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
            raise Conflict(f"Robot run {self.id} is already {self.state.value}", field="state")
        self.state = state
        self.reason = reason
        self.detail = detail[:MAX_DETAIL]
        self.finished_at = now
        if data is not None:
            self.data = dict(data)
        kind = {
            RunState.FIRED: "RobotRunFired",
            RunState.SKIPPED: "RobotRunSkipped",
            RunState.FAILED: "RobotRunFailed",
            RunState.CANCELLED: "RobotRunCancelled",
        }[state]
        return self._event(kind, now, reason=reason.value, detail=self.detail, data=self.data)

    def _event(self, kind: str, now: datetime, **payload: Any) -> DomainEvent:
        assert self.id is not None, "a run gets its id when it is added"
        return DomainEvent(
            type=kind,
            entity="robot_run",
            entity_id=self.id,
            occurred_at=now,
            payload={
                "robot_id": self.robot_id,
                "robot_version": self.robot_version,
                "entity_type": self.entity_type,
                "item_id": self.item_id,
                "stage_id": self.stage_id,
                "stage_entered_at": self.stage_entered_at.isoformat(),
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
    run: RobotRun,
    *,
    current: StageEntry | None,
    robot_exists: bool,
    robot_enabled: bool,
) -> Verdict | None:
    """``None`` when the run may act now: the item (``current``: its entry now, ``None``
    when it is gone) is still in the run's entry, and its robot exists and is enabled.
    Otherwise how the run ends instead."""
    if current is None:
        return Verdict(
            state=RunState.CANCELLED, reason=Reason.ITEM_DELETED, detail="the item is gone"
        )
    if current != run.entry:
        return Verdict(
            state=RunState.CANCELLED,
            reason=Reason.LEFT_STAGE,
            detail="the item left the stage before the robot was due",
        )
    if not robot_exists:
        return Verdict(
            state=RunState.CANCELLED,
            reason=Reason.ROBOT_DELETED,
            detail="the robot was deleted",
        )
    if not robot_enabled:
        return Verdict(
            state=RunState.SKIPPED,
            reason=Reason.ROBOT_DISABLED,
            detail="the robot is disabled",
        )
    return None
