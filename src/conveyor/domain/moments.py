"""Instants the model accepts: timezone-aware, and within years any database can store."""

from __future__ import annotations

from datetime import UTC, datetime

from conveyor.domain.errors import InvalidValue, NaiveDatetime

#: Older moments are typos (year 0202); the bounds also keep every UTC conversion in range.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def check_moment(moment: datetime, *, field: str) -> datetime:
    """``moment`` in UTC; refused when naive or outside 1900–9000."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetime("A date and time with a timezone offset is required", field=field)
    if not EARLIEST <= moment <= LATEST:
        raise InvalidValue("The date and time is out of range (1900 to 9000)", field=field)
    return moment.astimezone(UTC)
