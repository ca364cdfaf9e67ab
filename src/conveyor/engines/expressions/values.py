"""The values an expression sees and the operations it may apply to them.

Everything an expression reads from its context passes through ``read_only``: dictionaries are
seen as ``MappingProxyType``, lists as tuples, sets as frozensets. The language has no method
calls and no assignment, so this is a second wall, not the first: even a future operator or
function could not change the caller's data through these views.

Operators that can make values grow (``*``, ``+``, ``**``) are bounded so that a short
expression cannot exhaust memory or time: ``"a" * 10**9`` and ``9 ** 9 ** 9`` fail at once.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any

#: The longest text or list an operator may produce.
MAX_SEQUENCE = 100_000
#: The largest integer an operator may produce, in bits (about 77 decimal digits).
MAX_INT_BITS = 256
#: ``round(x, n)`` accepts ``n`` within ±this (a huge ``n`` makes Python compute 10**n).
MAX_ROUND_DIGITS = 15

_IMMUTABLE = frozenset(
    {type(None), bool, int, float, str, Decimal, date, datetime, time, timedelta}
)
_VIEWS = frozenset({MappingProxyType, tuple, frozenset})


class Refused(Exception):
    """An operation the evaluator will not perform; its message is shown to the user."""


def read_only(value: object) -> object:
    """``value`` as an expression may see it: immutable, or a read-only view of it.

    Only JSON-like data, dates and decimals are readable; anything else is refused so that
    an expression never touches an object's behaviour.
    """
    kind = type(value)
    if kind in _IMMUTABLE or kind in _VIEWS:
        return value
    if isinstance(value, Mapping):
        return MappingProxyType(value)
    if isinstance(value, list | tuple):
        return tuple(value)
    if isinstance(value, set | frozenset):
        return frozenset(value)
    if isinstance(value, str | int | float):  # e.g. enum members of str or int
        return value
    raise Refused(f"a value of type {kind.__name__} cannot be read by an expression")


def kind_of(value: object) -> str:
    """A user's word for the kind of ``value``, for messages."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float | Decimal):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, tuple | frozenset):
        return "list"
    if isinstance(value, Mapping):
        return "record"
    if isinstance(value, date | time):
        return "date"
    return type(value).__name__


def _check_int(result: Any) -> Any:
    if type(result) is int and result.bit_length() > MAX_INT_BITS:
        raise Refused("the number is too large")
    return result


def _check_length(length: int) -> None:
    if length > MAX_SEQUENCE:
        raise Refused(f"the result would be longer than {MAX_SEQUENCE} characters or items")


def _is_sequence(value: object) -> bool:
    return isinstance(value, str | tuple)


def add(left: Any, right: Any) -> Any:
    if _is_sequence(left) and _is_sequence(right):
        _check_length(len(left) + len(right))
    return _check_int(left + right)


def multiply(left: Any, right: Any) -> Any:
    for sequence, times in ((left, right), (right, left)):
        if _is_sequence(sequence) and isinstance(times, int):
            _check_length(len(sequence) * max(times, 0))
    return _check_int(left * right)


def power(base: Any, exponent: Any) -> Any:
    # The result has at least exponent × (bits(base) - 1) bits: refuse before computing it;
    # below that bound it is at most twice the limit, cheap to compute and check.
    huge = isinstance(base, int) and isinstance(exponent, int) and exponent > 0
    if huge and exponent * (abs(base).bit_length() - 1) > MAX_INT_BITS:
        raise Refused("the number is too large")
    result = base**exponent
    if isinstance(result, complex):
        raise Refused("the result is not a real number")
    return _check_int(result)


def modulo(left: Any, right: Any) -> Any:
    # "%" on text is printf-style formatting, which can build huge strings ("%999999999d").
    if isinstance(left, str):
        raise Refused("% cannot be applied to text")
    return left % right


def _length(value: Any) -> int:
    """``len``; an empty value has length 0."""
    return 0 if value is None else len(value)


def _text_function(name: str, method: Callable[[str], str]) -> Callable[[object], object]:
    def apply(value: object) -> object:
        if value is None:
            return None
        if not isinstance(value, str):
            raise Refused(f"{name}() takes text, not {kind_of(value)}")
        return method(value)

    apply.__name__ = name
    return apply


def _round(value: Any, digits: Any = None) -> Any:
    if digits is not None and (not isinstance(digits, int) or abs(digits) > MAX_ROUND_DIGITS):
        raise Refused(
            f"round() takes a number of digits between -{MAX_ROUND_DIGITS} and {MAX_ROUND_DIGITS}"
        )
    return round(value, digits)


def _integer(value: Any, *base: Any) -> Any:
    return _check_int(int(value, *base))


def _contains(container: Any, item: Any) -> bool:
    """``item in container``; nothing is in an empty value."""
    return container is not None and item in container


#: The functions an expression may call, by name. Each is pure: none changes its arguments.
FUNCTIONS: Mapping[str, Callable[..., object]] = MappingProxyType(
    {
        "len": _length,
        "lower": _text_function("lower", str.lower),
        "upper": _text_function("upper", str.upper),
        "abs": abs,
        "min": min,
        "max": max,
        "round": _round,
        "int": _integer,
        "float": float,
        "str": str,
        "bool": bool,
        "contains": _contains,
    }
)

#: Binary operators by AST node type name, with their symbol for messages.
BINARY: Mapping[str, tuple[str, Callable[[object, object], object]]] = MappingProxyType(
    {
        "Add": ("+", add),
        "Sub": ("-", operator.sub),
        "Mult": ("*", multiply),
        "Div": ("/", operator.truediv),
        "FloorDiv": ("//", operator.floordiv),
        "Mod": ("%", modulo),
        "Pow": ("**", power),
    }
)
