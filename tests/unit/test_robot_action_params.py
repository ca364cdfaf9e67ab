"""The newer robot actions' parameters as pure rules: defaults, recipients by position or a
contact's address, and every bad shape refused naming the parameter at fault."""

from __future__ import annotations

from typing import Any

import pytest

from conveyor.domain.errors import InvalidValue
from conveyor.domain.robot_params import ActionKind, normalize_params
from conveyor.domain.robot_recipients import Position


def test_the_newer_actions_get_their_defaults() -> None:
    assert normalize_params(
        ActionKind.CREATE_ITEM, {"entity_type": "lead", "pipeline_id": 3, "title": "Follow up"}
    ) == {
        "entity_type": "lead",
        "pipeline_id": 3,
        "stage_id": None,
        "title": "Follow up",
        "responsible": "responsible",
        "copy_clients": True,
        "fields": {},
    }
    assert normalize_params(ActionKind.SHIFT_DEADLINE, {"amount": 1}) == {
        "amount": 1,
        "unit": "days",
        "working": True,
        "task_robot_id": None,
    }
    assert normalize_params(ActionKind.ADD_CO_EXECUTORS, {"employees": ["head", 7]}) == {
        "employees": ["head", 7],
        "task_robot_id": None,
    }
    assert normalize_params(ActionKind.WEBHOOK, {"webhook_id": 2}) == {
        "webhook_id": 2,
        "url": None,
    }


def test_a_position_is_tidied_and_found_whatever_its_case() -> None:
    params = normalize_params(
        ActionKind.NOTIFY,
        {"to": ["responsible", {"position": "  Chief accountant "}], "text": "Pay"},
    )
    assert params["to"] == ["responsible", {"position": "Chief accountant", "within": "company"}]
    position = Position.of(params["to"][1])
    assert position.matches(" chief ACCOUNTANT") and not position.matches("Accountant")
    assert not position.matches(None)


def test_an_email_or_an_sms_may_go_to_the_contacts_own_address() -> None:
    email = {"to": ["contact.email", 5], "subject": "Invoice", "text": "Please pay"}
    assert normalize_params(ActionKind.SEND_EMAIL, email)["to"] == ["contact.email", 5]
    sms = {"to": ["contact.phone"], "text": "Your order is ready"}
    assert normalize_params(ActionKind.SEND_SMS, sms)["to"] == ["contact.phone"]


def test_a_webhook_url_and_a_process_key_are_checked() -> None:
    hook = normalize_params(
        ActionKind.WEBHOOK, {"webhook_id": 2, "url": " https://erp.example/in "}
    )
    assert hook["url"] == "https://erp.example/in"
    assert normalize_params(ActionKind.START_PROCESS, {"process": "invoice.approval"}) == {
        "process": "invoice.approval"
    }


@pytest.mark.parametrize(
    ("action", "params", "field"),
    [
        (ActionKind.NOTIFY, {"to": [{"position": " "}], "text": "x"}, "action.to.0.position"),
        (
            ActionKind.NOTIFY,
            {"to": [{"position": "Boss", "within": "city"}], "text": "x"},
            "action.to.0.within",
        ),
        (
            ActionKind.NOTIFY,
            {"to": [{"position": "Boss", "rank": 1}], "text": "x"},
            "action.to.0.rank",
        ),
        (
            ActionKind.NOTIFY,
            {"to": [{"position": "Boss"}, {"position": "boss"}], "text": "x"},
            "action.to.1",
        ),
        (ActionKind.NOTIFY, {"to": ["contact.email"], "text": "x"}, "action.to.0"),
        (ActionKind.SEND_SMS, {"to": ["contact.email"], "text": "x"}, "action.to.0"),
        (ActionKind.SEND_EMAIL, {"to": ["head"], "text": "x"}, "action.subject"),
        (ActionKind.SEND_EMAIL, {"to": ["head"], "subject": " ", "text": "x"}, "action.subject"),
        (
            ActionKind.CREATE_ITEM,
            {"entity_type": "contact", "pipeline_id": 1, "title": "t"},
            "action.entity_type",
        ),
        (ActionKind.CREATE_ITEM, {"entity_type": "deal", "title": "t"}, "action.pipeline_id"),
        (
            ActionKind.CREATE_ITEM,
            {"entity_type": "deal", "pipeline_id": 1, "title": "t", "responsible": "boss"},
            "action.responsible",
        ),
        (
            ActionKind.CREATE_ITEM,
            {"entity_type": "deal", "pipeline_id": 1, "title": "t", "fields": ["x"]},
            "action.fields",
        ),
        (
            ActionKind.CREATE_ITEM,
            {"entity_type": "deal", "pipeline_id": 1, "title": "t", "copy_clients": "yes"},
            "action.copy_clients",
        ),
        (ActionKind.ADD_CO_EXECUTORS, {"employees": []}, "action.employees"),
        (ActionKind.ADD_CO_EXECUTORS, {"employees": [3, 3]}, "action.employees.1"),
        (ActionKind.ADD_CO_EXECUTORS, {"employees": [{"position": "x"}]}, "action.employees.0"),
        (
            ActionKind.ADD_CO_EXECUTORS,
            {"employees": [3], "task_robot_id": "9"},
            "action.task_robot_id",
        ),
        (ActionKind.SHIFT_DEADLINE, {"amount": 0}, "action.amount"),
        (ActionKind.SHIFT_DEADLINE, {"amount": 400}, "action.amount"),
        (ActionKind.SHIFT_DEADLINE, {"amount": 2, "unit": "minutes"}, "action.unit"),
        (ActionKind.SHIFT_DEADLINE, {"amount": 2, "working": "no"}, "action.working"),
        (ActionKind.WEBHOOK, {}, "action.webhook_id"),
        (ActionKind.WEBHOOK, {"webhook_id": 1, "url": "ftp://x"}, "action.url"),
        (ActionKind.WEBHOOK, {"webhook_id": 1, "url": "https://user:pw@x"}, "action.url"),
        (ActionKind.START_PROCESS, {"process": ""}, "action.process"),
        (ActionKind.START_PROCESS, {"process": "two words"}, "action.process"),
    ],
)
def test_parameters_that_do_not_fit_a_newer_action_are_refused_by_name(
    action: ActionKind, params: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        normalize_params(action, params)
    assert refused.value.field == field


@pytest.mark.parametrize("within", [["department"], {"department": True}])
def test_a_position_within_something_other_than_a_word_is_refused_naming_it(
    within: Any,
) -> None:
    to = [{"position": "Chief accountant", "within": within}]
    with pytest.raises(InvalidValue) as refused:
        normalize_params(ActionKind.NOTIFY, {"to": to, "text": "x"})
    assert refused.value.field == "action.to.0.within"
