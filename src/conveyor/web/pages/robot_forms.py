"""The robot form: its inputs (the API's field names) to the API's input shape and back,
and a robot's timing and action in words.

The common actions' parameters have inputs of their own (``action.text``, ``action.to``...);
the others' are one JSON object (``action.json``). An empty input is left out, so the
action's default applies.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import FormData

from conveyor.api.schemas.robots import TimingIn
from conveyor.domain.languages import Language
from conveyor.domain.pipelines import Stage
from conveyor.domain.robot_params import ActionKind
from conveyor.domain.robots import Robot, Timing, TimingKind
from conveyor.web import robot_words
from conveyor.web.pages.editor_forms import (
    FieldError,
    FormRefused,
    blank_is_none,
    checked,
    json_object,
    refusal,
    text,
)
from conveyor.web.viewer import Viewer

#: The actions whose parameters have inputs of their own; the others' are ``action.json``.
SIMPLE: dict[ActionKind, tuple[str, ...]] = {
    ActionKind.NOTIFY: ("to", "text"),
    ActionKind.SEND_SMS: ("to", "text"),
    ActionKind.SEND_EMAIL: ("to", "subject", "text"),
    ActionKind.CONTROL: ("text", "employee_id"),
    ActionKind.CREATE_TASK: (
        "title",
        "description",
        "responsible",
        "creator",
        "deadline_working_days",
        "requires_acceptance",
    ),
    ActionKind.CHANGE_STAGE: ("stage_id",),
    ActionKind.CHANGE_RESPONSIBLE: ("employee_id", "rule_id"),
    ActionKind.SET_FIELD: ("field", "value"),
}
PARAMS = sorted({name for names in SIMPLE.values() for name in names})
#: Parameters that name a person: a word ("responsible", "head") or an employee id.
PEOPLE = ("to", "responsible", "creator")
SWITCH_PARAMS = ("requires_acceptance",)
TIMING = ("kind", "amount", "unit", "field")
TIMING_SWITCHES = ("working_hours_only", "working")
TIMING_INPUTS = tuple(f"timing.{n}" for n in TIMING)
INPUTS = (
    "name",
    "enabled",
    "condition",
    *(f"timing.{n}" for n in (*TIMING, *TIMING_SWITCHES)),
    "action.kind",
    "action.json",
    *(f"action.{n}" for n in PARAMS),
)
#: Action kinds and the words of the select, in the order offered.
KINDS = [kind.value for kind in ActionKind]


def values_of(robot: Robot | None) -> dict[str, Any]:
    """The form's values for ``robot`` (a new robot's when ``None``)."""
    values: dict[str, Any] = {f"action.{n}": "" for n in PARAMS}
    values.update({f"action.{n}": False for n in SWITCH_PARAMS})
    if robot is None:
        values.update(
            {
                "name": "",
                "enabled": True,
                "condition": "",
                "timing.kind": TimingKind.IMMEDIATELY.value,
                "timing.amount": "",
                "timing.unit": "",
                "timing.field": "",
                "timing.working_hours_only": False,
                "timing.working": False,
                "action.kind": ActionKind.NOTIFY.value,
                "action.json": "",
            }
        )
        return values
    timing = robot.timing
    values.update(
        {
            "name": robot.name,
            "enabled": robot.enabled,
            "condition": robot.condition or "",
            "timing.kind": timing.kind.value,
            "timing.amount": str(timing.amount) if timing.amount else "",
            "timing.unit": "" if timing.unit is None else timing.unit.value,
            "timing.field": timing.field or "",
            "timing.working_hours_only": timing.working_hours_only,
            "timing.working": timing.working,
            "action.kind": robot.action.value,
            "action.json": "",
        }
    )
    if robot.action in SIMPLE:
        for name in SIMPLE[robot.action]:
            values[f"action.{name}"] = _shown(robot.params.get(name))
    else:
        values["action.json"] = json.dumps(robot.params, ensure_ascii=False)
    return values


def _shown(value: Any) -> Any:
    """A parameter as its input shows it: people as "responsible, 7", switches as such."""
    if isinstance(value, bool):
        return value
    if isinstance(value, list):
        if all(isinstance(v, str | int) for v in value):
            return ", ".join(str(v) for v in value)
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def values_from(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: text(form, name)
        for name in ("name", "condition", "action.kind", "action.json", *TIMING_INPUTS)
    }
    values["enabled"] = checked(form, "enabled")
    values.update({f"timing.{n}": checked(form, f"timing.{n}") for n in TIMING_SWITCHES})
    for name in PARAMS:
        key = f"action.{name}"
        values[key] = checked(form, key) if name in SWITCH_PARAMS else text(form, key)
    return values


def body_of(values: dict[str, Any], viewer: Viewer) -> dict[str, Any]:
    """The API's input for the form's values."""
    timing = {
        "kind": values["timing.kind"],
        "amount": values["timing.amount"].strip() or 0,
        "unit": blank_is_none(values["timing.unit"]),
        "field": blank_is_none(values["timing.field"].strip()),
        **{n: values[f"timing.{n}"] for n in TIMING_SWITCHES},
    }
    return {
        "name": values["name"],
        "enabled": values["enabled"],
        "condition": blank_is_none(values["condition"]),
        "timing": timing,
        "action": {"kind": values["action.kind"], **_params(values, viewer)},
    }


def _params(values: dict[str, Any], viewer: Viewer) -> dict[str, Any]:
    """The action's parameters: from their own inputs for the common kinds (an empty input
    is left out, so the action's default applies), else from the JSON object."""
    try:
        kind: ActionKind | None = ActionKind(values["action.kind"])
    except ValueError:
        kind = None  # the schema names it
    if kind is None:
        return {}
    if kind not in SIMPLE:
        return json_object(
            values["action.json"],
            field="action.json",
            message=viewer._('Write the parameters as a JSON object: {"name": value}'),
        )
    params: dict[str, Any] = {}
    for name in SIMPLE[kind]:
        value = values[f"action.{name}"]
        if name in SWITCH_PARAMS:
            if value:
                params[name] = True
        elif name == "to":
            if value.strip():
                params[name] = _people(value, viewer)
        elif value.strip():
            params[name] = _person(value.strip()) if name in PEOPLE else value
        elif name == "value":
            params[name] = None
    return params


def _people(value: str, viewer: Viewer) -> list[Any]:
    """Recipients: "responsible, head, 7", or a JSON list for positions."""
    if value.lstrip().startswith("["):
        try:
            found = json.loads(value)
        except ValueError:
            found = None
        if not isinstance(found, list):
            message = viewer._('Write recipients as "responsible, head, 7" or a JSON list')
            raise FormRefused("action.to", message)
        return found
    return [_person(part.strip()) for part in value.split(",") if part.strip()]


def _person(word: str) -> str | int:
    return int(word) if word.isdigit() else word


def timing_of(body: TimingIn) -> Timing:
    return Timing(
        kind=body.kind,
        amount=body.amount,
        unit=body.unit,
        working_hours_only=body.working_hours_only,
        field=body.field,
        working=body.working,
    )


def refusal_at(
    error: Exception, values: dict[str, Any], language: Language = Language.EN
) -> FieldError:
    """Where the refusal shows: an action's parameter without an input of its own is the
    JSON object's, and "the action" itself is its kind."""
    failed = refusal(error, INPUTS, language)
    if failed.input is None and failed.field is not None:
        if failed.field == "action":
            return FieldError(field=failed.field, input="action.kind", message=failed.message)
        if failed.field.startswith("action."):
            simple = values["action.kind"] in {k.value for k in SIMPLE}
            at = "action.kind" if simple else "action.json"
            return FieldError(field=failed.field, input=at, message=failed.message)
    return failed


def readable(robot: Robot, stages: list[Stage], viewer: Viewer) -> dict[str, str]:
    """The robot's timing and action in words."""
    return {"timing": _timing_words(robot.timing, viewer), "action": _action_words(robot, stages)}


def _timing_words(timing: Timing, viewer: Viewer) -> str:
    _ = viewer._
    unit = _(robot_words.UNIT[timing.unit.value]) if timing.unit is not None else ""
    n, field = timing.amount, timing.field or ""
    words = {
        TimingKind.IMMEDIATELY: _("immediately"),
        TimingKind.AFTER: _("after {n} {unit}", n=n, unit=unit),
        TimingKind.AFTER_WORKING: _("after {n} {unit} of working time", n=n, unit=unit),
        TimingKind.AT_FIELD: _("at the moment of {field}", field=field),
        TimingKind.BEFORE_FIELD: _("{n} {unit} before {field}", n=n, unit=unit, field=field),
        TimingKind.AFTER_FIELD: _("{n} {unit} after {field}", n=n, unit=unit, field=field),
    }[timing.kind]
    if timing.working:
        words += ", " + _("counted in working time")
    if timing.working_hours_only:
        words += ", " + _("in working hours only")
    return words


def _action_words(robot: Robot, stages: list[Stage]) -> str:
    """The parameters that say most, as ``name: value``; a stage by its name."""
    names = {s.id: s.name for s in stages}
    parts = []
    for name, value in robot.params.items():
        if value is None or value is False or value in ("", [], {}):
            continue
        if name == "stage_id" and robot.action is ActionKind.CHANGE_STAGE:
            value = names.get(value, value)
        if isinstance(value, list | dict):
            value = _shown(value) if isinstance(value, list) else json.dumps(value)
        parts.append(f"{name}: {value}")
    return "; ".join(parts)
