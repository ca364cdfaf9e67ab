"""Demand from a CSV file: one item per row, refused with the row and column at fault.

Columns (a header row first, names in any case and order, comma-separated):

- ``arrival``  — when the item arrived: ISO 8601, ``2026-03-02T09:15`` or with an offset
  (``2026-03-02 09:15+03:00``); without an offset it is read in the company's timezone;
- ``weight``   — its complexity in points (``2``, ``0.5``);
- ``duration`` — the working hours it takes one person alone (``2.5``);
- ``deadline`` — when it is due, ISO 8601 like ``arrival``; an empty cell means
  "the duration plus the slack" in the company's working hours;
- ``category`` (or ``skill``), optional — the skill it needs; when any row has one, the
  rule matches skills and the team's people are dealt the categories in turn.

The parser takes lines, not a path: reading the file is the caller's business.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation

from conveyor.domain.distribution_rules import MAX_POINTS
from conveyor.domain.errors import InvalidValue
from conveyor.engines.assignment import RuleSettings
from conveyor.engines.simulation.clock import Availability, SimClock
from conveyor.engines.simulation.scenario import Demand, Scenario, WorkingHours
from conveyor.engines.simulation.synthetic import synthetic_team

CSV_COLUMNS = ("arrival", "weight", "duration", "deadline", "category")
_ALIASES = {"skill": "category"}
_REQUIRED = ("arrival", "weight", "duration", "deadline")
MAX_ROWS = 100_000
MAX_HOURS = Decimal(10_000)
MAX_CATEGORY = 100


class InvalidDemandRow(InvalidValue):
    """A row of the demand file is not acceptable."""

    def __init__(self, message: str, *, source: str, row: int, column: str | None) -> None:
        self.row = row
        self.column = column
        where = f"{source}, row {row}" + (f", column {column}" if column else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, kw_only=True)
class CsvDemand:
    """The rows as demand (in arrival order), the categories seen, and the whole days
    from the first arrival's to the last one's."""

    demand: tuple[Demand, ...]
    categories: tuple[str, ...]
    first_day: date
    days: int


@dataclass(frozen=True, kw_only=True, slots=True)
class _Row:
    line: int
    arrival: datetime
    weight: Decimal
    hours: Decimal
    deadline: datetime | None
    category: str | None


def read_demand_csv(
    lines: Iterable[str],
    *,
    source: str,
    timezone: tzinfo,
    slack_hours: float,
    hours: WorkingHours = WorkingHours(),
) -> CsvDemand:
    """Parse ``lines`` (``source`` names them in errors); raises ``InvalidDemandRow``."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise InvalidDemandRow(
            f"the file is empty; expected a header: {','.join(CSV_COLUMNS)}",
            source=source,
            row=1,
            column=None,
        )
    columns = _columns(header, source)
    rows: list[_Row] = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        line = reader.line_num
        if len(rows) >= MAX_ROWS:
            raise InvalidDemandRow(
                f"more than {MAX_ROWS} items", source=source, row=line, column=None
            )
        if len(cells) != len(columns):
            raise InvalidDemandRow(
                f"{len(cells)} cells where the header has {len(columns)}",
                source=source,
                row=line,
                column=None,
            )
        values = dict(zip(columns, (cell.strip() for cell in cells), strict=True))
        rows.append(_row(values, line, source, timezone))
    if not rows:
        raise InvalidDemandRow("no items below the header", source=source, row=2, column=None)
    return _demand(rows, timezone, hours, slack_hours)


def scenario_from_csv(
    parsed: CsvDemand,
    *,
    timezone: tzinfo,
    employees: int,
    capacity: Decimal,
    seed: int,
    hours: WorkingHours = WorkingHours(),
) -> Scenario:
    """The CSV's demand against a synthetic team (see ``synthetic_team``) over whole days."""
    team = synthetic_team(
        random.Random(seed),
        employees=employees,
        capacity=capacity,
        first_day=parsed.first_day,
        days=parsed.days,
        categories=parsed.categories,
    )
    first = datetime.combine(parsed.first_day, time(), timezone)
    return Scenario(
        starts_at=first,
        ends_at=datetime.combine(parsed.first_day + timedelta(days=parsed.days), time(), timezone),
        timezone=timezone,
        team=team,
        demand=parsed.demand,
        settings=RuleSettings(
            default_capacity_points=capacity, skill_match=bool(parsed.categories)
        ),
        hours=hours,
    )


def _columns(header: list[str], source: str) -> list[str]:
    names = []
    for cell in header:
        name = cell.strip().lstrip("\ufeff").casefold()
        name = _ALIASES.get(name, name)
        if name not in CSV_COLUMNS:
            raise InvalidDemandRow(
                f"unknown column {cell.strip()[:40]!r}; expected {', '.join(CSV_COLUMNS)}",
                source=source,
                row=1,
                column=cell.strip()[:40] or "(empty)",
            )
        if name in names:
            raise InvalidDemandRow("the column appears twice", source=source, row=1, column=name)
        names.append(name)
    for name in _REQUIRED:
        if name not in names:
            raise InvalidDemandRow(
                "the column is missing from the header", source=source, row=1, column=name
            )
    return names


def _row(values: dict[str, str], line: int, source: str, timezone: tzinfo) -> _Row:
    def fail(column: str, message: str) -> InvalidDemandRow:
        return InvalidDemandRow(message, source=source, row=line, column=column)

    arrival = _moment(values["arrival"], timezone)
    if arrival is None:
        raise fail("arrival", _not_a_moment(values["arrival"]))
    weight = _number(values["weight"])
    if weight is None or not 0 <= weight <= MAX_POINTS:
        raise fail(
            "weight", f"{values['weight'][:40]!r} is not a number of points from 0 to {MAX_POINTS}"
        )
    hours = _number(values["duration"])
    if hours is None or not 0 < hours <= MAX_HOURS:
        raise fail(
            "duration",
            f"{values['duration'][:40]!r} is not a number of hours above 0 and at most {MAX_HOURS}",
        )
    deadline = None
    if values["deadline"]:
        deadline = _moment(values["deadline"], timezone)
        if deadline is None:
            raise fail("deadline", _not_a_moment(values["deadline"]))
        if deadline < arrival:
            raise fail("deadline", "the deadline is before the arrival")
    category = values.get("category") or None
    if category is not None and len(category) > MAX_CATEGORY:
        raise fail("category", f"longer than {MAX_CATEGORY} characters")
    return _Row(
        line=line,
        arrival=arrival,
        weight=weight,
        hours=hours,
        deadline=deadline,
        category=category,
    )


def _demand(
    rows: list[_Row], timezone: tzinfo, hours: WorkingHours, slack_hours: float
) -> CsvDemand:
    first_day = min(r.arrival for r in rows).astimezone(timezone).date()
    last_day = max(r.arrival for r in rows).astimezone(timezone).date()
    clock = SimClock(first_day, timezone)
    company = Availability(clock, hours)
    demand = []
    for number, row in enumerate(sorted(rows, key=lambda r: (r.arrival, r.line)), start=1):
        effort = timedelta(hours=float(row.hours))
        deadline = row.deadline
        if deadline is None:
            allowed = effort.total_seconds() + slack_hours * 3600
            deadline = clock.moment(company.after(clock.seconds(row.arrival), allowed))
        demand.append(
            Demand(
                item_id=number,
                arrives_at=row.arrival,
                weight=row.weight,
                effort=effort,
                deadline=deadline,
                skill=row.category,
            )
        )
    categories = tuple(sorted({r.category.casefold() for r in rows if r.category}))
    return CsvDemand(
        demand=tuple(demand),
        categories=categories,
        first_day=first_day,
        days=(last_day - first_day).days + 1,
    )


def _moment(text: str, timezone: tzinfo) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone) if moment.tzinfo is None else moment


def _not_a_moment(text: str) -> str:
    return f"{text[:40]!r} is not a date and time like 2026-03-02T09:15 (offset optional)"


def _number(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
