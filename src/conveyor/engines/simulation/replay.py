"""The discrete-event replay of one scenario under one policy, deciding with the real engine.

Events, in time order (at the same instant: finishes, then returns, then arrivals, then the
batch tick, so that capacity freed at 10:00 and an item arriving at 10:00 are both seen by a
tick at 10:00):

- **arrival**: deciding on arrival, ``conveyor.engines.assignment.decide`` picks someone
  now; when nobody is free the item waits in a queue (arrival order). A batch policy only
  queues it for the next tick.
- **finish**: an employee's item is done (see ``desks``: work is shared among the items in
  hand and only runs in their working hours); its points leave their load and, deciding on
  arrival, the queue is tried again.
- **return**: someone is back from an absence at midnight; the queue is tried again.
- **tick** (batch only): at each multiple of ``cycle`` while items wait, the queue is tried
  in arrival order, each decision seeing the loads left by the previous one (ticks that
  could change nothing are skipped, see ``_Run._next_tick``).

Arrivals stop at the end of the period; the replay goes on until the work in hand is done
(at most ``DRAIN_DAYS`` later) so that late items get a finish and an overdue verdict. The
candidates' time clock and schedules are not replayed: the rule's ``respect_day_status`` and
``respect_working_hours`` are off here, assignment happens at any hour and work only in
working hours.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from conveyor.engines.assignment import CandidateSnapshot, WorkItem, decide
from conveyor.engines.simulation.clock import DAY, Availability, SimClock, day_index
from conveyor.engines.simulation.desks import Desk
from conveyor.engines.simulation.policies import Policy
from conveyor.engines.simulation.scenario import Demand, Scenario

#: How long after the period the replay may run to finish the work in hand.
DRAIN_DAYS = 365
_FINISH, _RETURN, _ARRIVE, _TICK = range(4)


@dataclass(frozen=True, kw_only=True, slots=True)
class Placement:
    """What happened to one item: ``assigned_at``/``employee_id`` are ``None`` when it was
    never assigned, ``finished_at`` when its work was not done by the replay's end."""

    item_id: int
    arrives_at: datetime
    assigned_at: datetime | None
    employee_id: int | None
    finished_at: datetime | None
    deadline: datetime | None


@dataclass(frozen=True, kw_only=True, slots=True)
class EmployeeRecord:
    """One employee over the period: working hours present, their load in points averaged
    over those hours, the share of them with work in hand, and their highest load."""

    employee_id: int
    name: str
    present_hours: float
    average_load: float
    busy_share: float
    peak_load: Decimal
    capacity: Decimal | None


@dataclass(frozen=True, kw_only=True)
class Replay:
    """The outcome of one policy: ``placements`` in arrival order, ``employees`` by id,
    and ``ended_at``, the last event (items still waiting then waited at least that long)."""

    policy: Policy
    placements: tuple[Placement, ...]
    employees: tuple[EmployeeRecord, ...]
    starts_at: datetime
    ends_at: datetime
    ended_at: datetime


def replay(scenario: Scenario, policy: Policy) -> Replay:
    """Run ``scenario`` under ``policy``; deterministic: the same inputs give the same replay."""
    return _Run(scenario, policy).run()


class _Run:
    def __init__(self, scenario: Scenario, policy: Policy) -> None:
        self.scenario, self.policy = scenario, policy
        self.settings = replace(
            policy.settings, respect_day_status=False, respect_working_hours=False
        )
        tz = scenario.timezone
        self.clock = clock = SimClock(scenario.starts_at.astimezone(tz).date(), tz)
        self.start, self.end = clock.seconds(scenario.starts_at), clock.seconds(scenario.ends_at)
        default_capacity = self.settings.default_capacity_points
        self.desks = [
            Desk(
                mate,
                clock,
                scenario.hours,
                capacity=default_capacity if mate.capacity_points is None else mate.capacity_points,
                start=self.start,
                end=self.end,
            )
            for mate in scenario.team
        ]
        self.number_of = {desk.mate.employee_id: n for n, desk in enumerate(self.desks)}
        company = Availability(clock, scenario.hours)
        self.demand = scenario.demand
        self.arrivals = [clock.seconds(d.arrives_at) for d in self.demand]
        self.efforts = [d.effort.total_seconds() for d in self.demand]
        self.work = [
            _work_item(d, arrival, effort, company)
            for d, arrival, effort in zip(self.demand, self.arrivals, self.efforts, strict=True)
        ]
        count = len(self.demand)
        self.assigned: list[float | None] = [None] * count
        self.assignee: list[int | None] = [None] * count
        self.finished: list[float | None] = [None] * count
        self.queue: list[int] = []
        self.cursor: int | None = None
        self.events: list[tuple[float, int, int, int, int]] = []
        self.sequence = 0
        self.tick_pending = False

    def run(self) -> Replay:
        for index, arrival in enumerate(self.arrivals):
            self._push(arrival, _ARRIVE, index)
        for number, desk in enumerate(self.desks):
            for back in desk.returns():
                if self.start < back <= self.end + DRAIN_DAYS * DAY:
                    self._push(back, _RETURN, number)
        limit, last = self.end + DRAIN_DAYS * DAY, self.end
        while self.events:
            instant, kind, _, subject, version = heapq.heappop(self.events)
            if instant > limit:
                break
            if kind == _FINISH and version != self.desks[subject].version:
                continue  # superseded: the desk's items changed since this finish was planned
            last = max(last, instant)
            if kind == _ARRIVE:
                self._arrive(subject, instant)
            elif kind == _FINISH:
                self._finish(subject, instant)
            elif kind == _RETURN:
                self._retry(instant)
            else:
                self._tick(instant)
        for desk in self.desks:
            desk.advance(last)
        return self._outcome(last)

    def _push(self, instant: float, kind: int, subject: int, version: int = 0) -> None:
        self.sequence += 1
        heapq.heappush(self.events, (instant, kind, self.sequence, subject, version))

    def _arrive(self, index: int, instant: float) -> None:
        if self.policy.cycle is not None:
            self.queue.append(index)
            self._next_tick(instant)
        elif self._place([index], instant):
            self.queue.append(index)

    def _finish(self, number: int, instant: float) -> None:
        desk = self.desks[number]
        for index in desk.finish_done(instant):
            self.finished[index] = instant
        self._plan_finish(number)
        self._retry(instant)

    def _retry(self, instant: float) -> None:
        """Capacity freed or someone is back: try the queue now, or at the next tick."""
        if not self.queue:
            return
        if self.policy.cycle is None:
            self.queue = self._place(self.queue, instant)
        else:
            self._next_tick(instant)

    def _next_tick(self, instant: float) -> None:
        """Plan the first tick at or after ``instant`` unless one is planned.

        Only ticks that can change something are run: a tick after which neither an arrival,
        nor a finish, nor a return happened would see the same loads and absences (an
        absence starting only takes people away) and place nothing, so skipping it gives
        the same replay as a cron that fires every cycle, at a fraction of the cost.
        """
        if self.tick_pending:
            return
        assert self.policy.cycle is not None
        cycle = self.policy.cycle.total_seconds()
        self._push(math.ceil(instant / cycle) * cycle, _TICK, 0)
        self.tick_pending = True

    def _tick(self, instant: float) -> None:
        self.tick_pending = False
        self.queue = self._place(self.queue, instant)

    def _place(self, indices: list[int], instant: float) -> list[int]:
        """Decide for each of ``indices`` in order; returns those nobody could take."""
        largest = _largest_room(self.desks)
        moment, day = self.clock.moment(instant), day_index(instant)
        snapshots: list[CandidateSnapshot] = []  # built once, on the first item that may fit
        waiting: list[int] = []
        for index in indices:
            weight = self.demand[index].weight
            if largest is not None and weight > largest:
                waiting.append(index)  # nobody has the room: no need to ask the engine
                continue
            if not snapshots:
                snapshots = [desk.snapshot(instant, day) for desk in self.desks]
            decision = decide(
                self.work[index],
                snapshots,
                self.settings,
                now=moment,
                round_robin_cursor=self.cursor,
            )
            if decision.chosen_id is None:
                waiting.append(index)
                continue
            self.cursor = decision.next_cursor
            number = self.number_of[decision.chosen_id]
            desk = self.desks[number]
            desk.take(index, weight, self.efforts[index], instant)
            self.assigned[index], self.assignee[index] = instant, decision.chosen_id
            snapshots[number] = desk.snapshot(instant, day)
            largest = _largest_room(self.desks)
            self._plan_finish(number)
        return waiting

    def _plan_finish(self, number: int) -> None:
        desk = self.desks[number]
        finish = desk.next_finish()
        if finish is not None:
            self._push(finish, _FINISH, number, desk.version)

    def _outcome(self, last: float) -> Replay:
        moment = self.clock.moment
        placements = tuple(
            Placement(
                item_id=d.item_id,
                arrives_at=d.arrives_at,
                assigned_at=None if assigned is None else moment(assigned),
                employee_id=employee_id,
                finished_at=None if finished is None else moment(finished),
                deadline=d.deadline,
            )
            for d, assigned, employee_id, finished in zip(
                self.demand, self.assigned, self.assignee, self.finished, strict=True
            )
        )
        employees = tuple(
            EmployeeRecord(
                employee_id=desk.mate.employee_id,
                name=desk.mate.name,
                present_hours=desk.present_seconds / 3600,
                average_load=desk.load_seconds / desk.present_seconds
                if desk.present_seconds
                else 0.0,
                busy_share=desk.busy_seconds / desk.present_seconds
                if desk.present_seconds
                else 0.0,
                peak_load=desk.peak,
                capacity=desk.capacity,
            )
            for desk in self.desks
        )
        return Replay(
            policy=self.policy,
            placements=placements,
            employees=employees,
            starts_at=self.scenario.starts_at,
            ends_at=self.scenario.ends_at,
            ended_at=moment(last),
        )


def _largest_room(desks: list[Desk]) -> Decimal | None:
    """The most points anyone could still take (``None``: someone has no cap). An item
    heavier than this fits nobody, whatever the filters say."""
    largest = Decimal(0)
    for desk in desks:
        room = desk.room()
        if room is None:
            return None
        largest = max(largest, room)
    return largest


def _work_item(demand: Demand, arrival: float, effort: float, company: Availability) -> WorkItem:
    """The engine's view of an item; ``expected_days`` (for look-ahead) counts the calendar
    days its work spans, today included, when one person works on it alone: an item done
    tomorrow takes 2, so an absence starting tomorrow ranks its candidate last."""
    done = company.after(arrival, effort)
    return WorkItem(
        item_id=demand.item_id,
        weight=demand.weight,
        required_skill=demand.skill,
        expected_days=day_index(done) - day_index(arrival) + 1,
    )


def waited(placement: Placement, ended_at: datetime) -> timedelta:
    """From arrival to assignment; an item never assigned waited at least until the end."""
    return (placement.assigned_at or ended_at) - placement.arrives_at
