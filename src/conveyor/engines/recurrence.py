"""Recurrence: when a scheduled job runs, from a cron expression on a timezone's wall clock.

"Every Monday at 09:00, Samara time" is ``Recurrence("0 9 * * 1", "Europe/Samara")``. The
five classic fields (minute, hour, day of month, month, day of week; names such as ``mon``
allowed) are read on the zone's wall clock, so occurrences follow its daylight-saving
changes. Two rules make those changes harmless for business jobs:

- a wall-clock time that an autumn change repeats (02:30 on that night) occurs once, the
  first time: a daily job never runs twice in one night;
- a wall-clock time that a spring change skips occurs at the first moment after the gap
  (croniter's own behaviour).

Every instant in and out is timezone-aware; results are in UTC. ``croniter`` does the
calendar arithmetic; this module fixes the contract around it and turns its errors into
``InvalidValue`` naming the field at fault.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from croniter import CroniterError, croniter

from conveyor.domain.employees import check_timezone
from conveyor.domain.errors import InvalidValue, NaiveDatetime

__all__ = ["MAX_EXPRESSION", "Recurrence"]

#: A cron expression's length, generous for lists such as ``0 9,13,17 * * mon-fri``.
MAX_EXPRESSION = 100
_FIELDS = 5


class Recurrence:
    """Occurrences of one cron expression on one timezone. Immutable, cheap to build."""

    def __init__(
        self,
        expression: str,
        timezone: str,
        *,
        expression_field: str = "schedule",
        timezone_field: str = "timezone",
    ) -> None:
        """Raise ``InvalidValue`` naming ``expression_field`` for an expression that is not
        five valid fields, or that never occurs (``0 9 30 2 *``), and naming
        ``timezone_field`` for an unknown timezone."""
        self.expression = " ".join(expression.split())
        self.timezone = check_timezone(timezone, field_name=timezone_field)
        self._zone = ZoneInfo(self.timezone)
        self._field = expression_field
        if len(self.expression) > MAX_EXPRESSION or len(self.expression.split()) != _FIELDS:
            raise InvalidValue(
                "A schedule is a cron expression of five fields: minute hour day month "
                "weekday, e.g. '0 9 * * mon' for every Monday at 09:00",
                field=expression_field,
            )
        if not croniter.is_valid(self.expression):
            raise InvalidValue(
                f"'{self.expression}' is not a valid cron expression", field=expression_field
            )
        # An expression can be well formed and still name no real date (February 30th).
        self.next_after(datetime(2000, 1, 1, tzinfo=UTC))

    def __repr__(self) -> str:
        return f"Recurrence({self.expression!r}, {self.timezone!r})"

    def next_after(self, moment: datetime) -> datetime:
        """The first occurrence strictly after ``moment``."""
        steps = self._iterate(moment)
        while True:
            found = self._step(steps, backwards=False)
            if not _repeated(found, self._zone):
                return found.astimezone(UTC)

    def latest_until(self, moment: datetime) -> datetime:
        """The last occurrence at or before ``moment`` (every expression has had one)."""
        upcoming = self.next_after(moment)
        steps = self._iterate(upcoming)
        while True:
            found = self._step(steps, backwards=True)
            if not _repeated(found, self._zone):
                return found.astimezone(UTC)

    def _iterate(self, moment: datetime) -> croniter[datetime]:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise NaiveDatetime("A timezone-aware moment is required")
        return croniter(self.expression, moment.astimezone(self._zone), ret_type=datetime)

    def _step(self, steps: croniter[datetime], *, backwards: bool) -> datetime:
        try:
            return steps.get_prev(datetime) if backwards else steps.get_next(datetime)
        except CroniterError:
            raise InvalidValue(
                f"'{self.expression}' names no date that ever occurs", field=self._field
            ) from None


def _repeated(found: datetime, zone: ZoneInfo) -> bool:
    """Whether ``found`` is the second time its wall-clock time occurs (autumn DST change)."""
    wall = found.replace(tzinfo=None)
    earlier = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    later = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    # Both readings exist on the wall clock only when the time is ambiguous (not in a gap).
    ambiguous = earlier != later and all(
        m.astimezone(zone).replace(tzinfo=None) == wall for m in (earlier, later)
    )
    return ambiguous and found.astimezone(UTC) == max(earlier, later)
