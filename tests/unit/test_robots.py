"""Robot definitions and runs as pure rules: parameters per action, the order of a
stage's list, and when a run may act."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from conveyor.domain.errors import Conflict, InvalidValue
from conveyor.domain.pipelines import EntityType
from conveyor.domain.robot_params import ActionKind, normalize_params
from conveyor.domain.robot_runs import Reason, RobotRun, RunState, StageEntry, verdict
from conveyor.domain.robots import Robot, check_order

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_an_actions_parameters_get_their_defaults() -> None:
    assert normalize_params(ActionKind.CREATE_TASK, {"title": "Call {contact.name}"}) == {
        "title": "Call {contact.name}",
        "description": "",
        "responsible": "responsible",
        "creator": "responsible",
        "deadline_working_days": None,
        "requires_acceptance": False,
    }
    assert normalize_params(ActionKind.CONTROL, {"text": "Late"}) == {
        "text": "Late",
        "employee_id": None,
    }


@pytest.mark.parametrize(
    ("action", "params", "field"),
    [
        (ActionKind.NOTIFY, {"text": "x"}, "action.to"),
        (ActionKind.NOTIFY, {"to": [], "text": "x"}, "action.to"),
        (ActionKind.NOTIFY, {"to": ["boss"], "text": "x"}, "action.to.0"),
        (ActionKind.NOTIFY, {"to": [True], "text": "x"}, "action.to.0"),
        (ActionKind.NOTIFY, {"to": ["head", "head"], "text": "x"}, "action.to.1"),
        (ActionKind.NOTIFY, {"to": ["head"], "text": "  "}, "action.text"),
        (ActionKind.NOTIFY, {"to": ["head"], "text": "x", "title": "y"}, "action.title"),
        (
            ActionKind.CREATE_TASK,
            {"title": "t", "deadline_working_days": -1},
            "action.deadline_working_days",
        ),
        (ActionKind.CREATE_TASK, {"title": "t", "creator": 0}, "action.creator"),
        (ActionKind.CHANGE_STAGE, {"stage_id": "3"}, "action.stage_id"),
        (ActionKind.SET_FIELD, {"field": " "}, "action.field"),
        (ActionKind.CHANGE_RESPONSIBLE, {"employee_id": 2, "rule_id": 3}, "action.employee_id"),
    ],
)
def test_parameters_that_do_not_fit_the_action_are_refused_by_name(
    action: ActionKind, params: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        normalize_params(action, params)
    assert refused.value.field == field


def robot(**extra: Any) -> Robot:
    values: dict[str, Any] = {
        "entity_type": EntityType.DEAL,
        "pipeline_id": 1,
        "stage_id": 5,
        "name": " Remind ",
        "action": ActionKind.NOTIFY,
        "params": {"to": ["responsible"], "text": "x"},
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Robot(**{**values, **extra})


def test_a_robot_is_tidied_when_checked_and_cannot_send_its_item_where_it_is() -> None:
    tidy = robot(condition="  ")
    tidy.check()
    assert (tidy.name, tidy.condition) == ("Remind", None)
    loop = robot(action=ActionKind.CHANGE_STAGE, params={"stage_id": 5})
    with pytest.raises(InvalidValue, match="stage it belongs to"):
        loop.check()
    with pytest.raises(InvalidValue):
        robot(entity_type=EntityType.CONTACT).check()


def test_a_change_bumps_the_version_once_and_only_when_something_changed() -> None:
    subject = robot()
    assert subject.change({"name": " Remind "}, now=NOW) == []
    assert subject.version == 1
    later = NOW + timedelta(minutes=1)
    assert subject.change({"name": "New", "enabled": False}, now=later) == ["enabled", "name"]
    assert (subject.version, subject.updated_at) == (2, later)
    with pytest.raises(InvalidValue):
        subject.change({"stage_id": 6}, now=later)


def test_a_new_order_names_every_robot_of_the_stage_once() -> None:
    check_order([1, 2, 3], [3, 1, 2])
    for wanted, field in (
        ([1, 1, 2], "robot_ids.1"),
        ([1, 2, 9], "robot_ids.2"),
        ([1, 2], "robot_ids"),
    ):
        with pytest.raises(InvalidValue) as refused:
            check_order([1, 2, 3], wanted)
        assert refused.value.field == field


def run() -> RobotRun:
    return RobotRun(
        id=7,
        robot_id=1,
        robot_version=1,
        robot_name="Remind",
        entity_type="deal",
        item_id=42,
        stage_id=5,
        stage_entered_at=NOW,
        due_at=NOW + timedelta(minutes=10),
        created_at=NOW,
    )


def test_a_run_ends_once_and_says_how() -> None:
    subject = run()
    event = subject.fired(NOW, detail="notified Hanna", data={"recipient_ids": [3]})
    assert (subject.state, subject.reason, subject.finished_at) == (
        RunState.FIRED,
        Reason.DONE,
        NOW,
    )
    assert event.type == "RobotRunFired"
    assert event.payload["item_id"] == 42 and event.payload["data"] == {"recipient_ids": [3]}
    with pytest.raises(Conflict):
        subject.cancelled(Reason.LEFT_STAGE, NOW, detail="left")


def test_a_run_acts_only_while_its_item_is_in_its_entry_and_its_robot_is_on() -> None:
    subject = run()
    here = StageEntry(item_id=42, stage_id=5, entered_at=NOW)
    assert verdict(subject, current=here, robot_exists=True, robot_enabled=True) is None
    came_back = StageEntry(item_id=42, stage_id=5, entered_at=NOW + timedelta(hours=1))
    elsewhere = StageEntry(item_id=42, stage_id=6, entered_at=NOW)
    cases = [
        (dict(current=came_back, robot_exists=True, robot_enabled=True), Reason.LEFT_STAGE),
        (dict(current=elsewhere, robot_exists=True, robot_enabled=True), Reason.LEFT_STAGE),
        (dict(current=None, robot_exists=True, robot_enabled=True), Reason.ITEM_DELETED),
        (dict(current=here, robot_exists=False, robot_enabled=False), Reason.ROBOT_DELETED),
        (dict(current=here, robot_exists=True, robot_enabled=False), Reason.ROBOT_DISABLED),
    ]
    for arguments, reason in cases:
        stop = verdict(subject, **arguments)
        assert stop is not None and stop.reason is reason
