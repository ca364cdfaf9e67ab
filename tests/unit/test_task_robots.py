"""Task robots as pure rules: each action's parameters, the timings a task may follow, the
order of a status's list, and when a run may act."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from conveyor.domain.errors import Conflict, InvalidValue
from conveyor.domain.robot_runs import RunState
from conveyor.domain.robots import TimeUnit, Timing, TimingKind
from conveyor.domain.task_robot_params import TaskActionKind, normalize_params, people_named
from conveyor.domain.task_robot_runs import Reason, StatusEntry, TaskRobotRun, verdict
from conveyor.domain.task_robots import TaskRobot, check_order
from conveyor.domain.tasks import TaskStatus

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHIEF = {"position": "Chief accountant"}


def robot(**fields: Any) -> TaskRobot:
    values: dict[str, Any] = {
        "status": TaskStatus.IN_PROGRESS,
        "name": "Overdue payment",
        "action": TaskActionKind.CHANGE_RESPONSIBLE,
        "params": {"to": CHIEF},
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(fields)
    return TaskRobot(**values)


def test_each_action_gets_its_defaults_and_positions_are_tidied() -> None:
    assert normalize_params(TaskActionKind.SHIFT_DEADLINE, {"amount": 2}) == {
        "amount": 2,
        "unit": "days",
        "working": True,
    }
    assert normalize_params(TaskActionKind.CHANGE_RESPONSIBLE, {"to": {"position": " Chief "}}) == {
        "to": {"position": "Chief", "within": "company"}
    }
    assert normalize_params(TaskActionKind.CONTROL, {"text": "Late"}) == {
        "text": "Late",
        "employee_id": None,
    }


@pytest.mark.parametrize(
    ("action", "params", "field"),
    [
        (TaskActionKind.NOTIFY, {"text": "x"}, "action.to"),
        (TaskActionKind.NOTIFY, {"to": [], "text": "x"}, "action.to"),
        (TaskActionKind.NOTIFY, {"to": ["boss"], "text": "x"}, "action.to.0"),
        (TaskActionKind.NOTIFY, {"to": [True], "text": "x"}, "action.to.0"),
        (TaskActionKind.NOTIFY, {"to": ["creator", "creator"], "text": "x"}, "action.to.1"),
        (
            TaskActionKind.NOTIFY,
            {"to": [CHIEF, {"position": "chief accountant"}], "text": "x"},
            "action.to.1",
        ),
        (TaskActionKind.NOTIFY, {"to": [{"position": ""}], "text": "x"}, "action.to.0.position"),
        (
            TaskActionKind.NOTIFY,
            {"to": [{"position": "x", "within": "galaxy"}], "text": "x"},
            "action.to.0.within",
        ),
        (TaskActionKind.NOTIFY, {"to": [{"post": "x"}], "text": "x"}, "action.to.0.post"),
        (TaskActionKind.NOTIFY, {"to": ["head"], "text": " "}, "action.text"),
        (TaskActionKind.NOTIFY, {"to": ["head"], "text": "x", "amount": 1}, "action.amount"),
        (TaskActionKind.CONTROL, {"text": "x", "employee_id": "7"}, "action.employee_id"),
        (TaskActionKind.CHANGE_RESPONSIBLE, {}, "action.to"),
        (TaskActionKind.CHANGE_RESPONSIBLE, {"to": [7, 8]}, "action.to"),
        # "The responsible" cannot become the responsible, nor "the co-executors".
        (TaskActionKind.CHANGE_RESPONSIBLE, {"to": "responsible"}, "action.to"),
        (TaskActionKind.ADD_CO_EXECUTORS, {"to": ["co_executors"]}, "action.to.0"),
        (TaskActionKind.ADD_CO_EXECUTORS, {"to": [0]}, "action.to.0"),
        (TaskActionKind.SHIFT_DEADLINE, {"amount": 0}, "action.amount"),
        (TaskActionKind.SHIFT_DEADLINE, {"amount": 366}, "action.amount"),
        (TaskActionKind.SHIFT_DEADLINE, {"amount": True}, "action.amount"),
        (TaskActionKind.SHIFT_DEADLINE, {"amount": 1, "unit": "weeks"}, "action.unit"),
        (TaskActionKind.SHIFT_DEADLINE, {"amount": 1, "working": "yes"}, "action.working"),
    ],
)
def test_bad_parameters_are_refused_naming_the_parameter(
    action: TaskActionKind, params: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        normalize_params(action, params)
    assert refused.value.field == field


def test_the_people_an_action_names_are_listed_whatever_its_shape() -> None:
    assert people_named({"to": CHIEF}) == [CHIEF]
    assert people_named({"to": [7, "head"]}) == [7, "head"]
    assert people_named({"amount": 1}) == []


def test_a_task_robot_may_follow_only_the_deadline() -> None:
    at_deadline = Timing(kind=TimingKind.AT_FIELD, field="deadline")
    checked = robot()
    checked.set_timing(at_deadline)
    checked.check()
    assert checked.follows_deadline
    other = robot()
    other.set_timing(Timing(kind=TimingKind.AT_FIELD, field="start_at"))
    with pytest.raises(InvalidValue) as refused:
        other.check()
    assert refused.value.field == "timing.field"


def test_a_finished_task_owes_nothing_by_its_deadline() -> None:
    finished = robot(
        status=TaskStatus.COMPLETED,
        action=TaskActionKind.NOTIFY,
        params={"to": ["creator"], "text": "Done"},
    )
    finished.set_timing(
        Timing(kind=TimingKind.AFTER_FIELD, field="deadline", amount=1, unit=TimeUnit.DAYS)
    )
    with pytest.raises(InvalidValue) as refused:
        finished.check()
    assert refused.value.field == "timing.kind"


def test_a_completed_task_robot_cannot_hand_the_task_over() -> None:
    with pytest.raises(InvalidValue) as refused:
        robot(status=TaskStatus.COMPLETED).check()
    assert refused.value.field == "action"


def test_a_robots_name_is_trimmed_and_a_blank_condition_dropped() -> None:
    checked = robot(name="  Overdue  ", condition="  ")
    checked.check()
    assert (checked.name, checked.condition) == ("Overdue", None)
    with pytest.raises(InvalidValue) as refused:
        robot(name=" ").check()
    assert refused.value.field == "name"


def test_a_change_grows_the_version_only_when_something_changed() -> None:
    changed = robot()
    assert changed.change({"name": "Overdue payment", "enabled": True}, now=NOW) == []
    assert changed.version == 1
    later = NOW + timedelta(minutes=1)
    assert changed.change({"enabled": False, "department_id": 3}, now=later) == [
        "department_id",
        "enabled",
    ]
    assert (changed.version, changed.updated_at) == (2, later)
    with pytest.raises(InvalidValue) as refused:
        changed.change({"status": TaskStatus.PENDING}, now=later)
    assert refused.value.field == "status"


@pytest.mark.parametrize(
    ("wanted", "field"),
    [([2, 1, 2], "robot_ids.2"), ([1, 9], "robot_ids.1"), ([2], "robot_ids")],
)
def test_a_new_order_names_every_robot_of_the_status_once(wanted: list[int], field: str) -> None:
    check_order([1, 2], [2, 1])
    with pytest.raises(InvalidValue) as refused:
        check_order([1, 2], wanted)
    assert refused.value.field == field


def run() -> TaskRobotRun:
    return TaskRobotRun(
        id=1,
        robot_id=5,
        robot_version=1,
        robot_name="Overdue payment",
        task_id=7,
        status=TaskStatus.IN_PROGRESS,
        status_changed_at=NOW,
        due_at=NOW + timedelta(days=1),
        created_at=NOW,
    )


def test_a_run_acts_only_in_its_own_status_entry() -> None:
    mine = StatusEntry(task_id=7, status=TaskStatus.IN_PROGRESS, entered_at=NOW)
    assert verdict(run(), current=mine, robot_exists=True, robot_enabled=True) is None
    later = StatusEntry(task_id=7, status=TaskStatus.IN_PROGRESS, entered_at=NOW + timedelta(1))
    left = verdict(run(), current=later, robot_exists=True, robot_enabled=True)
    assert left is not None and (left.state, left.reason) == (
        RunState.CANCELLED,
        Reason.LEFT_STATUS,
    )
    gone = verdict(run(), current=None, robot_exists=True, robot_enabled=True)
    assert gone is not None and gone.reason is Reason.TASK_GONE
    deleted = verdict(run(), current=mine, robot_exists=False, robot_enabled=False)
    assert deleted is not None and deleted.reason is Reason.ROBOT_DELETED
    off = verdict(run(), current=mine, robot_exists=True, robot_enabled=False)
    assert off is not None and (off.state, off.reason) == (RunState.SKIPPED, Reason.ROBOT_DISABLED)


def test_a_run_ends_once_and_follows_its_deadline_while_it_waits() -> None:
    waiting = run()
    assert waiting.due_again(waiting.due_at, NOW) is None
    moved = waiting.due_again(None, NOW)
    assert moved is not None and moved.type == "TaskRobotRunRescheduled"
    assert moved.payload["due_at"] is None and waiting.due_at is None
    event = waiting.fired(NOW, detail="handed over", data={"to": 3})
    assert (event.type, waiting.state, waiting.data) == (
        "TaskRobotRunFired",
        RunState.FIRED,
        {"to": 3},
    )
    with pytest.raises(Conflict):
        waiting.cancelled(Reason.LEFT_STATUS, NOW, detail="late")
    with pytest.raises(Conflict):
        waiting.due_again(NOW, NOW)
