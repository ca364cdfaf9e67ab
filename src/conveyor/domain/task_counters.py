"""Per-employee task counters: what is on their plate, late, done, and waiting on whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from conveyor.domain.errors import InvalidValue, NaiveDatetime


@dataclass(frozen=True, kw_only=True)
class TaskCounters:
    """Counts for one employee at one instant; ``completed`` is within ``[period_from,
    period_to)``, every other counter is "right now".
    """

    employee_id: int
    period_from: datetime
    period_to: datetime
    #: Pending or in progress, as the responsible.
    in_work: int
    #: Past the deadline while pending, in progress or deferred, as the responsible.
    overdue: int
    #: Completed within the period, as the responsible.
    completed: int
    #: Deferred, as the responsible.
    deferred: int
    #: Done by them as the responsible, waiting for the creator to accept.
    awaiting_control: int
    #: Created by them and waiting for their acceptance.
    to_accept: int


def month_of(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """The calendar month containing ``now`` in ``timezone``: ``[first day 00:00, next
    month's first day 00:00)``, as aware datetimes in that timezone."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    # Day 1 plus 32 days always lands in the next month.
    following = (start + timedelta(days=32)).replace(day=1)
    # Rebuild both from their wall-clock parts so that a DST change inside the month does
    # not shift midnight.
    return (
        datetime(start.year, start.month, 1, tzinfo=zone),
        datetime(following.year, following.month, 1, tzinfo=zone),
    )


def counting_period(
    now: datetime, timezone: str, start: datetime | None, end: datetime | None
) -> tuple[datetime, datetime]:
    """The period for "completed": each bound not given is the current month's, in
    ``timezone``; the period must not be empty."""
    month_start, month_end = month_of(now, timezone)
    start = month_start if start is None else start
    end = month_end if end is None else end
    for name, value in (("from", start), ("to", end)):
        if value.tzinfo is None:
            raise NaiveDatetime(f"'{name}' needs a timezone", field=name)
    if start >= end:
        raise InvalidValue("The period must end after it starts", field="to")
    return start, end
