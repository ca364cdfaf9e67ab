"""Work schedules: the hours worked on each weekday, in a named timezone.

A schedule says nothing about holidays; `conveyor.domain.calendars` does, and
`conveyor.domain.working_time` combines the two. Breaks are the gaps between a
day's intervals: Monday 09:00-13:00 and 14:00-18:00 has a lunch from 13 to 14.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from conveyor.domain.errors import InvalidSchedule

__all__ = ["WEEKDAY_KEYS", "WorkInterval", "WorkSchedule"]

#: The keys of `WorkSchedule.to_dict()["week"]`, Monday first as in `date.weekday()`.
WEEKDAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_DAY = timedelta(days=1)


@dataclass(frozen=True, kw_only=True)
class WorkInterval:
    """A stretch of working time within one day, on the local wall clock.

    `end` of `time(0)` means midnight at the end of the day ("24:00"), so a
    round-the-clock day is `WorkInterval(start=time(0), end=time(0))`. A night
    shift that crosses midnight is two intervals on two weekdays.
    """

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise InvalidSchedule(
                "Interval times are wall-clock times: give the timezone on the schedule, "
                "not on the times"
            )
        if self.end_offset <= self.start_offset:
            raise InvalidSchedule(f"A working interval must end after it starts: {self.describe()}")

    @property
    def start_offset(self) -> timedelta:
        """Time from the day's midnight to the start."""
        return _offset(self.start)

    @property
    def end_offset(self) -> timedelta:
        """Time from the day's midnight to the end (24 h for an end of midnight)."""
        return _offset(self.end) or _DAY

    @property
    def duration(self) -> timedelta:
        return self.end_offset - self.start_offset

    def describe(self) -> str:
        """The interval as "HH:MM-HH:MM", the form used in messages and JSON."""
        return f"{_format(self.start)}-{_format(self.end, end=True)}"


@dataclass(frozen=True, kw_only=True)
class WorkSchedule:
    """The weekly working hours of a company or an employee.

    `week` has seven entries, Monday first, each the day's intervals sorted by
    time and not overlapping (touching is allowed). `timezone` is an IANA name
    such as "Europe/Moscow"; interval times are wall-clock times there.
    Construction raises `InvalidSchedule` when any of this does not hold or the
    week has no working time at all.
    """

    timezone: str
    week: tuple[tuple[WorkInterval, ...], ...]
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_zone", _zone(self.timezone))
        # Accept lists from callers; keep tuples so the schedule stays hashable.
        week = tuple(tuple(day) for day in self.week)
        object.__setattr__(self, "week", week)
        if len(week) != 7:
            raise InvalidSchedule(
                f"A schedule needs 7 weekdays (Monday first), got {len(week)}", field="week"
            )
        for key, intervals in zip(WEEKDAY_KEYS, week, strict=True):
            _check_day(key, intervals)
        if not any(week):
            raise InvalidSchedule("The schedule has no working hours on any day", field="week")

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    @property
    def weekly_duration(self) -> timedelta:
        """Working time in a week without holidays (40 h for the five-day 9-18)."""
        return sum((i.duration for day in self.week for i in day), timedelta())

    def intervals_on(self, weekday: int) -> tuple[WorkInterval, ...]:
        """The intervals of a weekday, Monday is 0."""
        return self.week[weekday]

    @classmethod
    def five_day_week(
        cls,
        timezone: str = "Europe/Moscow",
        *,
        start: time = time(9),
        end: time = time(18),
        lunch: tuple[time, time] | None = (time(13), time(14)),
    ) -> WorkSchedule:
        """Monday to Friday from `start` to `end` with a `lunch` gap: 9-18, lunch 13-14."""
        if lunch is None:
            day: tuple[WorkInterval, ...] = (WorkInterval(start=start, end=end),)
        else:
            day = (
                WorkInterval(start=start, end=lunch[0]),
                WorkInterval(start=lunch[1], end=end),
            )
        return cls(timezone=timezone, week=(day,) * 5 + ((), ()))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form: {"timezone": ..., "week": {"mon": [["09:00", "13:00"], ...]}}."""
        return {
            "timezone": self.timezone,
            "week": {
                key: [[_format(i.start), _format(i.end, end=True)] for i in day]
                for key, day in zip(WEEKDAY_KEYS, self.week, strict=True)
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WorkSchedule:
        """The inverse of `to_dict`. A missing weekday means no work on it.

        Raises `InvalidSchedule` naming the faulty field on any malformed input.
        """
        timezone = data.get("timezone")
        if not isinstance(timezone, str):
            raise InvalidSchedule("The schedule needs a timezone name", field="timezone")
        week = data.get("week")
        if not isinstance(week, Mapping):
            raise InvalidSchedule(
                'The schedule needs a "week" object keyed by mon..sun', field="week"
            )
        if unknown := sorted(set(week) - set(WEEKDAY_KEYS)):
            raise InvalidSchedule(
                f"Unknown weekday keys {unknown}; use {', '.join(WEEKDAY_KEYS)}", field="week"
            )
        days = tuple(
            tuple(
                _parse_interval(pair, f"week.{key}[{n}]")
                for n, pair in enumerate(_as_list(week.get(key, []), f"week.{key}"))
            )
            for key in WEEKDAY_KEYS
        )
        return cls(timezone=timezone, week=days)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        # ValueError: names that are not even paths ("../etc", "").
        raise InvalidSchedule(
            f"Unknown timezone {name!r}; use an IANA name such as 'Europe/Moscow'",
            field="timezone",
        ) from None


def _check_day(key: str, intervals: Sequence[WorkInterval]) -> None:
    for previous, current in pairwise(intervals):
        if current.start_offset < previous.end_offset:
            raise InvalidSchedule(
                f"Intervals on {key} must be sorted and must not overlap: "
                f"{previous.describe()} then {current.describe()}",
                field=f"week.{key}",
            )


def _offset(moment: time) -> timedelta:
    return timedelta(
        hours=moment.hour,
        minutes=moment.minute,
        seconds=moment.second,
        microseconds=moment.microsecond,
    )


def _format(moment: time, *, end: bool = False) -> str:
    if end and moment == time(0):
        return "24:00"
    if moment.second or moment.microsecond:
        return moment.isoformat()
    return moment.strftime("%H:%M")


def _as_list(value: object, where: str) -> list[object]:
    if not isinstance(value, list | tuple):
        raise InvalidSchedule(f"Expected a list of [start, end] pairs at {where}", field=where)
    return list(value)


def _parse_interval(pair: object, where: str) -> WorkInterval:
    if not (isinstance(pair, list | tuple) and len(pair) == 2):
        raise InvalidSchedule(f'Expected ["HH:MM", "HH:MM"] at {where}', field=where)
    start, end = _parse_time(pair[0], where), _parse_time(pair[1], where, end=True)
    try:
        return WorkInterval(start=start, end=end)
    except InvalidSchedule as error:
        raise InvalidSchedule(error.message, field=where) from None


def _parse_time(value: object, where: str, *, end: bool = False) -> time:
    if end and value == "24:00":
        return time(0)
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        parsed = time.fromisoformat(value)
    except ValueError:
        raise InvalidSchedule(
            f"Expected a time like '09:00' at {where}, got {value!r}", field=where
        ) from None
    if parsed.tzinfo is not None:
        raise InvalidSchedule(f"Times carry no offset; got {value!r} at {where}", field=where)
    return parsed
