"""Working time counted backwards: "2 working days before the payment date".

The mirror images of ``WorkingTime.add_working_hours`` and ``add_working_days``, built on
its public ``intervals_on``, so the schedule, the calendar, short days and the timezone
mean exactly what they mean going forwards:

- ``subtract_working_hours(w, end, h)``: the latest moment ``m`` with ``h`` of working time
  in ``[m, end)``; when the time runs out exactly at the start of an interval, that start
  is returned (09:00, not the previous evening).
- ``subtract_working_days(w, end, n)``: as a person counts back: within the day's hours,
  the same wall-clock time ``n`` working days earlier (moved into that day's hours when it
  is not working there); outside them, the opening of the ``n``-th working day before,
  counting the day itself as the first when ``end`` is after its closing. Wednesday 11:00
  - 2 is Monday 11:00; Wednesday 00:00 (a date field's day) - 2 is Monday's opening;
  Wednesday 19:00 - 1 is Wednesday's opening.

Both raise ``CalendarNotCovered`` past the calendar's years and ``NoWorkingTime`` when a
long stretch has no working time at all.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from conveyor.domain.errors import InvalidValue, NoWorkingTime
from conveyor.domain.working_time import WorkingTime

_INSTANT = timedelta(microseconds=1)
_DAY = timedelta(days=1)
#: Days in a row without working time before giving up (as ``WorkingTime`` does forwards).
MAX_IDLE_DAYS = 400


def subtract_working_hours(working: WorkingTime, end: datetime, amount: timedelta) -> datetime:
    """The moment ``amount`` of working time before ``end`` (see the module)."""
    if amount < timedelta(0):
        raise InvalidValue(f"Working time to subtract must not be negative, got {amount}")
    if not amount:
        return end
    remaining = amount
    day = _local_date(working, end)
    idle = 0
    while True:
        spans = working.intervals_on(day)
        for start, stop in reversed(spans):
            if start >= end:
                continue
            top = min(stop, end)
            if remaining <= top - start:
                return (top - remaining).astimezone(end.tzinfo)
            remaining -= top - start
        idle = 0 if spans else idle + 1
        _check_idle(idle, day, working)
        day -= _DAY


def subtract_working_days(working: WorkingTime, end: datetime, days: int) -> datetime:
    """The moment ``days`` working days before ``end`` (see the module)."""
    if days < 0:
        raise InvalidValue(f"Working days to subtract must not be negative, got {days}")
    if not days:
        return end
    today = _local_date(working, end)
    spans = working.intervals_on(today)
    within_hours = bool(spans) and spans[0][0] <= end < spans[-1][1]
    # After closing, today's hours are behind: today is the first working day counted.
    after_closing = bool(spans) and end >= spans[-1][1]
    target, target_spans = _nth_working_day_before(
        working, today + _DAY if after_closing else today, days
    )
    if not within_hours:
        return target_spans[0][0].astimezone(end.tzinfo)
    zone = working.schedule.zone
    clock = end.astimezone(zone).replace(tzinfo=None).time()
    wanted = datetime.combine(target, clock).replace(tzinfo=zone)
    for span_start, span_end in target_spans:
        if wanted < span_end:
            return max(wanted, span_start).astimezone(end.tzinfo)
    # The clock time is past that day's close (a short pre-holiday day): its last working
    # instant, so that counting the days forward again ends at or before ``end`` (from the
    # close itself, forward counting starts with the next day and would overshoot).
    return (target_spans[-1][1] - _INSTANT).astimezone(end.tzinfo)


def _nth_working_day_before(
    working: WorkingTime, day: date, n: int
) -> tuple[date, tuple[tuple[datetime, datetime], ...]]:
    """The ``n``-th date with working time strictly before ``day``, with its intervals."""
    idle = 0
    while True:
        day -= _DAY
        spans = working.intervals_on(day)
        if spans:
            idle = 0
            n -= 1
            if n == 0:
                return day, spans
        else:
            idle += 1
            _check_idle(idle, day, working)


def _check_idle(idle: int, day: date, working: WorkingTime) -> None:
    if idle > MAX_IDLE_DAYS:
        raise NoWorkingTime(
            f"No working time in the {MAX_IDLE_DAYS} days after {day}: "
            f"check schedule and calendar '{working.calendar.name}'"
        )


def _local_date(working: WorkingTime, moment: datetime) -> date:
    return moment.astimezone(working.schedule.zone).date()
