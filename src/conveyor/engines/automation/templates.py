"""Text templates of robots: a task's title, a message's text, with the item's values.

    template = compile_template("VIP client {contact.name}: deal {deal.title}",
                                names={"deal", "contact", "company", "responsible"})
    template.render({"deal": {"title": "Kitchen"}, "contact": {"name": "Ivan"}})

The language is placeholders and nothing else: ``{name.key.key}`` reads a value by plain
keys from the records of the context (``{deal.fields.equipment_type}`` too), ``{{`` and
``}}`` are literal braces. No calls, no indexing, no formatting specs, no attribute access
on objects: a placeholder reads keys of mappings only, so a template can never reach
anything but the data it is given, and user text is never handed to ``str.format``.

Contract: ``compile_template`` raises ``InvalidExpression`` naming the field and pointing at
the line and column of the first fault (an unclosed brace, an unknown name). ``render``
never fails: a missing value renders as empty text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NoReturn

from conveyor.domain.errors import InvalidExpression
from conveyor.engines.expressions.source import Position, located

#: How many keys deep a placeholder reads (``deal.fields.x`` is three).
MAX_DEPTH = 4
#: A rendered text is cut to this many characters.
MAX_RENDERED = 5000
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class _Literal:
    text: str


@dataclass(frozen=True)
class _Placeholder:
    path: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Template:
    """A checked template, parsed once."""

    text: str
    #: The top-level names its placeholders read: what its context needs.
    names: frozenset[str]
    parts: tuple[_Literal | _Placeholder, ...]

    def render(self, context: Mapping[str, object], *, limit: int = MAX_RENDERED) -> str:
        """The text with each placeholder replaced by its value as plain text."""
        out = []
        for part in self.parts:
            if isinstance(part, _Literal):
                out.append(part.text)
            else:
                out.append(as_text(_read(context, part.path)))
        rendered = "".join(out)
        return rendered if len(rendered) <= limit else rendered[: limit - 1] + "…"


def compile_template(
    text: str, *, names: Collection[str], field: str | None = "template"
) -> Template:
    """Parse ``text``; every placeholder must start with one of ``names``."""
    if not isinstance(text, str):
        raise InvalidExpression("the template must be text", field=field)
    parts: list[_Literal | _Placeholder] = []
    used: set[str] = set()
    literal: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in "{}" and text.startswith(char * 2, index):
            literal.append(char)
            index += 2
            continue
        if char == "}":
            _fault("a '}' without its '{' (write '}}' for the brace itself)", text, index, field)
        if char != "{":
            literal.append(char)
            index += 1
            continue
        end = text.find("}", index + 1)
        opening = text.find("{", index + 1)
        if end < 0 or (0 <= opening < end):
            _fault("a '{' is not closed (write '{{' for the brace itself)", text, index, field)
        path = _path(text, index, end, names, field)
        if literal:
            parts.append(_Literal("".join(literal)))
            literal = []
        parts.append(_Placeholder(path))
        used.add(path[0])
        index = end + 1
    if literal:
        parts.append(_Literal("".join(literal)))
    return Template(text=text, names=frozenset(used), parts=tuple(parts))


def as_text(value: object) -> str:
    """A value as a message shows it: empty for nothing, numbers plainly, times in ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return ", ".join(as_text(v) for v in value)
    # Records and anything else are not text: a placeholder names a value, not a record.
    return ""


def _path(
    text: str, start: int, end: int, names: Collection[str], field: str | None
) -> tuple[str, ...]:
    inner = text[start + 1 : end]
    stripped = inner.strip()
    if not stripped:
        _fault("an empty placeholder: name a value, e.g. {deal.title}", text, start, field)
    path = tuple(key.strip() for key in stripped.split("."))
    offset = start + 1 + (len(inner) - len(inner.lstrip()))
    for key in path:
        if not _KEY.match(key):
            _fault(
                f"'{stripped}' is not a value's name: names are letters, digits and '_', "
                "joined by dots",
                text,
                offset,
                field,
            )
    if len(path) > MAX_DEPTH:
        _fault(f"'{stripped}' reads more than {MAX_DEPTH} names deep", text, offset, field)
    if path[0] not in names:
        known = ", ".join(sorted(names))
        _fault(f"unknown name '{path[0]}'; known: {known}", text, offset, field)
    return path


def _read(context: Mapping[str, object], path: tuple[str, ...]) -> object:
    value: object = context
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _fault(reason: str, text: str, index: int, field: str | None) -> NoReturn:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    position = Position(line=line, column=column)
    raise InvalidExpression(located(reason, text, position), field=field, line=line, column=column)
