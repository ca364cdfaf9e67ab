"""Named work schedules that employees are bound to, and company calendar overrides."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(kw_only=True)
class Schedule:
    """A company's named schedule ("Office 5/2", "Shop 2/2").

    ``week`` is the JSON form of a ``schedules.WorkSchedule``; ``country`` names the
    holiday calendar it follows.
    """

    id: int | None = None
    name: str
    country: str = "RU"
    week: dict[str, Any] = field(default_factory=dict)


class OverrideKind(enum.StrEnum):
    DAY_OFF = "day_off"
    WORKING_DAY = "working_day"
    SHORT_DAY = "short_day"


@dataclass(kw_only=True)
class CalendarOverride:
    """The company's own change to the public calendar for one date."""

    id: int | None = None
    day: date
    kind: OverrideKind
    note: str | None = None
