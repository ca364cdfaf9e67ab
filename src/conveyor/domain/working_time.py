"""Working-time arithmetic: deadlines and durations on a schedule and a calendar.

Every datetime in and out is timezone-aware; results come back in the timezone
of the argument they were computed from. Durations are real elapsed time, so a
DST change inside an interval is counted as it happened. The arithmetic steps
over whole intervals and days, never minutes, and memoises each day's intervals.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from conveyor.domain.calendars import HolidayCalendar
from conveyor.domain.errors import CalendarNotCovered, InvalidValue, NaiveDatetime, NoWorkingTime
from conveyor.domain.schedules import WorkSchedule

__all__ = ["SHORT_DAY_CUT", "WorkingTime"]

#: How much shorter a pre-holiday day is (Labour Code of the RF, art. 95).
SHORT_DAY_CUT = timedelta(hours=1)

_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)
# A stretch of days without any work this long means the schedule and calendar
# can never give working time; better to say so than to loop forever.
_MAX_IDLE_DAYS = 400
_CACHE_LIMIT = 20_000

Span = tuple[datetime, datetime]


class WorkingTime:
    """Answers working-time questions for one schedule under one calendar.

    A moment is working when its date (on the schedule's wall clock) is a
    working day of the calendar and it lies in one of that weekday's intervals,
    half-open: 09:00 is working, 18:00 is not. A working weekend is worked like
    the schedule's first weekday that has hours (Monday for a five-day week),
    unless its own weekday has hours. On a short day the day's working time
    ends `SHORT_DAY_CUT` earlier, taken from the last interval(s).

    Methods raise `NaiveDatetime` for datetimes without a timezone and
    `CalendarNotCovered` when they need a date outside the calendar's years.
    """

    def __init__(self, schedule: WorkSchedule, calendar: HolidayCalendar) -> None:
        self.schedule = schedule
        self.calendar = calendar
        self._spans_cache: dict[date, tuple[Span, ...]] = {}

    def __repr__(self) -> str:
        return f"WorkingTime({self.schedule.timezone!r}, {self.calendar.name!r})"

    def intervals_on(self, day: date) -> tuple[Span, ...]:
        """The working intervals of a date as (start, end) in the schedule's timezone."""
        zone = self.schedule.zone
        return tuple((s.astimezone(zone), e.astimezone(zone)) for s, e in self._spans(day))

    def is_working(self, at: datetime) -> bool:
        """Whether `at` falls inside working time."""
        moment = _utc(at)
        return any(s <= moment < e for s, e in self._spans(self._local_date(moment)))

    def next_working_moment(self, at: datetime) -> datetime:
        """`at` itself when it is working, otherwise the start of the next interval."""
        moment = _utc(at)
        for _, spans in self._working_days_from(self._local_date(moment)):
            for start, end in spans:
                if moment < start:
                    return start.astimezone(at.tzinfo)
                if moment < end:
                    return at
        raise AssertionError("unreachable: _working_days_from never ends")  # pragma: no cover

    def add_working_hours(self, start: datetime, hours: timedelta | float) -> datetime:
        """The moment when `hours` of working time have passed since `start`.

        Zero returns `start` unchanged. When the time runs out exactly at the end
        of an interval, that end is returned (18:00, not the next morning), so
        adding in two steps gives the same as adding the sum.
        Raises `InvalidValue` for a negative or non-finite amount.
        """
        remaining = _duration(hours)
        moment = _utc(start)
        if not remaining:
            return start
        for _, spans in self._working_days_from(self._local_date(moment)):
            for span_start, span_end in spans:
                if span_end <= moment:
                    continue
                begin = max(span_start, moment)
                if remaining <= span_end - begin:
                    return (begin + remaining).astimezone(start.tzinfo)
                remaining -= span_end - begin
        raise AssertionError("unreachable: _working_days_from never ends")  # pragma: no cover

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The deadline `days` working days after `start`, as a person would set it.

        - When `start` is within its day's working hours (breaks included), the
          deadline is the same wall-clock time on the `days`-th following working
          day: Friday 11:00 + 3 is Wednesday 11:00. If that time is not working on
          the target day it is moved into the day's hours: out of a break to the
          break's end, before opening to the opening, after closing to the closing
          (so Thursday 17:30 + 1 before a short Friday is Friday 17:00).
        - When `start` is outside its day's hours (before opening, after closing,
          on a day off), nothing of the coming working day W has been used yet, so
          the deadline is the closing time of the `days`-th working day counting W
          as the first: Friday 19:00 + 3 is Wednesday 18:00, and so is Saturday
          noon + 3; Tuesday 07:00 + 1 is Tuesday 18:00.

        A working day here is a date with working time on this schedule and
        calendar. Zero returns `start` unchanged; negative raises `InvalidValue`.
        """
        if days < 0:
            raise InvalidValue(f"Working days to add must not be negative, got {days}")
        moment = _utc(start)
        if not days:
            return start
        today = self._local_date(moment)
        spans = self._spans(today)
        within_hours = bool(spans) and spans[0][0] <= moment < spans[-1][1]
        # Before opening, today is the coming working day and so the first counted.
        first = today - _DAY if spans and moment < spans[0][0] else today
        target_day, target_spans = self._nth_working_day_after(first, days)
        if not within_hours:
            return target_spans[-1][1].astimezone(start.tzinfo)
        clock = moment.astimezone(self.schedule.zone).replace(tzinfo=None).time()
        wanted = _wall(target_day, clock, self.schedule)
        for span_start, span_end in target_spans:
            if wanted < span_end:
                return max(wanted, span_start).astimezone(start.tzinfo)
        return target_spans[-1][1].astimezone(start.tzinfo)

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time in [a, b); negative when `b` is before `a`."""
        start, end = _utc(a), _utc(b)
        if end < start:
            return -self.working_time_between(b, a)
        total = timedelta()
        if end == start:
            return total
        # The end is excluded: a range ending at midnight does not touch the next day,
        # which may lie outside the calendar (a whole year up to next January 1).
        day, last = self._local_date(start), self._local_date(end - _TICK)
        while day <= last:
            for span_start, span_end in self._spans(day):
                overlap = min(span_end, end) - max(span_start, start)
                if overlap > timedelta():
                    total += overlap
            day += _DAY
        return total

    def working_days_in(self, period: int | tuple[date, date]) -> int:
        """How many dates with working time a year, or an inclusive date range, has."""
        first, last = (
            (date(period, 1, 1), date(period, 12, 31)) if isinstance(period, int) else period
        )
        count, day = 0, first
        while day <= last:
            count += bool(self._spans(day))
            day += _DAY
        return count

    # -- internals ---------------------------------------------------------------

    def _local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.schedule.zone).date()

    def _working_days_from(self, day: date) -> Iterator[tuple[date, tuple[Span, ...]]]:
        """Dates with working time from `day` on, with their spans; endless."""
        idle = 0
        while True:
            spans = self._spans(day)
            if spans:
                idle = 0
                yield day, spans
            else:
                idle += 1
                if idle > _MAX_IDLE_DAYS:
                    raise NoWorkingTime(
                        f"No working time in the {_MAX_IDLE_DAYS} days before {day}: "
                        f"check schedule and calendar '{self.calendar.name}'"
                    )
            day += _DAY

    def _nth_working_day_after(self, day: date, n: int) -> tuple[date, tuple[Span, ...]]:
        for found in self._working_days_from(day + _DAY):
            n -= 1
            if n <= 0:
                return found
        raise AssertionError("unreachable: _working_days_from never ends")  # pragma: no cover

    def _spans(self, day: date) -> tuple[Span, ...]:
        """The working intervals of a date as aware UTC datetimes, memoised."""
        cached = self._spans_cache.get(day)
        if cached is not None:
            return cached
        if not self.calendar.covers(day):
            raise CalendarNotCovered(
                f"The holiday calendar '{self.calendar.name}' covers the years "
                f"{self.calendar.first_year}-{self.calendar.last_year}; {day} is outside them"
            )
        spans = self._compute_spans(day)
        if len(self._spans_cache) >= _CACHE_LIMIT:
            self._spans_cache.clear()
        self._spans_cache[day] = spans
        return spans

    def _compute_spans(self, day: date) -> tuple[Span, ...]:
        if not self.calendar.is_working_day(day):
            return ()
        intervals = self.schedule.intervals_on(day.weekday())
        if not intervals and day in self.calendar.working_weekends:
            intervals = next(d for d in self.schedule.week if d)
        offsets = [(i.start_offset, i.end_offset) for i in intervals]
        if self.calendar.is_short_day(day):
            offsets = _cut_from_end(offsets, SHORT_DAY_CUT)
        midnight = datetime.combine(day, datetime.min.time())
        spans = []
        for start_offset, end_offset in offsets:
            # Offsets are added on the naive wall clock, then placed in the zone.
            start = (midnight + start_offset).replace(tzinfo=self.schedule.zone).astimezone(UTC)
            end = (midnight + end_offset).replace(tzinfo=self.schedule.zone).astimezone(UTC)
            if start < end:  # a DST fold can swallow a tiny interval
                spans.append((start, end))
        return tuple(spans)


def _cut_from_end(
    offsets: list[tuple[timedelta, timedelta]], cut: timedelta
) -> list[tuple[timedelta, timedelta]]:
    """Shorten a day by `cut` from its end, across intervals if the last is shorter."""
    kept = list(offsets)
    while kept and cut > timedelta():
        start, end = kept.pop()
        if end - start > cut:
            kept.append((start, end - cut))
        cut -= end - start
    return kept


def _wall(day: date, clock: time, schedule: WorkSchedule) -> datetime:
    return datetime.combine(day, clock, tzinfo=schedule.zone).astimezone(UTC)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetime(
            f"A timezone-aware datetime is required, got naive {moment.isoformat()}"
        )
    return moment.astimezone(UTC)


def _duration(hours: timedelta | float) -> timedelta:
    if isinstance(hours, timedelta):
        amount = hours
    elif isinstance(hours, int | float) and not isinstance(hours, bool) and math.isfinite(hours):
        amount = timedelta(hours=hours)
    else:
        raise InvalidValue(f"Working hours must be a finite number or a timedelta, got {hours!r}")
    if amount < timedelta():
        raise InvalidValue(f"Working hours to add must not be negative, got {hours!r}")
    return amount
