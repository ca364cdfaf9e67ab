"""What each task robot action takes: its parameters, their defaults and their shapes.

A task robot acts on the task itself (``domain.task_robots``):

- ``notify``: ``to`` (people, below) and ``text`` (a template);
- ``control``: ``text``; the head of the responsible's department is told, found through the
  org structure, or ``employee_id`` when named;
- ``change_responsible``: ``to``, ONE person: an employee id, ``"head"``, ``"creator"`` or a
  position (``{"position": "Chief accountant"}``: its active holder when the robot acts);
- ``add_co_executors``: ``to``, people who become co-executors (those already helping, and
  the responsible, are skipped);
- ``shift_deadline``: ``amount`` and ``unit`` (``hours`` or ``days``), in ``working`` time
  on the responsible's schedule and calendar (the default) or plain time.

People, as the parameters say them: ``"responsible"``, ``"creator"``, ``"head"`` (of the
responsible's department), ``"co_executors"`` (every co-executor), an employee id, or a
position ``{"position": "Chief accountant", "within": "company" | "department"}``, whose
holders are found when the robot acts (``domain.robot_recipients.Position``).

``normalize_params`` checks what the parameters alone can tell, naming ``action.<param>``
(``action.to.1.position``); the employees named and the text templates are checked by the
service when the robot is saved.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from conveyor.domain.errors import InvalidValue
from conveyor.domain.robot_params import MAX_RECIPIENTS, MAX_TEXT
from conveyor.domain.robot_recipients import COMPANY, MAX_POSITION, WITHIN

RESPONSIBLE = "responsible"
CREATOR = "creator"
HEAD = "head"
CO_EXECUTORS = "co_executors"
#: The words a recipient may be, per action that takes people.
TELL_WORDS = frozenset({RESPONSIBLE, CREATOR, HEAD, CO_EXECUTORS})
#: A new responsible or co-executor: never "the responsible" or "the co-executors".
HELPER_WORDS = frozenset({CREATOR, HEAD})
#: How far a deadline moves at once, per unit.
MAX_SHIFT = {"hours": 24 * 365, "days": 365}
#: A word, an employee id or a position (``{"position": ..., "within": ...}``).
Person = str | int | dict[str, str]


class TaskActionKind(enum.StrEnum):
    NOTIFY = "notify"
    CONTROL = "control"
    CHANGE_RESPONSIBLE = "change_responsible"
    ADD_CO_EXECUTORS = "add_co_executors"
    SHIFT_DEADLINE = "shift_deadline"


REQUIRED = object()
_PARAMS: dict[TaskActionKind, dict[str, object]] = {
    TaskActionKind.NOTIFY: {"to": REQUIRED, "text": REQUIRED},
    TaskActionKind.CONTROL: {"text": REQUIRED, "employee_id": None},
    TaskActionKind.CHANGE_RESPONSIBLE: {"to": REQUIRED},
    TaskActionKind.ADD_CO_EXECUTORS: {"to": REQUIRED},
    TaskActionKind.SHIFT_DEADLINE: {"amount": REQUIRED, "unit": "days", "working": True},
}
#: The parameters that are text templates, per action.
TEMPLATES: dict[TaskActionKind, tuple[str, ...]] = {
    TaskActionKind.NOTIFY: ("text",),
    TaskActionKind.CONTROL: ("text",),
}


def normalize_params(action: TaskActionKind, params: Mapping[str, Any]) -> dict[str, Any]:
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


def people_named(params: Mapping[str, Any]) -> list[Person]:
    """The people a normalised action's ``to`` names (none for the actions without)."""
    to = params.get("to")
    if to is None:
        return []
    return list(to) if isinstance(to, list) else [to]


def _check_notify(values: dict[str, Any]) -> None:
    values["to"] = _people(values["to"], words=TELL_WORDS)
    _text(values, "text")


def _check_control(values: dict[str, Any]) -> None:
    _text(values, "text")
    employee_id = values["employee_id"]
    if employee_id is not None and not _is_id(employee_id):
        raise InvalidValue("Expected an employee id", field="action.employee_id")


def _check_change_responsible(values: dict[str, Any]) -> None:
    to = values["to"]
    if isinstance(to, list):
        raise InvalidValue(
            "A task has one responsible: name one employee id, 'head', 'creator' or "
            '{"position": ...}',
            field="action.to",
        )
    values["to"] = _person(to, words=HELPER_WORDS, field="action.to")


def _check_add_co_executors(values: dict[str, Any]) -> None:
    values["to"] = _people(values["to"], words=HELPER_WORDS)


def _check_shift_deadline(values: dict[str, Any]) -> None:
    unit = values["unit"]
    if unit not in MAX_SHIFT:
        raise InvalidValue("The unit is 'hours' or 'days'", field="action.unit")
    amount, limit = values["amount"], MAX_SHIFT[unit]
    if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= limit:
        raise InvalidValue(f"The deadline moves by 1 to {limit} {unit}", field="action.amount")
    if not isinstance(values["working"], bool):
        raise InvalidValue(
            "true (working time on the responsible's schedule) or false (plain time)",
            field="action.working",
        )


_CHECKS = {
    TaskActionKind.NOTIFY: _check_notify,
    TaskActionKind.CONTROL: _check_control,
    TaskActionKind.CHANGE_RESPONSIBLE: _check_change_responsible,
    TaskActionKind.ADD_CO_EXECUTORS: _check_add_co_executors,
    TaskActionKind.SHIFT_DEADLINE: _check_shift_deadline,
}


def _people(to: object, *, words: frozenset[str]) -> list[Person]:
    if not isinstance(to, list) or not 1 <= len(to) <= MAX_RECIPIENTS:
        raise InvalidValue(f"Name 1 to {MAX_RECIPIENTS} people: {_forms(words)}", field="action.to")
    seen: set[object] = set()
    people: list[Person] = []
    for index, raw in enumerate(to):
        person = _person(raw, words=words, field=f"action.to.{index}")
        key = _key(person)
        if key in seen:
            raise InvalidValue(f"{raw!r} appears twice", field=f"action.to.{index}")
        seen.add(key)
        people.append(person)
    return people


def _person(raw: object, *, words: frozenset[str], field: str) -> Person:
    if isinstance(raw, dict):
        return _position(raw, field=field)
    if isinstance(raw, str) and raw in words:
        return raw
    if _is_id(raw):
        assert isinstance(raw, int)
        return raw
    raise InvalidValue(f"Expected {_forms(words)}", field=field)


def _position(raw: Mapping[str, Any], *, field: str) -> dict[str, str]:
    for key in raw:
        if key not in ("position", "within"):
            raise InvalidValue(
                f"'{key}' is not part of a position (it has: position, within)",
                field=f"{field}.{key}",
            )
    name = raw.get("position")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_POSITION:
        raise InvalidValue(
            f"The position's name, 1 to {MAX_POSITION} characters", field=f"{field}.position"
        )
    within = raw.get("within", COMPANY)
    if not isinstance(within, str) or within not in WITHIN:
        raise InvalidValue(
            "'company' (anyone holding it) or 'department' (the responsible's departments "
            "and those below them)",
            field=f"{field}.within",
        )
    return {"position": name.strip(), "within": str(within)}


def _forms(words: frozenset[str]) -> str:
    quoted = ", ".join(f"'{w}'" for w in sorted(words))
    return f'{quoted}, employee ids or {{"position": ...}}'


def _key(person: Person) -> object:
    if isinstance(person, dict):
        return ("position", person["position"].casefold(), person["within"])
    return person


def _text(values: dict[str, Any], name: str) -> None:
    value = values[name]
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise InvalidValue(f"A text of 1 to {MAX_TEXT} characters", field=f"action.{name}")


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63
