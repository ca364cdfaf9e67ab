"""The languages Conveyor speaks to people, and choosing one from an ``Accept-Language``."""

from __future__ import annotations

import enum


class Language(enum.StrEnum):
    RU = "ru"
    EN = "en"


#: An employee's language unless they choose another.
DEFAULT_LANGUAGE = Language.RU


def negotiate(accept_language: str | None) -> Language | None:
    """The supported language a client prefers most in an ``Accept-Language`` header
    ("en-GB,en;q=0.9,ru;q=0.8" → en), or ``None`` when it names none of ours (or "*" only).

    Ties in quality keep the header's order; a malformed part is ignored, never an error.
    """
    if not accept_language:
        return None
    ranked: list[tuple[float, int, Language]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, rest = part.strip().partition(";")
        quality = _quality(rest)
        primary = tag.strip().split("-")[0].lower()
        if quality > 0 and primary in _CODES:
            ranked.append((-quality, position, Language(primary)))
    return min(ranked)[2] if ranked else None


def _quality(parameters: str) -> float:
    for parameter in parameters.split(";"):
        name, _, value = parameter.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                return 0.0
            return quality if 0.0 <= quality <= 1.0 else 0.0
    return 1.0


_CODES = frozenset(language.value for language in Language)
