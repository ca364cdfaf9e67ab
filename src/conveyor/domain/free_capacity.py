"""When will an employee next have free capacity: an estimate for the workload board.

A head planning the week asks "who can take this, and if nobody, when?". The answer is an
estimate, and it says how it was made (``FreeBasis``), because a moment read off a deadline
deserves more trust than one read off last month's habits:

- **room now**: present, and their load is under their capacity (no capacity: always room);
- otherwise their in-work pieces are expected to finish one by one, earliest first, and they
  are free when enough points have gone for the load to drop under the capacity. A piece's
  expected end is its deadline when it has one (tasks); else its stage entry (a task: its
  creation) plus the median stay observed at that stage: their own median when they have at
  least ``MIN_OWN_SAMPLES`` stays there, else everyone's; a piece with neither never counts
  as finishing, and when too few finish the answer is "unknown". An expected end already
  past means "any moment now": the estimate is ``now``;
- **never inside an absence**: a moment falling on a day they are away moves to the start
  of their working time on the day after the absence (absences following each other without
  a gap count as one).

Stays are wall-clock time, not working time: they are observed the same way, so the median
already holds the nights and weekends a stay usually spans.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from conveyor.domain.absences import AbsenceKind

#: Own stays at a stage needed before an employee's own median is trusted over everyone's.
MIN_OWN_SAMPLES = 3


class FreeBasis(enum.StrEnum):
    """How ``free_at`` was estimated."""

    #: Present with room under their capacity (or no capacity at all): free now.
    ROOM_NOW = "room_now"
    #: Free once back from an absence (or the estimate fell inside one and moved past it).
    BACK_FROM_ABSENCE = "back_from_absence"
    #: The piece that frees the room has a deadline.
    DEADLINE = "deadline"
    #: Stage entry plus their own median stay at that stage.
    OWN_HISTORY = "own_history"
    #: Stage entry plus everyone's median stay at that stage (too little of their own).
    TEAM_HISTORY = "team_history"
    #: Full, and too little of what they hold has an expected end.
    UNKNOWN = "unknown"
    #: Dismissed: never free again.
    DISMISSED = "dismissed"


@dataclass(frozen=True, kw_only=True)
class HeldWork:
    """One piece of an employee's in-work load: a lead or deal at an in-work stage, or an
    open task (``stage_id`` ``None``)."""

    kind: str
    item_id: int
    points: Decimal
    stage_id: int | None
    #: When it entered its stage (a task: when it was created).
    since: datetime
    deadline: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class Stay:
    """An observed stay: an item at ``stage_id`` (``None``: a task, from creation to
    completion) from ``entered_at`` to ``left_at``, with ``employee_id`` responsible."""

    employee_id: int | None
    stage_id: int | None
    entered_at: datetime
    left_at: datetime


@dataclass(frozen=True, kw_only=True)
class Expected:
    """A typical stay and where it comes from."""

    duration: timedelta
    basis: FreeBasis
    samples: int


class ObservedDurations:
    """Median stays per (employee, stage) and per stage for everyone."""

    def __init__(self, stays: Iterable[Stay]) -> None:
        own: dict[tuple[int, int | None], list[timedelta]] = defaultdict(list)
        everyone: dict[int | None, list[timedelta]] = defaultdict(list)
        for stay in stays:
            length = stay.left_at - stay.entered_at
            if length < timedelta(0):
                continue  # clocks disagreeing; not an observation
            everyone[stay.stage_id].append(length)
            if stay.employee_id is not None:
                own[(stay.employee_id, stay.stage_id)].append(length)
        self._own = {key: (_median(values), len(values)) for key, values in own.items()}
        self._everyone = {key: (_median(values), len(values)) for key, values in everyone.items()}

    def expected(self, employee_id: int, stage_id: int | None) -> Expected | None:
        """Their own median stay at ``stage_id`` when they have ``MIN_OWN_SAMPLES`` stays
        there, else everyone's, else ``None``."""
        mine = self._own.get((employee_id, stage_id))
        if mine is not None and mine[1] >= MIN_OWN_SAMPLES:
            return Expected(duration=mine[0], basis=FreeBasis.OWN_HISTORY, samples=mine[1])
        all_of_us = self._everyone.get(stage_id)
        if all_of_us is not None:
            return Expected(
                duration=all_of_us[0], basis=FreeBasis.TEAM_HISTORY, samples=all_of_us[1]
            )
        return None


@dataclass(frozen=True, kw_only=True)
class AwaySpell:
    """Days away, ``first`` to ``last`` included, on the employee's own calendar."""

    kind: AbsenceKind
    first: date
    last: date

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last


def merge_spells(spells: Iterable[AwaySpell]) -> list[AwaySpell]:
    """Absences by start date, those following each other without a gap (vacation, then
    sick leave) or overlapping joined into one, which keeps the first one's kind."""
    merged: list[AwaySpell] = []
    for spell in sorted(spells, key=lambda s: (s.first, s.last)):
        if merged and spell.first <= merged[-1].last + timedelta(days=1):
            last = merged[-1]
            merged[-1] = AwaySpell(
                kind=last.kind, first=last.first, last=max(last.last, spell.last)
            )
        else:
            merged.append(spell)
    return merged


@dataclass(frozen=True, kw_only=True)
class Plate:
    """What one employee holds against their capacity at a moment."""

    employee_id: int
    timezone: str
    held: Sequence[HeldWork]
    #: ``None``: no capacity, hence always room.
    capacity_points: Decimal | None
    dismissed: bool = False

    @property
    def load_points(self) -> Decimal:
        return sum((piece.points for piece in self.held), Decimal(0))

    @property
    def has_room(self) -> bool:
        return self.capacity_points is None or self.load_points < self.capacity_points


@dataclass(frozen=True, kw_only=True)
class FreeEstimate:
    """``at``: when they will next have free capacity, on their own clock (``None``: cannot
    tell); ``basis``: how that was estimated; ``note``: the same in one readable sentence."""

    at: datetime | None
    basis: FreeBasis
    note: str


def estimate_free_at(
    plate: Plate,
    *,
    now: datetime,
    away: Sequence[AwaySpell],
    durations: ObservedDurations,
    work_starts: Callable[[date], datetime],
    stage_names: Mapping[int, str] | None = None,
) -> FreeEstimate:
    """When ``plate``'s employee will next have room (see the module docstring).

    ``away``: their absences (merged, see ``merge_spells``); ``work_starts(day)``: the first
    moment of their working time on or after local date ``day``; ``stage_names`` names the
    stages in the note.
    """
    if plate.dismissed:
        return FreeEstimate(at=None, basis=FreeBasis.DISMISSED, note="dismissed")
    names = stage_names or {}
    capacity = plate.capacity_points
    if plate.has_room:
        at, basis = now, FreeBasis.ROOM_NOW
        reason = f"room now: {_load(plate)}"
    else:
        assert capacity is not None
        freeing = _freeing_piece(plate, capacity, durations, now)
        if freeing is None:
            return FreeEstimate(
                at=None,
                basis=FreeBasis.UNKNOWN,
                note=f"full ({_load(plate)}) and too little of it "
                "has a deadline or a history to tell when it ends",
            )
        piece, end, basis, how = freeing
        at = max(end, now)
        reason = _piece_note(piece, end, how, names, now, plate.timezone)
    zone = ZoneInfo(plate.timezone)
    moved, spell = _past_absences(at, away, zone, work_starts)
    if spell is None:
        return FreeEstimate(at=at.astimezone(zone), basis=basis, note=reason)
    back = moved.astimezone(zone)
    away_note = f"away ({spell.kind.value.replace('_', ' ')}) until {spell.last.isoformat()}"
    if basis is FreeBasis.ROOM_NOW:
        note = f"{away_note}; back {back:%Y-%m-%d %H:%M} their time with room"
    else:
        note = f"{reason}, while {away_note}; back {back:%Y-%m-%d %H:%M} their time"
    return FreeEstimate(at=back, basis=FreeBasis.BACK_FROM_ABSENCE, note=note)


def _freeing_piece(
    plate: Plate, capacity: Decimal, durations: ObservedDurations, now: datetime
) -> tuple[HeldWork, datetime, FreeBasis, str] | None:
    """The piece whose end brings the load under ``capacity``, with that end, its basis
    and how the end was found; ``None`` when the pieces with a known end are not enough."""
    ends: list[tuple[datetime, int, HeldWork, FreeBasis, str]] = []
    for order, piece in enumerate(plate.held):
        if piece.deadline is not None:
            ends.append((piece.deadline, order, piece, FreeBasis.DEADLINE, "deadline"))
            continue
        typical = durations.expected(plate.employee_id, piece.stage_id)
        if typical is not None:
            whose = "their" if typical.basis is FreeBasis.OWN_HISTORY else "everyone's"
            stays = f"{typical.samples} stay{'s' if typical.samples != 1 else ''}"
            how = f"{whose} median stay there is {_span(typical.duration)} over {stays}"
            ends.append((piece.since + typical.duration, order, piece, typical.basis, how))
    remaining = plate.load_points
    for end, _, piece, basis, how in sorted(ends, key=lambda e: (e[0], e[1])):
        remaining -= piece.points
        if remaining < capacity:
            return piece, end, basis, how
    return None


def _piece_note(
    piece: HeldWork,
    end: datetime,
    how: str,
    names: Mapping[int, str],
    now: datetime,
    timezone: str,
) -> str:
    local = end.astimezone(ZoneInfo(timezone))
    what = f"{piece.kind} {piece.item_id}"
    if piece.deadline is not None:
        finish = f"{what} is due {local:%Y-%m-%d %H:%M}"
    else:
        where = "" if piece.stage_id is None else f" '{names.get(piece.stage_id, piece.stage_id)}'"
        finish = f"{what} expected to leave{where or ' work'} by {local:%Y-%m-%d %H:%M} ({how})"
    return f"{finish}, already past" if end < now else finish


def _past_absences(
    at: datetime, away: Sequence[AwaySpell], zone: ZoneInfo, work_starts: Callable[[date], datetime]
) -> tuple[datetime, AwaySpell | None]:
    """``at``, or the first working moment after the absence(s) it falls in, with the last
    absence it was moved past."""
    passed: AwaySpell | None = None
    for _ in range(len(away) + 1):
        day = at.astimezone(zone).date()
        spell = next((s for s in away if s.covers(day)), None)
        if spell is None:
            break
        passed = spell
        at = max(at, work_starts(spell.last + timedelta(days=1)))
    return at, passed


def _load(plate: Plate) -> str:
    """ "8 of 10 points" (not 10.000), or that there is no capacity."""
    if plate.capacity_points is None:
        return "no capacity set"
    load, capacity = plate.load_points.normalize(), plate.capacity_points.normalize()
    return f"{load:f} of {capacity:f} points"


def _median(values: list[timedelta]) -> timedelta:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _span(duration: timedelta) -> str:
    """A duration the way a person says it: "3 d 4 h", "5 h 20 min", "40 min"."""
    minutes = int(duration.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"
