"""Candidates: from the database to the assignment engine's ``CandidateSnapshot``s.

The engine decides from snapshots alone (``engines.assignment``); this module gathers them
for a whole pool at once. Both functions run INSIDE a unit of work the caller has opened
(``with uow: ...``), so that the pool, the snapshots and the assignment that follows read
one consistent transaction; they only read and never commit.

Cost: a constant number of statements whatever the pool's size (employees, heads,
absences, working days, in-work items, open tasks when counted, items received in the
window, schedules, calendar overrides). Working time is built once per distinct
(schedule, timezone) pair, never per employee, and kept for the next calls while the
schedule, the timezone, the company's overrides and the year are the same.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from conveyor.domain.departments import subtree_ids
from conveyor.domain.distribution_rules import DistributionRule
from conveyor.domain.errors import InvalidValue
from conveyor.domain.workdays import UNCLOSED, DayState, local_day
from conveyor.domain.working_time import WorkingTime
from conveyor.engines.assignment.snapshots import CandidateSnapshot, CurrentAbsence, skill_tags
from conveyor.services.assignment_load import HeldLoad, held_load
from conveyor.services.working_time import EmployeeWorkingTime, check_instant
from conveyor.storage.repositories.workload import AwayPeriod, DayRecord, StaffMember
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = [
    "ENTITY_TYPES",
    "FAIR_SHARE_WINDOW_DAYS",
    "candidate_snapshots",
    "resolve_pool",
    "rule_snapshots",
]

#: How far back fair share looks, in days (today included).
FAIR_SHARE_WINDOW_DAYS = 30
#: What a rule distributes: the stream whose arrivals fair share counts.
ENTITY_TYPES = frozenset({"lead", "deal", "task"})
#: Working time already built, by everything it is built from (see ``_working_time``).
_WORKING_TIMES: dict[tuple[Any, ...], WorkingTime] = {}
#: Beyond this many, the working times kept are forgotten at once.
_WORKING_TIMES_LIMIT = 256


def resolve_pool(
    uow: UnitOfWork,
    *,
    employee_ids: Collection[int] = (),
    department_ids: Collection[int] = (),
    include_subdepartments: bool = False,
    excluded_ids: Collection[int] = (),
) -> list[int]:
    """The ids of a rule's candidate pool, ascending: the explicit employees plus the members
    of the departments (and of every department below them when ``include_subdepartments``),
    less ``excluded_ids``.

    Dismissed employees stay in the pool: the engine drops them with a reason of its own.
    Ids of unknown employees or departments add nobody. Leaving the exclusions to the
    engine instead (``RuleSettings.excluded_ids``) makes them appear in the explanation.
    Call inside an open ``with uow:``.
    """
    departments = set(department_ids)
    if include_subdepartments and departments:
        parents = uow.departments.parents()
        for root in list(departments):
            departments |= subtree_ids(root, parents)
    pool = uow.workload.existing_ids(set(employee_ids)) | uow.workload.members_of(departments)
    return sorted(pool - set(excluded_ids))


def candidate_snapshots(
    uow: UnitOfWork,
    employee_ids: Iterable[int],
    *,
    now: datetime,
    in_work_stage_ids: Collection[int],
    count_open_tasks: bool,
    held: Mapping[int, HeldLoad] | None = None,
    entity_type: str = "deal",
    capacities: Mapping[int, Decimal] | None = None,
) -> list[CandidateSnapshot]:
    """One snapshot per known employee of ``employee_ids`` at ``now``, by id.

    Call inside an open ``with uow:`` (it does not open one and only reads). For each:

    - ``absence``: the absence covering their LOCAL date at ``now``, its ``until`` carried
      through absences that follow it without a gap (vacation then sick leave);
      ``next_absence_starts_on``: the earliest absence starting after that date;
    - ``day_state``: their running day (open or paused, whatever its date, as in
      ``services.workdays``), else the state of their working day dated today;
    - ``in_working_hours``: their schedule (or the company default) on their timezone under
      the holiday calendar with the company's overrides, as ``working_time_for`` composes it;
    - ``load_count``/``load_points``: CRM items they are responsible for sitting in
      ``in_work_stage_ids``, as ``held`` gives them in the rule's points (``held_load``;
      without ``held`` every item counts 1 point), plus, when ``count_open_tasks``, their open
      tasks (pending or in progress) at 1 point each;
    - ``last_assigned_at``: the latest stage entry or creation among the items counted as
      load (and the latest creation among counted open tasks); ``None`` without load;
    - ``assigned_in_window``: ``entity_type`` items ("lead", "deal" or "task") created in
      the last ``FAIR_SHARE_WINDOW_DAYS`` days with them responsible (whoever holds them now
      counts, an approximation of "received");
    - ``present_days_in_window``: the working days of their calendar among the last
      ``FAIR_SHARE_WINDOW_DAYS`` local dates (today included, none before they were hired),
      less the working days covered by their absences; approximate: a day counts whole
      whatever hours were worked;
    - ``capacity_points``: ``capacities.get(employee_id)`` (``None`` keeps the rule's cap).

    Raises ``NaiveDatetime``/``InvalidValue`` (field "now") for a naive or out-of-range
    ``now`` and ``InvalidValue`` (field "entity_type") for an unknown entity type.
    """
    check_instant(now, field="now")
    if entity_type not in ENTITY_TYPES:
        raise InvalidValue(
            f"Unknown entity type {entity_type[:20]!r}; expected lead, deal or task",
            field="entity_type",
        )
    people = uow.workload.staff(set(employee_ids))
    if not people:
        return []
    ids = [e.id for e in people]
    today = _local_dates(people, now)
    window_first = min(today.values()) - timedelta(days=FAIR_SHARE_WINDOW_DAYS - 1)

    heads = uow.workload.heads_among(ids)
    absences_of = _by_employee(uow.workload.absences_ending_from(ids, window_first))
    running = _day_states(uow.workload.days_running_or_on(ids, set(today.values())), today)
    loads = _Loads.read(uow, ids, in_work_stage_ids, held, count_open_tasks)
    received = uow.workload.created_since(
        ids, now - timedelta(days=FAIR_SHARE_WINDOW_DAYS), entity_type=entity_type
    )
    calendars = _Calendars.read(uow, people, now)

    snapshots = []
    for employee in people:
        employee_id, day = employee.id, today[employee.id]
        own_absences = absences_of.get(employee_id, [])
        current = _current_absence(own_absences, day)
        points, count, last_at = loads.of(employee_id)
        snapshots.append(
            CandidateSnapshot(
                employee_id=employee_id,
                name=employee.name,
                is_head=employee_id in heads,
                is_external=employee.is_external,
                active=employee.active,
                skills=skill_tags(*employee.skills),
                absence=current,
                next_absence_starts_on=min(
                    (a.starts_on for a in own_absences if a.starts_on > day), default=None
                ),
                day_state=running.get(employee_id),
                in_working_hours=calendars.is_working(employee),
                load_points=points,
                load_count=count,
                capacity_points=None if capacities is None else capacities.get(employee_id),
                last_assigned_at=last_at,
                assigned_in_window=received.get(employee_id, 0),
                present_days_in_window=calendars.present_days(employee, day, own_absences),
            )
        )
    return snapshots


def rule_snapshots(
    uow: UnitOfWork, rule: DistributionRule, *, now: datetime, store: bool
) -> list[CandidateSnapshot]:
    """The snapshots of ``rule``'s pool at ``now`` as its decisions see them: its in-work
    stages weighed by its weight, its open tasks when it counts them, its capacities. With
    ``store`` the weights computed are kept for the next decision (``held_load``); a board
    that only reads passes ``False``. Call inside an open ``with uow:``."""
    pool = resolve_pool(
        uow,
        employee_ids=rule.employee_ids,
        department_ids=rule.department_ids,
        include_subdepartments=rule.include_subdepartments,
    )
    return candidate_snapshots(
        uow,
        pool,
        now=now,
        in_work_stage_ids=rule.in_work_stage_ids,
        count_open_tasks=rule.count_open_tasks,
        held=held_load(uow, rule, pool, store=store),
        entity_type=rule.entity_type.value,
        capacities=rule.capacity_overrides,
    )


@dataclass(frozen=True, kw_only=True)
class _Loads:
    """In-work items and open tasks, aggregated per employee."""

    points: Mapping[int, Decimal]
    counts: Mapping[int, int]
    last_at: Mapping[int, datetime]

    @classmethod
    def read(
        cls,
        uow: UnitOfWork,
        ids: list[int],
        stage_ids: Collection[int],
        held: Mapping[int, HeldLoad] | None,
        count_open_tasks: bool,
    ) -> _Loads:
        points: dict[int, Decimal] = defaultdict(Decimal)
        counts: dict[int, int] = defaultdict(int)
        last_at: dict[int, datetime] = {}

        def add(employee_id: int, count: int, worth: Decimal, at: datetime | None) -> None:
            counts[employee_id] += count
            points[employee_id] += worth
            if at is not None and (employee_id not in last_at or at > last_at[employee_id]):
                last_at[employee_id] = at

        if held is None:
            # Every item counts 1 point: the database counts them.
            for employee_id, totals in uow.workload.in_work_totals(ids, stage_ids).items():
                add(employee_id, totals.count, Decimal(totals.count), totals.last_at)
        else:
            for employee_id, load in held.items():
                add(employee_id, load.count, load.points, load.last_at)
        if count_open_tasks:
            for employee_id, totals in uow.workload.open_tasks(ids).items():
                add(employee_id, totals.count, Decimal(totals.count), totals.last_at)
        return cls(points=points, counts=counts, last_at=last_at)

    def of(self, employee_id: int) -> tuple[Decimal, int, datetime | None]:
        return (
            self.points.get(employee_id, Decimal(0)),
            self.counts.get(employee_id, 0),
            self.last_at.get(employee_id),
        )


class _Calendars:
    """Working time per distinct (schedule, timezone), built once for one call.

    The composition is ``EmployeeWorkingTime``'s, the one ``working_time_for`` uses; only
    the reads are shared: the schedules in one query and the company's overrides once.
    """

    def __init__(
        self, now: datetime, sources: Mapping[tuple[int | None, str], EmployeeWorkingTime]
    ) -> None:
        self.now = now
        self._working = {key: _working_time(source, now) for key, source in sources.items()}
        self._is_working = {key: w.is_working(now) for key, w in self._working.items()}
        self._days: dict[tuple[tuple[int | None, str], date, date], int] = {}

    @classmethod
    def read(cls, uow: UnitOfWork, people: list[StaffMember], now: datetime) -> _Calendars:
        schedules = uow.workload.schedules({e.schedule_id for e in people if e.schedule_id})
        overrides = tuple(uow.calendar_overrides.all())
        sources = {}
        for employee in people:
            key = _key(employee)
            if key not in sources:
                schedule = None if key[0] is None else schedules.get(key[0])
                sources[key] = EmployeeWorkingTime(
                    employee_id=employee.id,
                    timezone=employee.timezone,
                    schedule=schedule,
                    overrides=overrides,
                )
        return cls(now, sources)

    def is_working(self, employee: StaffMember) -> bool:
        return self._is_working[_key(employee)]

    def present_days(self, employee: StaffMember, today: date, absences: list[AwayPeriod]) -> int:
        first = today - timedelta(days=FAIR_SHARE_WINDOW_DAYS - 1)
        first = max(first, local_day(employee.created_at, employee.timezone))
        if first > today:
            return 0
        key = _key(employee)
        # Absences of one employee never overlap, so their working days simply add up.
        away = sum(
            self._working_days(key, max(a.starts_on, first), min(a.ends_on, today))
            for a in absences
            if a.starts_on <= today and a.ends_on >= first
        )
        return max(self._working_days(key, first, today) - away, 0)

    def _working_days(self, key: tuple[int | None, str], first: date, last: date) -> int:
        cached = self._days.get((key, first, last))
        if cached is None:
            cached = self._working[key].working_days_in((first, last))
            self._days[(key, first, last)] = cached
        return cached


def _working_time(source: EmployeeWorkingTime, now: datetime) -> WorkingTime:
    """``source.around(now)``, built once for as long as what it is built from stays the
    same: building it (holiday calendar, daily hours) costs more than a decision's queries.
    Keyed by content, not by ids, so that a changed schedule or override is a new key."""
    schedule = source.schedule
    made_of = (
        source.timezone,
        None
        if schedule is None
        else (
            schedule.country,
            json.dumps(schedule.week, sort_keys=True),
            json.dumps(schedule.rotation, sort_keys=True),
        ),
        tuple((o.day, o.kind, o.note) for o in source.overrides),
        now.year,
    )
    working = _WORKING_TIMES.get(made_of)
    if working is None:
        working = source.around(now)
        if len(_WORKING_TIMES) >= _WORKING_TIMES_LIMIT:
            _WORKING_TIMES.clear()
        _WORKING_TIMES[made_of] = working
    return working


def _current_absence(absences: list[AwayPeriod], day: date) -> CurrentAbsence | None:
    """The absence covering ``day``, its end carried through absences following without a
    gap (``absences`` are by start date)."""
    covering = next((a for a in absences if a.covers(day)), None)
    if covering is None:
        return None
    until = covering.ends_on
    for absence in absences:
        if absence.starts_on == until + timedelta(days=1):
            until = absence.ends_on
    return CurrentAbsence(kind=covering.kind, until=until)


def _day_states(days: list[DayRecord], today: Mapping[int, date]) -> dict[int, DayState]:
    """Per employee: the running day's state (the latest if several), else today's."""
    states: dict[int, DayState] = {}
    running: set[int] = set()
    for workday in days:  # by employee, then by date
        employee_id, state = workday.employee_id, workday.state
        if state is None:
            continue
        if state in UNCLOSED:
            running.add(employee_id)
            states[employee_id] = state
        elif employee_id not in running and workday.day == today.get(employee_id):
            states[employee_id] = state
    return states


def _local_dates(people: list[StaffMember], now: datetime) -> dict[int, date]:
    by_zone: dict[str, date] = {}
    dates = {}
    for employee in people:
        zone = employee.timezone
        if zone not in by_zone:
            by_zone[zone] = local_day(now, zone)
        dates[employee.id] = by_zone[zone]
    return dates


def _by_employee(absences: list[AwayPeriod]) -> dict[int, list[AwayPeriod]]:
    grouped: dict[int, list[AwayPeriod]] = defaultdict(list)
    for absence in absences:
        grouped[absence.employee_id].append(absence)
    return grouped


def _key(employee: StaffMember) -> tuple[int | None, str]:
    return employee.schedule_id, employee.timezone
