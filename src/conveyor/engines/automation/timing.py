"""When a robot is due: its timing applied to the moment the item entered the stage, or
to the moment a date field of the item holds.

- ``immediately``: at the entry itself;
- ``after`` N minutes/hours/days: plain elapsed time;
- ``after_working`` N days: ``WorkingTime.add_working_days`` (a person's deadline: the same
  clock time N working days later, or the close of day N when entered outside hours);
- ``after_working`` N hours/minutes: ``WorkingTime.add_working_hours``;
- ``at_field``: the moment a date field of the item holds; ``after_field`` /
  ``before_field`` N units: that moment plus or minus N units, of plain time, or of working
  time when ``working`` (backwards: ``working_back``);
- ``working_hours_only``: the moment found is put off to the next working moment.

Working time is the responsible's (schedule, timezone, holiday calendar), given as a source
that builds it for a range of years; the range grows when a long delay runs past it (back
in time for a count before a field).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from conveyor.domain.errors import CalendarNotCovered, InvalidValue, NaiveDatetime
from conveyor.domain.robots import TimeUnit, Timing, TimingKind
from conveyor.domain.working_time import WorkingTime
from conveyor.engines.automation.working_back import (
    subtract_working_days,
    subtract_working_hours,
)

#: ``source(first_year, last_year)``: the working time with a calendar covering those years.
WorkingTimeSource = Callable[[int, int], WorkingTime]

#: Beyond this year nothing is counted (the calendars' own bound).
LAST_YEAR = 2200
#: Before this year nothing is counted back (the official calendars start in 1991).
FIRST_YEAR = 1991
_MINUTES_PER = {TimeUnit.MINUTES: 1, TimeUnit.HOURS: 60}


def due_at(
    timing: Timing,
    *,
    entered_at: datetime,
    working_time: WorkingTimeSource,
    field_moment: datetime | None = None,
    last_year: int = LAST_YEAR,
    first_year: int = FIRST_YEAR,
) -> datetime:
    """The moment a robot with ``timing`` is due for an item that entered its stage at
        ``entered_at``; a timing that follows a date field counts from ``field_moment``, the
        moment the field holds (which may be past: then so is the answer, and the robot acts at
        once). Raises ``CalendarNotCovered`` when the answer falls after ``last_year`` (before
    ``first_year`` counting back),
        ``NaiveDatetime`` for a naive moment, ``ValueError`` for a field timing without its
        ``field_moment``."""
    start = entered_at
    if timing.follows_field:
        if field_moment is None:
            raise ValueError("a timing that follows a date field needs the field's moment")
        start = field_moment
    if start.tzinfo is None or start.utcoffset() is None:
        raise NaiveDatetime("The moment counted from must be timezone-aware", field="entered_at")
    if not timing.needs_working_time:
        return start + timing.offset()
    backwards = timing.kind is TimingKind.BEFORE_FIELD and timing.working
    # Counting back a year of working days needs the calendar of the year before too.
    first = max(first_year, start.year - (2 if backwards else 1))
    last = min(last_year, start.year + 2)
    while True:
        working = working_time(first, last)
        try:
            return _on_working_time(timing, start, working)
        except CalendarNotCovered:
            # Four times further each round, the way the count goes: a few rounds reach
            # any delay allowed.
            if backwards:
                if first <= first_year:
                    raise
                first = max(first_year, start.year - 4 * (start.year - first))
            else:
                if last >= last_year:
                    raise
                last = min(last_year, start.year + 4 * (last - start.year))


def _on_working_time(timing: Timing, start: datetime, working: WorkingTime) -> datetime:
    moment = start + timing.offset()
    forwards = timing.kind is TimingKind.AFTER_WORKING or (
        timing.kind is TimingKind.AFTER_FIELD and timing.working
    )
    backwards = timing.kind is TimingKind.BEFORE_FIELD and timing.working
    if forwards or backwards:
        assert timing.unit is not None
        if timing.unit is TimeUnit.DAYS:
            moment = (
                subtract_working_days(working, start, timing.amount)
                if backwards
                else working.add_working_days(start, timing.amount)
            )
        else:
            span = timedelta(minutes=timing.amount * _MINUTES_PER[timing.unit])
            moment = (
                subtract_working_hours(working, start, span)
                if backwards
                else working.add_working_hours(start, span)
            )
    if timing.working_hours_only:
        moment = working.next_working_moment(moment)
    return moment


def field_moment(value: object, *, date_only: bool, timezone: str) -> datetime | None:
    """The moment a date field's stored value stands for: a datetime as it is, a date at
    the start of that day (00:00) in ``timezone``; ``None`` when the field is empty.
    Raises ``InvalidValue`` for a value that is not a date (a field whose type changed)."""
    if value is None or value == "":
        return None
    try:
        if date_only:
            day = date.fromisoformat(str(value))
            return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone))
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise InvalidValue(f"{value!r} is not a date", field="timing.field") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetime(f"{value!r} has no timezone", field="timing.field")
    return moment
