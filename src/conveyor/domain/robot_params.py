"""What each robot action takes: its parameters, their defaults and their shapes.

``normalize_params`` checks what the parameters alone can tell, naming ``action.<param>``;
what they refer to (employees, stages, fields, rules) and the text templates are checked by
the service when the robot is saved.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from conveyor.domain.errors import InvalidValue

#: A message's rendered text fits a notification's value (``notification_texts.MAX_VALUE``).
MAX_TEXT = 5000
MAX_TITLE = 300
MAX_DESCRIPTION = 20000
MAX_RECIPIENTS = 20
MAX_TASK_DAYS = 365

#: Who an action is aimed at: the item's responsible, the head of the responsible's
#: department (found through the org structure), or an employee by id.
RESPONSIBLE = "responsible"
HEAD = "head"
PERSON_WORDS = frozenset({RESPONSIBLE, HEAD})
Person = str | int


class ActionKind(enum.StrEnum):
    NOTIFY = "notify"
    CONTROL = "control"
    CREATE_TASK = "create_task"
    CHANGE_STAGE = "change_stage"
    SET_FIELD = "set_field"
    CHANGE_RESPONSIBLE = "change_responsible"


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
            values[name] = default
    _CHECKS[action](values)
    return values


def _check_notify(values: dict[str, Any]) -> None:
    to = values["to"]
    if not isinstance(to, list) or not 1 <= len(to) <= MAX_RECIPIENTS:
        raise InvalidValue(
            f"Name 1 to {MAX_RECIPIENTS} recipients: 'responsible', 'head' or employee ids",
            field="action.to",
        )
    seen: set[Person] = set()
    for index, person in enumerate(to):
        check_person(person, field=f"action.to.{index}")
        if person in seen:
            raise InvalidValue(f"{person!r} appears twice", field=f"action.to.{index}")
        seen.add(person)
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


_CHECKS = {
    ActionKind.NOTIFY: _check_notify,
    ActionKind.CONTROL: _check_control,
    ActionKind.CREATE_TASK: _check_create_task,
    ActionKind.CHANGE_STAGE: _check_change_stage,
    ActionKind.SET_FIELD: _check_set_field,
    ActionKind.CHANGE_RESPONSIBLE: _check_change_responsible,
}


def check_person(person: object, *, field: str) -> None:
    """'responsible', 'head' or an employee id."""
    if isinstance(person, str) and person in PERSON_WORDS:
        return
    if isinstance(person, int) and not isinstance(person, bool) and 0 < person < 2**63:
        return
    raise InvalidValue("Expected 'responsible', 'head' or an employee id", field=field)


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
