"""Typed values of admin-defined fields (CRM custom fields and list columns).

A value is kept as JSON: strings, numbers, booleans, ISO dates, ``{"amount", "currency"}``
for money, an id for employee and list-element links.
"""

from __future__ import annotations

import enum
import math
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from conveyor.domain.errors import InvalidValue
from conveyor.domain.moments import check_moment

MAX_STRING = 4000
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class FieldType(enum.StrEnum):
    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    ENUM = "enum"
    DATE = "date"
    DATETIME = "datetime"
    MONEY = "money"
    EMPLOYEE = "employee"
    LIST_ELEMENT = "list_element"


def normalize_value(
    field_type: FieldType, raw: Any, *, where: str, options: list[str] | None = None
) -> Any:
    """Check ``raw`` against ``field_type`` and return its JSON form; ``None`` clears.

    ``where`` names the field in errors (e.g. ``fields.equipment_type``).
    """
    if raw is None or raw == "":
        return None
    checker = _CHECKERS[field_type]
    return checker(raw, where, options or [])


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _string(raw: Any, where: str, _: list[str]) -> str:
    if not isinstance(raw, str):
        raise InvalidValue("Expected text", field=where)
    if len(raw) > MAX_STRING:
        raise InvalidValue(f"Text is longer than {MAX_STRING} characters", field=where)
    return raw


def _number(raw: Any, where: str, _: list[str]) -> int | float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise InvalidValue("Expected a number", field=where)
    if isinstance(raw, float) and not math.isfinite(raw):
        raise InvalidValue("Expected a finite number", field=where)
    if isinstance(raw, int) and abs(raw) > 2**53:
        raise InvalidValue("The number is too large", field=where)
    return raw


def _boolean(raw: Any, where: str, _: list[str]) -> bool:
    if not isinstance(raw, bool):
        raise InvalidValue("Expected true or false", field=where)
    return raw


def _enum(raw: Any, where: str, options: list[str]) -> str:
    if raw not in options:
        raise InvalidValue(f"Expected one of: {', '.join(options)}", field=where)
    return str(raw)


def _date(raw: Any, where: str, _: list[str]) -> str:
    try:
        return date.fromisoformat(raw).isoformat()
    except (TypeError, ValueError):
        raise InvalidValue("Expected a date as YYYY-MM-DD", field=where) from None


def _datetime(raw: Any, where: str, _: list[str]) -> str:
    try:
        moment = datetime.fromisoformat(raw)
    except (TypeError, ValueError):
        raise InvalidValue("Expected a date and time in ISO 8601", field=where) from None
    return check_moment(moment, field=where).isoformat()


def _money(raw: Any, where: str, _: list[str]) -> dict[str, str]:
    if not isinstance(raw, dict) or set(raw) != {"amount", "currency"}:
        raise InvalidValue('Expected {"amount": ..., "currency": "RUB"}', field=where)
    currency = raw["currency"]
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise InvalidValue("Currency must be a three-letter ISO 4217 code", field=where)
    return {"amount": str(parse_amount(raw["amount"], where=where)), "currency": currency}


def _link(raw: Any, where: str, _: list[str]) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 < raw < 2**63:
        raise InvalidValue("Expected an id", field=where)
    return raw


def parse_amount(raw: Any, *, where: str) -> Decimal:
    """A money amount: finite, at most 16 digits before the point and 2 after."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise InvalidValue("Expected an amount", field=where)
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        raise InvalidValue("Expected an amount", field=where) from None
    if not amount.is_finite() or abs(amount) >= Decimal(10) ** 16:
        raise InvalidValue("The amount is out of range", field=where)
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidValue("An amount has at most two decimal places", field=where)
    return amount.quantize(Decimal("0.01"))


_CHECKERS = {
    FieldType.STRING: _string,
    FieldType.NUMBER: _number,
    FieldType.BOOLEAN: _boolean,
    FieldType.ENUM: _enum,
    FieldType.DATE: _date,
    FieldType.DATETIME: _datetime,
    FieldType.MONEY: _money,
    FieldType.EMPLOYEE: _link,
    FieldType.LIST_ELEMENT: _link,
}
