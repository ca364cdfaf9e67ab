"""Task robots: what happens by itself while a task stays in a status.

"No progress by the deadline → hand the task to the chief accountant", "waiting for
acceptance a working day → add two co-executors": a task robot is a definition (its runs
are ``domain.task_robot_runs``) that belongs to one task STATUS and has a place in that
status's ordered list (``position``). Every status may have robots, the finishing ones
(``completed``, ``declined``) too ("on finish: tell the creator's head").

- ``department_id`` (optional) is the robot's scope: it watches only the tasks whose
  responsible, when the task enters the status, belongs to that department or to one below
  it; without it, every task of the company. A task robot is company-wide set-up, so the
  scope is what keeps the accountants' robots off the designers' tasks.
- ``condition``: a safe expression over ``task`` (its title, status, responsible_id,
  creator_id, requires_acceptance, item_id, company_id, ``overdue``, ``co_executor_ids``,
  ``deadline`` — as text, or ``None``), its ``responsible`` (name, position, ...) and its
  ``company``; checked when the robot is about to act (``"payment" in lower(task.title)``).
- ``timing``: the robots' own ``domain.robots.Timing``, counted from the moment the task
  entered the status (immediately; after N minutes/hours/days; after N working
  days/hours on the responsible's schedule; only within working hours), or from the task's
  ``deadline`` (``at_field`` / ``before_field`` / ``after_field`` with ``field:
  "deadline"``): "at the deadline", "1 working day after the deadline".
- the action and its ``params``: ``domain.task_robot_params``.

``check`` enforces what the robot alone can tell, naming the field at fault; the people it
names, its condition and its templates are checked by the service on save. ``version``
starts at 1 and grows by one on every change, so a run names the definition it followed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from conveyor.domain import definitions
from conveyor.domain.definitions import apply_changes
from conveyor.domain.errors import InvalidValue
from conveyor.domain.robots import MAX_NAME, TimeUnit, Timing, TimingKind
from conveyor.domain.task_robot_params import TaskActionKind, normalize_params
from conveyor.domain.tasks import TaskStatus

#: A status's list is short: a long one is a modelling mistake (each robot runs per entry).
MAX_ROBOTS_PER_STATUS = 50
#: The one date of a task a timing may follow.
DEADLINE = "deadline"
#: Statuses a task leaves only when someone renews it: the deadline means nothing there.
FINISHED = frozenset({TaskStatus.COMPLETED, TaskStatus.DECLINED})


@dataclass(kw_only=True)
class TaskRobot:
    """One robot of one task status (see the module)."""

    id: int | None = None
    status: TaskStatus
    #: The robot's place in its status's list, 0 first; robots act in this order.
    position: int = 0
    name: str
    enabled: bool = True
    #: The scope: tasks whose responsible is in this department or one below it.
    department_id: int | None = None
    condition: str | None = None
    timing_kind: TimingKind = TimingKind.IMMEDIATELY
    delay_amount: int = 0
    delay_unit: TimeUnit | None = None
    working_hours_only: bool = False
    timing_field: str | None = None
    timing_working: bool = False
    action: TaskActionKind
    params: dict[str, Any] = field(default_factory=dict)
    version: int = 1
    created_at: datetime
    updated_at: datetime

    @property
    def timing(self) -> Timing:
        return Timing(
            kind=self.timing_kind,
            amount=self.delay_amount,
            unit=self.delay_unit,
            working_hours_only=self.working_hours_only,
            field=self.timing_field,
            working=self.timing_working,
        )

    def set_timing(self, timing: Timing) -> None:
        self.timing_kind = timing.kind
        self.delay_amount = timing.amount
        self.delay_unit = timing.unit
        self.working_hours_only = timing.working_hours_only
        self.timing_field = timing.field
        self.timing_working = timing.working

    @property
    def follows_deadline(self) -> bool:
        return self.timing.follows_field

    def check(self) -> None:
        """Refuse, naming the field, what is wrong with the robot on its own; ``params``
        are normalised for the action (defaults filled in)."""
        name = self.name.strip()
        if not name or len(name) > MAX_NAME:
            raise InvalidValue(f"A robot's name is 1 to {MAX_NAME} characters", field="name")
        self.name = name
        if self.condition is not None and not self.condition.strip():
            self.condition = None
        check_timing(self.timing, self.status)
        self.params = normalize_params(self.action, self.params)
        if self.action is TaskActionKind.CHANGE_RESPONSIBLE and self.status is TaskStatus.COMPLETED:
            raise InvalidValue(
                "A completed task keeps who completed it: its responsible cannot change",
                field="action",
            )

    def change(self, changes: Mapping[str, Any], *, now: datetime) -> list[str]:
        """Apply ``changes`` and return the names that really changed (see
        ``definitions.apply_changes``); ``check`` is up to the caller."""
        return apply_changes(self, changes, CHANGEABLE, now=now)

    def summary(self) -> dict[str, Any]:
        """The robot's identity for events: JSON-able."""
        return {
            "name": self.name,
            "version": self.version,
            "status": self.status.value,
            "position": self.position,
            "department_id": self.department_id,
            "action": self.action.value,
            "enabled": self.enabled,
        }


#: What ``TaskRobot.change`` may set besides ``timing``; a robot stays on its status.
CHANGEABLE = frozenset({"name", "enabled", "department_id", "condition", "action", "params"})


def check_timing(timing: Timing, status: TaskStatus) -> None:
    """The robots' timing rules, and the task's: the only date a timing follows is the
    deadline, and not at a finishing status."""
    timing.check()
    if not timing.follows_field:
        return
    if timing.field != DEADLINE:
        raise InvalidValue(
            f"A task robot's timing follows the task's '{DEADLINE}', not '{timing.field}'",
            field="timing.field",
        )
    if status in FINISHED:
        raise InvalidValue(
            f"A {status.value} task owes nothing by its deadline: time this robot from "
            "the moment the task got there",
            field="timing.kind",
        )


def check_order(current_ids: list[int], wanted_ids: list[int]) -> None:
    """Refuse a new order of a status's robots unless it names each of them exactly once."""
    definitions.check_order(
        current_ids, wanted_ids, noun="robot", place="status", field="robot_ids"
    )


__all__ = [
    "CHANGEABLE",
    "DEADLINE",
    "FINISHED",
    "MAX_ROBOTS_PER_STATUS",
    "TaskRobot",
    "check_order",
    "check_timing",
]
