"""When a robot is due: its timing applied to the moment the item entered the stage.

- ``immediately``: at the entry itself;
- ``after`` N minutes/hours/days: plain elapsed time;
- ``after_working`` N days: ``WorkingTime.add_working_days`` (a person's deadline: the same
  clock time N working days later, or the close of day N when entered outside hours);
- ``after_working`` N hours/minutes: ``WorkingTime.add_working_hours``;
- ``working_hours_only``: the moment found is put off to the next working moment.

Working time is the responsible's (schedule, timezone, holiday calendar), given as a source
that builds it for a range of years; the range grows when a long delay runs past it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from conveyor.domain.errors import CalendarNotCovered, NaiveDatetime
from conveyor.domain.robots import TimeUnit, Timing, TimingKind
from conveyor.domain.working_time import WorkingTime

#: ``source(first_year, last_year)``: the working time with a calendar covering those years.
WorkingTimeSource = Callable[[int, int], WorkingTime]

#: Beyond this year nothing is counted (the calendars' own bound).
LAST_YEAR = 2200
_MINUTES_PER = {TimeUnit.MINUTES: 1, TimeUnit.HOURS: 60}


def due_at(
    timing: Timing,
    *,
    entered_at: datetime,
    working_time: WorkingTimeSource,
    last_year: int = LAST_YEAR,
) -> datetime:
    """The moment a robot with ``timing`` is due for an item that entered its stage at
    ``entered_at``. Raises ``CalendarNotCovered`` when the answer falls after
    ``last_year``, ``NaiveDatetime`` for a naive ``entered_at``."""
    if entered_at.tzinfo is None or entered_at.utcoffset() is None:
        raise NaiveDatetime("The entry time must be timezone-aware", field="entered_at")
    if not timing.needs_working_time:
        return entered_at + timing.elapsed()
    first, last = entered_at.year - 1, min(last_year, entered_at.year + 2)
    while True:
        working = working_time(first, last)
        try:
            return _on_working_time(timing, entered_at, working)
        except CalendarNotCovered:
            if last >= last_year:
                raise
            # Four times further each round: a few rounds reach any delay allowed.
            last = min(last_year, entered_at.year + 4 * (last - entered_at.year))


def _on_working_time(timing: Timing, entered_at: datetime, working: WorkingTime) -> datetime:
    moment = entered_at + timing.elapsed()
    if timing.kind is TimingKind.AFTER_WORKING:
        assert timing.unit is not None
        if timing.unit is TimeUnit.DAYS:
            moment = working.add_working_days(entered_at, timing.amount)
        else:
            minutes = timing.amount * _MINUTES_PER[timing.unit]
            moment = working.add_working_hours(entered_at, timedelta(minutes=minutes))
    if timing.working_hours_only:
        moment = working.next_working_moment(moment)
    return moment
