"""The replay's clock: seconds on the company's wall clock since the first day's midnight.

The event loop compares and adds floats, not datetimes: tens of thousands of events stay
cheap. Seconds are read on the LOCAL wall clock, so day ``n`` is always ``[n*DAY, (n+1)*DAY)``
and "9:00" is the same offset every day; a daylight-saving change therefore moves real
instants by an hour on two nights a year, which a comparison of policies over the same
days does not feel.

``Availability`` answers the two questions processor sharing needs: how much working time
someone had between two instants, and when they will have had a given amount of it.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from datetime import date, datetime, time, timedelta, tzinfo

from conveyor.domain.errors import NoWorkingTime
from conveyor.engines.simulation.scenario import WorkingHours

DAY = 86_400.0
#: How far ahead ``Availability.after`` looks for working time before giving up.
MAX_LOOK_DAYS = 3_660


class SimClock:
    """Converts between aware datetimes and the replay's seconds."""

    def __init__(self, first_day: date, timezone: tzinfo) -> None:
        self.first_day = first_day
        self.timezone = timezone
        self._origin = datetime(first_day.year, first_day.month, first_day.day)

    def seconds(self, moment: datetime) -> float:
        local = moment.astimezone(self.timezone).replace(tzinfo=None)
        return (local - self._origin).total_seconds()

    def moment(self, seconds: float) -> datetime:
        return (self._origin + timedelta(seconds=seconds)).replace(tzinfo=self.timezone)

    def date_of(self, day: int) -> date:
        return self.first_day + timedelta(days=day)

    def day_of(self, moment: date) -> int:
        return (moment - self.first_day).days


def day_index(seconds: float) -> int:
    return math.floor(seconds / DAY)


class Availability:
    """When one person works: the company's week, less the days they are away.

    With no days away it is the company's own working time (deadlines, arrivals).
    """

    def __init__(
        self, clock: SimClock, hours: WorkingHours, away_days: Collection[int] = ()
    ) -> None:
        self._weekday0 = clock.first_day.weekday()
        self._weekdays = hours.weekdays
        self._away = frozenset(away_days)
        self._periods = tuple((_offset(start), _offset(end)) for start, end in hours.periods)
        self._days: dict[int, bool] = {}

    def works_on(self, day: int) -> bool:
        """Whether ``day`` is one of their working days (a working weekday, not away)."""
        known = self._days.get(day)
        if known is None:
            known = (self._weekday0 + day) % 7 in self._weekdays and day not in self._away
            self._days[day] = known
        return known

    def between(self, start: float, end: float) -> float:
        """Working seconds in ``[start, end)``."""
        if end <= start:
            return 0.0
        total = 0.0
        day = day_index(start)
        while day * DAY < end:
            if self.works_on(day):
                base = day * DAY
                for opens, closes in self._periods:
                    low, high = max(start, base + opens), min(end, base + closes)
                    if high > low:
                        total += high - low
            day += 1
        return total

    def after(self, start: float, work: float) -> float:
        """The instant at which ``work`` working seconds have passed since ``start``."""
        if work <= 0:
            return start
        remaining = work
        day = day_index(start)
        for _ in range(MAX_LOOK_DAYS):
            if self.works_on(day):
                base = day * DAY
                for opens, closes in self._periods:
                    low, high = max(start, base + opens), base + closes
                    if high <= low:
                        continue
                    if high - low >= remaining:
                        return low + remaining
                    remaining -= high - low
            day += 1
        raise NoWorkingTime(f"No working time within {MAX_LOOK_DAYS} days", field="hours")

    def is_working(self, instant: float) -> bool:
        day = day_index(instant)
        if not self.works_on(day):
            return False
        offset = instant - day * DAY
        return any(opens <= offset < closes for opens, closes in self._periods)


def _offset(moment: time) -> float:
    return moment.hour * 3600.0 + moment.minute * 60.0 + moment.second
