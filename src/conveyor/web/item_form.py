"""The item card's edit form: the inputs of a lead or deal (title, sum, responsible, its
custom fields by type), their values as the inputs show them, and a posted form read back
into the API's ``ItemUpdate`` shape.

Only what the person changed is sent: each input carries, in a hidden ``was.<name>``, the
value it showed, and an input posted as it was shown is left out. So a field the stage
requires but nobody filled yet does not block saving the title, and a change someone else
made meanwhile is not overwritten by a form that never touched it. What the inputs hold is
not judged here: a value that cannot be read (``abc`` for a number) is handed on as typed,
for the service to refuse with its own message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData

from conveyor.domain.employees import Employee
from conveyor.domain.field_types import FieldType
from conveyor.services.item_card import FieldValue, ItemCard
from conveyor.services.item_choices import ItemChoices
from conveyor.web.viewer import Viewer

#: The prefix of the hidden inputs holding what each input showed.
WAS = "was."
_INTEGER = re.compile(r"^[+-]?\d+$")
_LOCAL_MOMENT = "%Y-%m-%dT%H:%M"


@dataclass(frozen=True, kw_only=True)
class Input:
    """One labelled input of the form. ``kind``: text, amount (a sum, with its currency's
    input named ``currency``), select, number, date, datetime. ``options`` are a select's
    (value, label) pairs; ``code`` and ``field_type`` are the custom field's (``None`` for
    the item's own inputs)."""

    name: str
    label: str
    kind: str
    code: str | None = None
    field_type: FieldType | None = None
    currency: str | None = None
    options: list[tuple[str, str]] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [self.name] if self.currency is None else [self.name, self.currency]

    @property
    def dom_id(self) -> str:
        return "edit-" + self.name.replace(".", "-")


def inputs(card: ItemCard, choices: ItemChoices, viewer: Viewer) -> list[Input]:
    """The form's inputs: the item's title, sum and responsible, then its custom fields in
    the admin's order."""
    _ = viewer._
    item = card.item
    people = _people(choices.employees, item.responsible_id, card.people)
    if item.responsible_id is None:
        people.insert(0, ("", _("nobody")))
    found = [
        Input(name="title", label=_("item|Title"), kind="text"),
        Input(name="amount", label=_("Sum"), kind="amount", currency="currency"),
        Input(name="responsible_id", label=_("Responsible"), kind="select", options=people),
    ]
    for value in card.fields:
        found.append(_field_input(value, choices, card, viewer))
    return found


def names(found: list[Input]) -> list[str]:
    return [name for one in found for name in one.names]


def values_of(card: ItemCard, viewer: Viewer) -> dict[str, str]:
    """What each input shows for the item as it is."""
    item = card.item
    values = {
        "title": item.title,
        "amount": "" if item.amount is None else format(item.amount, "f"),
        "currency": item.currency,
        "responsible_id": "" if item.responsible_id is None else str(item.responsible_id),
    }
    for value in card.fields:
        values.update(_shown(value, viewer))
    return values


def posted(
    form: FormData, found: list[Input], shown: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The values posted for the inputs, and what the inputs showed (``shown`` where the
    form does not say)."""
    values, was = {}, {}
    for name in names(found):
        values[name] = _text(form, name)
        before = form.get(WAS + name)
        was[name] = before if isinstance(before, str) else shown.get(name, "")
    return values, was


def changes(
    found: list[Input], values: Mapping[str, str], was: Mapping[str, str], viewer: Viewer
) -> dict[str, Any]:
    """The ``ItemUpdate`` body of the inputs changed (a custom field's in ``fields``)."""
    body: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    for one in found:
        if all(values.get(n, "") == was.get(n, "") for n in one.names):
            continue
        if one.code is None:
            body.update(_own(one, values))
        else:
            fields[one.code] = _custom(one, values, viewer)
    if fields:
        body["fields"] = fields
    return body


def focus_for(code: str | None, found: list[Input]) -> str | None:
    """The input ``?edit=<code>`` names: a custom field's code (what a refused move names),
    else ``title``, ``amount`` or ``responsible``."""
    if not code:
        return None
    known = names(found)
    for name in (f"fields.{code}", {"responsible": "responsible_id"}.get(code, code)):
        if name in known:
            return name
    return None


def _field_input(value: FieldValue, choices: ItemChoices, card: ItemCard, viewer: Viewer) -> Input:
    definition = value.definition
    kind = definition.type
    name = f"fields.{definition.code}"
    common: dict[str, Any] = {
        "name": name,
        "label": definition.name,
        "code": definition.code,
        "field_type": kind,
    }
    empty = ("", "—")
    current = "" if value.value is None else str(value.value)
    if kind is FieldType.MONEY:
        return Input(kind="amount", currency=f"{name}.currency", **common)
    if kind is FieldType.BOOLEAN:
        options = [empty, ("true", viewer._("Yes")), ("false", viewer._("No"))]
        return Input(kind="select", options=options, **common)
    if kind is FieldType.ENUM:
        offered = [(o, o) for o in definition.options]
        if current and current not in definition.options:
            offered.insert(0, (current, current))
        return Input(kind="select", options=[empty, *offered], **common)
    if kind is FieldType.EMPLOYEE:
        people = _people(choices.employees, _int(value.value), card.people)
        return Input(kind="select", options=[empty, *people], **common)
    if kind is FieldType.LIST_ELEMENT:
        elements = [(str(e.id), e.name) for e in choices.elements.get(definition.code, [])]
        if current and current not in {v for v, _ in elements}:
            elements.insert(0, (current, value.shown or f"#{current}"))
        return Input(kind="select", options=[empty, *elements], **common)
    if kind in (FieldType.NUMBER, FieldType.DATE, FieldType.DATETIME):
        return Input(kind=kind.value, **common)
    return Input(kind="text", **common)


def _people(
    employees: list[Employee], current: int | None, names: Mapping[int, str]
) -> list[tuple[str, str]]:
    """The employees offered, with the current one first should they not be among them (a
    dismissed responsible stays shown as they are)."""
    offered = [(str(e.id), e.name) for e in employees]
    if current is not None and str(current) not in {v for v, _ in offered}:
        offered.insert(0, (str(current), names.get(current, f"#{current}")))
    return offered


def _shown(value: FieldValue, viewer: Viewer) -> dict[str, str]:
    name = f"fields.{value.definition.code}"
    raw, kind = value.value, value.definition.type
    if kind is FieldType.MONEY:
        money = raw if isinstance(raw, dict) else {}
        return {
            name: str(money.get("amount", "")),
            f"{name}.currency": str(money.get("currency", "RUB")),
        }
    if raw is None:
        return {name: ""}
    if kind is FieldType.BOOLEAN:
        return {name: "true" if raw is True else "false" if raw is False else str(raw)}
    if kind is FieldType.DATETIME:
        try:
            moment = datetime.fromisoformat(str(raw))
        except ValueError:
            return {name: str(raw)}
        local = moment.astimezone(ZoneInfo(viewer.timezone)) if moment.tzinfo else moment
        return {name: local.strftime(_LOCAL_MOMENT)}
    return {name: str(raw)}


def _own(one: Input, values: Mapping[str, str]) -> dict[str, Any]:
    """The item's own inputs as the API names them; empty amount clears the sum."""
    value = values.get(one.name, "")
    if one.name == "amount":
        body: dict[str, Any] = {"amount": _decimal(value) or None}
        body["currency"] = values.get("currency", "").strip().upper()
        return body
    if one.name == "responsible_id":
        return {"responsible_id": _id(value)}
    return {one.name: value}


def _custom(one: Input, values: Mapping[str, str], viewer: Viewer) -> Any:
    """A custom field's value as its type is stored; ``None`` clears it."""
    value = values.get(one.name, "")
    if not value.strip():
        return None
    kind = one.field_type
    if kind is FieldType.MONEY:
        currency = values.get(one.currency or "", "").strip().upper()
        return {"amount": _decimal(value), "currency": currency}
    if kind is FieldType.NUMBER:
        return _number(value)
    if kind is FieldType.DATETIME:
        return _moment(value, viewer)
    if kind is FieldType.BOOLEAN:
        return {"true": True, "false": False}.get(value, value)
    if kind in (FieldType.EMPLOYEE, FieldType.LIST_ELEMENT):
        return _id(value)
    return value


def _decimal(value: str) -> str:
    """A sum as typed, read the way people type it: spaces apart, a decimal comma."""
    return value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")


def _number(value: str) -> Any:
    text = _decimal(value)
    if _INTEGER.match(text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        return value


def _moment(value: str, viewer: Viewer) -> str:
    """A ``datetime-local`` input's value in the reader's timezone (one with an offset is
    taken as it is); anything else as typed, for the service to refuse."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(viewer.timezone))
    return moment.isoformat()


def _id(value: str) -> int | str | None:
    text = value.strip()
    if not text:
        return None
    return int(text) if _INTEGER.match(text) else text


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""
