"""One employee during a replay: the items in hand, the load they stand for, and what the
period cost them.

Work is shared (processor sharing): someone holding ``n`` items advances each by ``1/n`` of
their working time, as a person juggling several deals does; nothing advances outside
working hours or while they are away. So a pile of items on one person finishes late even
when the team as a whole had time, which is exactly what a distribution policy changes.
"""

from __future__ import annotations

from collections import deque
from datetime import date, datetime
from decimal import Decimal

from conveyor.engines.assignment import CandidateSnapshot, CurrentAbsence
from conveyor.engines.simulation.clock import DAY, Availability, SimClock
from conveyor.engines.simulation.scenario import Away, Teammate, WorkingHours

#: Fair share's window, in days (today included); as ``services.candidates`` counts it.
WINDOW_DAYS = 30
#: Work left below this many seconds is done (floating-point dust).
DONE = 1e-3


class Desk:
    """A teammate's state on the replay's clock (seconds, see ``clock``)."""

    def __init__(
        self,
        mate: Teammate,
        clock: SimClock,
        hours: WorkingHours,
        *,
        capacity: Decimal | None,
        start: float,
        end: float,
    ) -> None:
        self.mate = mate
        self._runs = _merged_runs(mate.away, clock)
        away_days = {d for first, last, _ in self._runs for d in range(first, last + 1)}
        self.availability = Availability(clock, hours, away_days)
        self.capacity = capacity
        self.in_hand: dict[int, float] = {}
        self.weights: dict[int, Decimal] = {}
        self.load = Decimal(0)
        self.peak = Decimal(0)
        self.version = 0
        self.last_assigned_at: datetime | None = None
        self._clock = clock
        self._received: deque[float] = deque()
        self._present_days: dict[int, int] = {}
        self._start, self._end, self._updated = start, end, start
        #: Over the period: working seconds present, load × seconds, seconds with work.
        self.present_seconds = 0.0
        self.load_seconds = 0.0
        self.busy_seconds = 0.0

    def returns(self) -> list[float]:
        """The midnights at which they come back from an absence."""
        return [(last + 1) * DAY for _, last, _ in self._runs]

    def advance(self, instant: float) -> None:
        """Bring the work in hand and the period's figures forward to ``instant``."""
        if instant <= self._updated:
            return
        worked = self.availability.between(self._updated, instant)
        count = len(self.in_hand)
        if count and worked:
            share = worked / count
            for index in self.in_hand:
                self.in_hand[index] -= share
        low, high = max(self._updated, self._start), min(instant, self._end)
        if high > low:
            present = (
                worked
                if (low, high) == (self._updated, instant)
                else self.availability.between(low, high)
            )
            self.present_seconds += present
            self.load_seconds += float(self.load) * present
            if count:
                self.busy_seconds += present
        self._updated = instant

    def take(self, index: int, weight: Decimal, effort: float, instant: float) -> None:
        """Start ``index`` now (``advance`` first, so that earlier items keep their share)."""
        self.advance(instant)
        self.in_hand[index] = effort
        self.weights[index] = weight
        self.load += weight
        self.peak = max(self.peak, self.load)
        self.last_assigned_at = self._clock.moment(instant)
        self._received.append(instant)
        self.version += 1

    def finish_done(self, instant: float) -> list[int]:
        """Remove and return the items whose work is done at ``instant``."""
        self.advance(instant)
        done = [index for index, left in self.in_hand.items() if left <= DONE]
        for index in done:
            del self.in_hand[index]
            self.load -= self.weights.pop(index)
        if done:
            self.version += 1
        return done

    def next_finish(self) -> float | None:
        """When the item closest to done will be, if nothing changes before."""
        if not self.in_hand:
            return None
        least = max(min(self.in_hand.values()), 0.0)
        return self.availability.after(self._updated, least * len(self.in_hand))

    def room(self) -> Decimal | None:
        """Points still free under their cap; ``None``: no cap."""
        return None if self.capacity is None else self.capacity - self.load

    def snapshot(self, instant: float, day: int) -> CandidateSnapshot:
        """How the assignment engine sees them at ``instant`` (``day`` is its day)."""
        horizon = instant - WINDOW_DAYS * DAY
        while self._received and self._received[0] <= horizon:
            self._received.popleft()
        mate = self.mate
        return CandidateSnapshot(
            employee_id=mate.employee_id,
            name=mate.name,
            is_head=mate.is_head,
            is_external=mate.is_external,
            skills=mate.skills,
            absence=self._absence_on(day),
            next_absence_starts_on=self._next_absence_after(day),
            load_points=self.load,
            load_count=len(self.in_hand),
            capacity_points=mate.capacity_points,
            last_assigned_at=self.last_assigned_at,
            assigned_in_window=len(self._received),
            present_days_in_window=self._present_days_to(day),
        )

    def _absence_on(self, day: int) -> CurrentAbsence | None:
        for first, last, away in self._runs:
            if first <= day <= last:
                return CurrentAbsence(kind=away.kind, until=self._clock.date_of(last))
        return None

    def _next_absence_after(self, day: int) -> date | None:
        starts = [first for first, _, _ in self._runs if first > day]
        return self._clock.date_of(min(starts)) if starts else None

    def _present_days_to(self, day: int) -> int:
        """Their working days in the window up to ``day``, none before the replay began
        (they received nothing before it either, so fair share starts even)."""
        known = self._present_days.get(day)
        if known is None:
            first = max(day - WINDOW_DAYS + 1, int(self._start // DAY))
            known = sum(1 for d in range(first, day + 1) if self.availability.works_on(d))
            self._present_days[day] = known
        return known


def _merged_runs(away: tuple[Away, ...], clock: SimClock) -> list[tuple[int, int, Away]]:
    """Absences as runs of day indices, with absences that touch or overlap joined (a
    vacation followed by sick leave is one stretch away, named after its first part)."""
    runs: list[tuple[int, int, Away]] = []
    for absence in away:  # by first day
        first, last = clock.day_of(absence.first), clock.day_of(absence.last)
        if runs and first <= runs[-1][1] + 1:
            previous_first, previous_last, kind = runs[-1]
            runs[-1] = (previous_first, max(previous_last, last), kind)
        else:
            runs.append((first, last, absence))
    return runs
