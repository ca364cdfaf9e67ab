"""Named work schedules that employees are bound to, and company calendar overrides.

A `Schedule` keeps its weekly hours as the `week` part of `WorkSchedule.to_dict()`,
without a timezone: its hours are read on the wall clock of each EMPLOYEE who
follows it (a Samara designer on the office schedule works 9-18 Samara time).
An employee without a schedule follows `DEFAULT_WEEK`.

Which dates are worked comes from a holiday calendar
(`conveyor.domain.company_calendar`): the official one of the schedule's country
with the company's overrides, or, for a schedule with a `Rotation` (shifts such
as 2/2), the rotation's own on-days.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from conveyor.domain.errors import InvalidSchedule, InvalidValue
from conveyor.domain.schedules import WEEKDAY_KEYS, WorkSchedule

__all__ = [
    "DEFAULT_COUNTRY",
    "DEFAULT_WEEK",
    "MAX_ROTATION_DAYS",
    "CalendarOverride",
    "OverrideKind",
    "Rotation",
    "Schedule",
    "check_week",
    "work_schedule",
]

#: The holiday calendar a schedule follows unless it names another country.
DEFAULT_COUNTRY = "RU"

#: The company default for employees without a schedule: Monday to Friday 09:00-18:00
#: with a lunch from 13:00 to 14:00.
DEFAULT_WEEK: dict[str, Any] = WorkSchedule.five_day_week("UTC").to_dict()["week"]

#: The longest on or off stretch of a rotation, in days.
MAX_ROTATION_DAYS = 31

# Weeks are validated without an employee: any valid zone will do, the hours are wall-clock.
_PLACEHOLDER_ZONE = "UTC"


@dataclass(frozen=True, kw_only=True)
class Rotation:
    """Shift work by a cycle of dates: `on` working days, then `off` days off, from `start`.

    2/2 is `on=2, off=2`; "one day in three" is `on=1, off=3`. The cycle repeats
    before `start` too, so any date has an answer. A rotation replaces the weekly
    weekend and the public holidays: shop staff work the roster, holidays included.
    """

    start: date
    on: int
    off: int

    def __post_init__(self) -> None:
        for name in ("on", "off"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidValue(
                    f"Rotation {name} must be a whole number of days", field=f"rotation.{name}"
                )
            if not 1 <= value <= MAX_ROTATION_DAYS:
                raise InvalidValue(
                    f"Rotation {name} must be 1-{MAX_ROTATION_DAYS} days, got {value}",
                    field=f"rotation.{name}",
                )

    @property
    def length(self) -> int:
        return self.on + self.off

    def is_on(self, day: date) -> bool:
        """Whether `day` is a working day of the cycle."""
        return (day - self.start).days % self.length < self.on

    def off_days(self, first: date, last: date) -> frozenset[date]:
        """The days off of the cycle from `first` to `last`, inclusive."""
        count = (last - first).days + 1
        days = (first + timedelta(days=n) for n in range(max(count, 0)))
        return frozenset(day for day in days if not self.is_on(day))

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "on": self.on, "off": self.off}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rotation:
        """The inverse of `to_dict`; `start` may be a date or an ISO date string.

        Raises `InvalidValue` naming `rotation.<key>` on malformed input.
        """
        if unknown := sorted(set(data) - {"start", "on", "off"}):
            raise InvalidValue(f"Unknown rotation keys {unknown}", field=f"rotation.{unknown[0]}")
        start = data.get("start")
        if isinstance(start, str):
            try:
                start = date.fromisoformat(start)
            except ValueError:
                start = None
        if not isinstance(start, date):
            raise InvalidValue(
                "A rotation needs its first working day as 'YYYY-MM-DD'", field="rotation.start"
            )
        on: Any = data.get("on")
        off: Any = data.get("off")
        return cls(start=start, on=on, off=off)


@dataclass(kw_only=True)
class Schedule:
    """A company's named schedule ("Office 5/2", "Shop 2/2").

    `week` is the `week` part of a `WorkSchedule.to_dict()` (hours per weekday,
    no timezone); `country` names the official holiday calendar it follows;
    `rotation`, when set, is a `Rotation.to_dict()` and the schedule follows
    that cycle of dates instead of the calendar's weekends and holidays.
    """

    id: int | None = None
    name: str
    country: str = DEFAULT_COUNTRY
    week: dict[str, Any] = field(default_factory=dict)
    rotation: dict[str, Any] | None = None

    def work_schedule(self, timezone: str) -> WorkSchedule:
        """The schedule's hours on the wall clock of `timezone` (the employee's)."""
        return work_schedule(self.week, timezone)

    def cycle(self) -> Rotation | None:
        """The rotation as a value object, or None for a weekly schedule."""
        return None if self.rotation is None else Rotation.from_dict(self.rotation)

    def check(self) -> None:
        """Refuse a rotation whose working days never meet a weekday with hours.

        When the cycle is a whole number of weeks its on-days keep their weekdays,
        so at least one of them must have hours; otherwise the cycle drifts over
        every weekday and any hours at all will do (the week always has some).
        """
        rotation = self.cycle()
        if rotation is None or rotation.length % 7:
            return
        hours = work_schedule(self.week, _PLACEHOLDER_ZONE)
        weekdays = {(rotation.start + timedelta(days=n)).weekday() for n in range(rotation.on)}
        if not any(hours.intervals_on(weekday) for weekday in weekdays):
            raise InvalidValue(
                "The rotation's working days always fall on weekdays without hours",
                field="rotation",
            )


def check_week(week: object) -> dict[str, Any]:
    """Validate a schedule's week and return it in its canonical JSON form.

    Raises `InvalidSchedule` naming the field at fault the way the API names
    fields: `week.wed` for an overlap on Wednesday, `week.wed.0` for its first
    interval, `week.xyz` for an unknown weekday.
    """
    if isinstance(week, Mapping):
        for key in week:
            if key not in WEEKDAY_KEYS:
                raise InvalidSchedule(
                    f"Unknown weekday {str(key)[:20]!r}; use {', '.join(WEEKDAY_KEYS)}",
                    field=f"week.{str(key)[:20]}",
                )
    try:
        parsed = WorkSchedule.from_dict({"timezone": _PLACEHOLDER_ZONE, "week": week})
    except InvalidSchedule as error:
        raise InvalidSchedule(error.message, field=_api_field(error.field)) from None
    week_json: dict[str, Any] = parsed.to_dict()["week"]
    return week_json


def work_schedule(week: Mapping[str, Any], timezone: str) -> WorkSchedule:
    """A stored week read on the wall clock of `timezone`."""
    return WorkSchedule.from_dict({"timezone": timezone, "week": week})


class OverrideKind(enum.StrEnum):
    """What the company decided for a date, whatever the official calendar says."""

    #: Closed: a company holiday or closure.
    DAY_OFF = "day_off"
    #: Open for a full day, even on a public holiday or a weekend.
    WORKING_DAY = "working_day"
    #: Open, one hour shorter (art. 95 style), even on a public holiday or a weekend.
    SHORT_DAY = "short_day"


@dataclass(kw_only=True)
class CalendarOverride:
    """The company's own change to the public calendar for one date (one per date)."""

    id: int | None = None
    day: date
    kind: OverrideKind
    note: str | None = None

    def to_payload(self) -> dict[str, Any]:
        """The override as JSON-able event data."""
        return {"day": self.day.isoformat(), "kind": self.kind.value, "note": self.note}


def _api_field(name: str | None) -> str | None:
    """`week.wed[0]` -> `week.wed.0`, the dotted form the API uses for list items."""
    return None if name is None else re.sub(r"\[(\d+)\]", r".\1", name)
