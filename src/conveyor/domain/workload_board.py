"""The workload board: per employee what they hold, what is late or done, whether they are
here, and when they will have room; per rule how many items wait.

Pure assembly from what the service read: ``whereabouts`` (present or away, and why),
``counting_bounds`` (today and this week on the employee's own wall clock) and ``board_row``
(the figures side by side, with ``free_capacity.estimate_free_at``).

What counts as in work: with a rule, the rule's in-work stages (and its open tasks when it
counts them), weighed by the rule's weight expression against the rule's capacity; without
one, every lead and deal at a non-final stage of any pipeline at 1 point each, and no
capacity. Tasks are always shown on their own (``TaskTally``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.free_capacity import (
    AwaySpell,
    FreeEstimate,
    HeldWork,
    ObservedDurations,
    Plate,
    estimate_free_at,
)
from conveyor.domain.presence import AwayReason
from conveyor.domain.workdays import UNCLOSED, DayState


class DayStatus(enum.StrEnum):
    """The time clock as the board shows it: a day running (open or paused) whatever its
    date, else today's day closed, else not opened."""

    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"
    NOT_OPENED = "not_opened"


@dataclass(frozen=True, kw_only=True)
class Whereabouts:
    """Present or away, and why. A closed or unopened day does not make anyone absent
    (``day`` shows it); an absence or a dismissal does."""

    present: bool
    reason: AwayReason | None
    absence_kind: AbsenceKind | None
    #: The last day of the absence, carried through absences that follow without a gap.
    absent_until: date | None
    dismissed_at: datetime | None
    day: DayStatus
    in_working_hours: bool


@dataclass(frozen=True, kw_only=True)
class TaskTally:
    """Task counts for one employee at one moment."""

    #: Pending or in progress, as the responsible.
    open: int = 0
    #: Past the deadline while pending, in progress or deferred, as the responsible.
    overdue: int = 0
    deferred: int = 0
    #: Completed since their local midnight / since Monday 00:00 their time.
    completed_today: int = 0
    completed_this_week: int = 0
    #: Awaiting control where they are the creator: waiting for THEIR acceptance.
    awaiting_approval: int = 0
    #: Their own done work awaiting the creator's acceptance.
    submitted_for_approval: int = 0


@dataclass(frozen=True, kw_only=True)
class Person:
    """Who a board row is about."""

    id: int
    name: str
    position: str | None
    timezone: str
    is_external: bool
    active: bool
    dismissed_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class BoardRow:
    employee: Person
    department_ids: tuple[int, ...]
    in_work_count: int
    in_work_points: Decimal
    #: ``None``: no capacity (no rule given, or the rule sets none for them).
    capacity_points: Decimal | None
    #: Capacity less load, never below 0; ``None`` without a capacity.
    free_points: Decimal | None
    tasks: TaskTally
    presence: Whereabouts
    free_at: FreeEstimate


@dataclass(frozen=True, kw_only=True)
class Board:
    """One page of the board at ``at``, with what was counted as in work."""

    at: datetime
    rule_id: int | None
    counted_stage_ids: tuple[int, ...]
    counts_open_tasks: bool
    rows: list[BoardRow]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, kw_only=True)
class QueueLine:
    """An enabled rule's waiting queue at a glance."""

    rule_id: int
    rule_name: str
    waiting: int
    oldest_queued_at: datetime | None
    #: How long the oldest entry has waited at the board's moment.
    oldest_wait: timedelta | None
    escalated: int


def queue_line(
    *,
    rule_id: int,
    rule_name: str,
    waiting: int,
    oldest_queued_at: datetime | None,
    escalated: int,
    now: datetime,
) -> QueueLine:
    wait = None if oldest_queued_at is None else max(now - oldest_queued_at, timedelta(0))
    return QueueLine(
        rule_id=rule_id,
        rule_name=rule_name,
        waiting=waiting,
        oldest_queued_at=oldest_queued_at,
        oldest_wait=wait,
        escalated=escalated,
    )


def counting_bounds(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """The start of today and of this week (Monday) on ``timezone``'s wall clock, as aware
    moments: "completed today" and "completed this week" count from these."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    # Built from wall-clock parts, so that a DST change does not shift midnight.
    return (
        datetime(today.year, today.month, today.day, tzinfo=zone),
        datetime(monday.year, monday.month, monday.day, tzinfo=zone),
    )


def whereabouts(
    person: Person,
    *,
    now: datetime,
    today: date,
    away: Sequence[AwaySpell],
    days: Iterable[tuple[date, DayState | None]],
    in_working_hours: bool,
) -> Whereabouts:
    """Whether ``person`` is here at ``now`` (their local date ``today``): not when
    dismissed by then, nor on a day one of their (merged) absences covers. ``days`` are
    their working days running or dated ``today``, by date."""
    dismissed = not person.active and (person.dismissed_at is None or person.dismissed_at <= now)
    spell = next((s for s in away if s.covers(today)), None)
    reason = AwayReason.DISMISSED if dismissed else AwayReason.ABSENCE if spell else None
    return Whereabouts(
        present=reason is None,
        reason=reason,
        absence_kind=None if spell is None else spell.kind,
        absent_until=None if spell is None else spell.last,
        dismissed_at=person.dismissed_at if dismissed else None,
        day=day_status(days, today),
        in_working_hours=in_working_hours,
    )


def day_status(days: Iterable[tuple[date, DayState | None]], today: date) -> DayStatus:
    """A day still running (the latest, whatever its date: night shifts cross midnight),
    else today's day when it was closed, else not opened."""
    running: DayState | None = None
    closed_today = False
    for day, state in days:
        if state in UNCLOSED:
            running = state
        elif state is DayState.CLOSED and day == today:
            closed_today = True
    if running is not None:
        return DayStatus(running.value)
    return DayStatus.CLOSED if closed_today else DayStatus.NOT_OPENED


def board_row(
    person: Person,
    *,
    now: datetime,
    department_ids: Iterable[int],
    held: Sequence[HeldWork],
    capacity_points: Decimal | None,
    tasks: TaskTally,
    presence: Whereabouts,
    away: Sequence[AwaySpell],
    durations: ObservedDurations,
    work_starts: Callable[[date], datetime],
    stage_names: Mapping[int, str],
) -> BoardRow:
    """One employee's row: load against capacity, and when they will have room."""
    plate = Plate(
        employee_id=person.id,
        timezone=person.timezone,
        held=held,
        capacity_points=capacity_points,
        dismissed=presence.reason is AwayReason.DISMISSED,
    )
    load = plate.load_points
    free_points = None if capacity_points is None else max(capacity_points - load, Decimal(0))
    return BoardRow(
        employee=person,
        department_ids=tuple(sorted(set(department_ids))),
        in_work_count=len(held),
        in_work_points=load,
        capacity_points=capacity_points,
        free_points=free_points,
        tasks=tasks,
        presence=presence,
        free_at=estimate_free_at(
            plate,
            now=now,
            away=away,
            durations=durations,
            work_starts=work_starts,
            stage_names=stage_names,
        ),
    )
