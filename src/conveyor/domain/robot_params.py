"""What each robot action takes: its parameters, their defaults and their shapes.

``normalize_params`` checks what the parameters alone can tell, naming ``action.<param>``;
what they refer to (employees, positions, stages, pipelines, fields, rules, tasks' robots,
webhooks) and the text templates are checked by the service when the robot is saved.
Whom an action may be aimed at is ``domain.robot_recipients``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import Any

from conveyor.domain.errors import InvalidValue
from conveyor.domain.pipelines import PIPELINE_ENTITIES
from conveyor.domain.robot_recipients import CONTACT_EMAIL, CONTACT_PHONE, normalize_recipients
from conveyor.domain.robot_recipients import HEAD as HEAD
from conveyor.domain.robot_recipients import PERSON_WORDS as PERSON_WORDS
from conveyor.domain.robot_recipients import RESPONSIBLE as RESPONSIBLE
from conveyor.domain.robot_recipients import Person as Person
from conveyor.domain.robot_recipients import check_person as check_person
from conveyor.domain.webhooks import check_url

#: A message's rendered text fits a notification's value (``notification_texts.MAX_VALUE``).
MAX_TEXT = 5000
MAX_TITLE = 300
MAX_DESCRIPTION = 20000
MAX_RECIPIENTS = 20
MAX_TASK_DAYS = 365
#: How far a task's deadline may be moved at once, per unit.
MAX_SHIFT = {"hours": 24 * 365, "days": 365}
#: Custom values a new item may be given.
MAX_FIELDS = 100
MAX_PROCESS = 100
_PROCESS_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*\Z")


class ActionKind(enum.StrEnum):
    NOTIFY = "notify"
    CONTROL = "control"
    CREATE_TASK = "create_task"
    CHANGE_STAGE = "change_stage"
    SET_FIELD = "set_field"
    CHANGE_RESPONSIBLE = "change_responsible"
    CREATE_ITEM = "create_item"
    ADD_CO_EXECUTORS = "add_co_executors"
    SHIFT_DEADLINE = "shift_deadline"
    SEND_EMAIL = "send_email"
    SEND_SMS = "send_sms"
    WEBHOOK = "webhook"
    START_PROCESS = "start_process"


#: Each action's parameters and their defaults (``REQUIRED`` has none).
REQUIRED = object()
_PARAMS: dict[ActionKind, dict[str, object]] = {
    ActionKind.NOTIFY: {"to": REQUIRED, "text": REQUIRED},
    ActionKind.CONTROL: {"text": REQUIRED, "employee_id": None},
    ActionKind.CREATE_TASK: {
        "title": REQUIRED,
        "description": "",
        "responsible": RESPONSIBLE,
        "creator": RESPONSIBLE,
        "deadline_working_days": None,
        "requires_acceptance": False,
    },
    ActionKind.CHANGE_STAGE: {"stage_id": REQUIRED},
    ActionKind.SET_FIELD: {"field": REQUIRED, "value": None},
    ActionKind.CHANGE_RESPONSIBLE: {"employee_id": None, "rule_id": None},
    ActionKind.CREATE_ITEM: {
        "entity_type": REQUIRED,
        "pipeline_id": REQUIRED,
        "stage_id": None,
        "title": REQUIRED,
        "responsible": RESPONSIBLE,
        "copy_clients": True,
        "fields": {},
    },
    ActionKind.ADD_CO_EXECUTORS: {"employees": REQUIRED, "task_robot_id": None},
    ActionKind.SHIFT_DEADLINE: {
        "amount": REQUIRED,
        "unit": "days",
        "working": True,
        "task_robot_id": None,
    },
    ActionKind.SEND_EMAIL: {"to": REQUIRED, "subject": REQUIRED, "text": REQUIRED},
    ActionKind.SEND_SMS: {"to": REQUIRED, "text": REQUIRED},
    ActionKind.WEBHOOK: {"webhook_id": REQUIRED, "url": None},
    ActionKind.START_PROCESS: {"process": REQUIRED},
}


def normalize_params(action: ActionKind, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` for ``action`` with its defaults, refused (naming ``action.<param>``)
    when a parameter is unknown to the action, missing, or of the wrong shape."""
    spec = _PARAMS[action]
    for name in params:
        if name not in spec:
            known = ", ".join(sorted(spec))
            raise InvalidValue(
                f"'{name}' is not a parameter of a {action.value} action (it takes: {known})",
                field=f"action.{name}",
            )
    values: dict[str, Any] = {}
    for name, default in spec.items():
        if name in params:
            values[name] = params[name]
        elif default is REQUIRED:
            raise InvalidValue(f"A {action.value} action needs '{name}'", field=f"action.{name}")
        else:
            values[name] = dict(default) if isinstance(default, dict) else default
    _CHECKS[action](values)
    return values


def _check_notify(values: dict[str, Any]) -> None:
    values["to"] = normalize_recipients(values["to"], field="action.to", limit=MAX_RECIPIENTS)
    _text(values, "text", MAX_TEXT)


def _check_control(values: dict[str, Any]) -> None:
    _text(values, "text", MAX_TEXT)
    _optional_id(values, "employee_id")


def _check_create_task(values: dict[str, Any]) -> None:
    _text(values, "title", MAX_TITLE)
    _text(values, "description", MAX_DESCRIPTION, empty=True)
    check_person(values["responsible"], field="action.responsible")
    check_person(values["creator"], field="action.creator")
    days = values["deadline_working_days"]
    if days is not None and (
        isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_TASK_DAYS
    ):
        raise InvalidValue(
            f"The deadline is 0 to {MAX_TASK_DAYS} working days (0: by the end of the day)",
            field="action.deadline_working_days",
        )
    if not isinstance(values["requires_acceptance"], bool):
        raise InvalidValue("true or false", field="action.requires_acceptance")


def _check_change_stage(values: dict[str, Any]) -> None:
    _id(values, "stage_id")


def _check_set_field(values: dict[str, Any]) -> None:
    code = values["field"]
    if not isinstance(code, str) or not code.strip() or len(code) > 63:
        raise InvalidValue("The code of a custom field of the item", field="action.field")
    values["field"] = code.strip()


def _check_change_responsible(values: dict[str, Any]) -> None:
    if (values["employee_id"] is None) == (values["rule_id"] is None):
        raise InvalidValue(
            "Give either the employee to hand the item to or the assignment rule that "
            "chooses one, not both",
            field="action.employee_id",
        )
    _optional_id(values, "employee_id")
    _optional_id(values, "rule_id")


def _check_create_item(values: dict[str, Any]) -> None:
    if values["entity_type"] not in {e.value for e in PIPELINE_ENTITIES}:
        raise InvalidValue("'lead' or 'deal'", field="action.entity_type")
    _id(values, "pipeline_id")
    _optional_id(values, "stage_id")
    _text(values, "title", MAX_TITLE)
    check_person(values["responsible"], field="action.responsible")
    if not isinstance(values["copy_clients"], bool):
        raise InvalidValue("true or false", field="action.copy_clients")
    fields = values["fields"]
    if not isinstance(fields, dict) or len(fields) > MAX_FIELDS:
        raise InvalidValue(
            f"Up to {MAX_FIELDS} custom values of the new item, by code", field="action.fields"
        )


def _check_add_co_executors(values: dict[str, Any]) -> None:
    employees = values["employees"]
    if not isinstance(employees, list) or not 1 <= len(employees) <= MAX_RECIPIENTS:
        raise InvalidValue(
            f"Name 1 to {MAX_RECIPIENTS} employees: 'responsible', 'head' or employee ids",
            field="action.employees",
        )
    seen: set[Person] = set()
    for index, person in enumerate(employees):
        check_person(person, field=f"action.employees.{index}")
        if person in seen:
            raise InvalidValue(f"{person!r} appears twice", field=f"action.employees.{index}")
        seen.add(person)
    _optional_id(values, "task_robot_id")


def _check_shift_deadline(values: dict[str, Any]) -> None:
    unit = values["unit"]
    if unit not in MAX_SHIFT:
        raise InvalidValue("'hours' or 'days'", field="action.unit")
    limit = MAX_SHIFT[unit]
    amount = values["amount"]
    if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= limit:
        raise InvalidValue(f"The deadline moves 1 to {limit} {unit} later", field="action.amount")
    if not isinstance(values["working"], bool):
        raise InvalidValue("true or false", field="action.working")
    _optional_id(values, "task_robot_id")


def _check_send_email(values: dict[str, Any]) -> None:
    values["to"] = normalize_recipients(
        values["to"], field="action.to", limit=MAX_RECIPIENTS, address=CONTACT_EMAIL
    )
    _text(values, "subject", MAX_TITLE)
    _text(values, "text", MAX_TEXT)


def _check_send_sms(values: dict[str, Any]) -> None:
    values["to"] = normalize_recipients(
        values["to"], field="action.to", limit=MAX_RECIPIENTS, address=CONTACT_PHONE
    )
    _text(values, "text", MAX_TEXT)


def _check_webhook(values: dict[str, Any]) -> None:
    _id(values, "webhook_id")
    url = values["url"]
    if url is not None:
        if not isinstance(url, str) or len(url) > 2000:
            raise InvalidValue("An http:// or https:// URL", field="action.url")
        values["url"] = check_url(url.strip(), field_name="action.url")


def _check_start_process(values: dict[str, Any]) -> None:
    key = values["process"]
    if not isinstance(key, str) or len(key) > MAX_PROCESS or not _PROCESS_KEY.match(key):
        raise InvalidValue(
            f"The process's key: 1 to {MAX_PROCESS} letters, digits and _ . : -",
            field="action.process",
        )


_CHECKS = {
    ActionKind.NOTIFY: _check_notify,
    ActionKind.CONTROL: _check_control,
    ActionKind.CREATE_TASK: _check_create_task,
    ActionKind.CHANGE_STAGE: _check_change_stage,
    ActionKind.SET_FIELD: _check_set_field,
    ActionKind.CHANGE_RESPONSIBLE: _check_change_responsible,
    ActionKind.CREATE_ITEM: _check_create_item,
    ActionKind.ADD_CO_EXECUTORS: _check_add_co_executors,
    ActionKind.SHIFT_DEADLINE: _check_shift_deadline,
    ActionKind.SEND_EMAIL: _check_send_email,
    ActionKind.SEND_SMS: _check_send_sms,
    ActionKind.WEBHOOK: _check_webhook,
    ActionKind.START_PROCESS: _check_start_process,
}


def _text(values: dict[str, Any], name: str, limit: int, *, empty: bool = False) -> None:
    value = values[name]
    if not isinstance(value, str) or len(value) > limit or (not empty and not value.strip()):
        low = 0 if empty else 1
        raise InvalidValue(f"A text of {low} to {limit} characters", field=f"action.{name}")


def _id(values: dict[str, Any], name: str) -> None:
    value = values[name]
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise InvalidValue("Expected an id", field=f"action.{name}")


def _optional_id(values: dict[str, Any], name: str) -> None:
    if values[name] is not None:
        _id(values, name)
