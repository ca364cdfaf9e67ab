"""The live workload board: who holds what, who is here, when each will have room, and how
many items wait in each rule's queue.

``workload_board`` reads one page of employees in a constant number of statements whatever
its size (``WorkloadBoardRepository`` and the presence reads of ``WorkloadRepository``);
the figures are assembled by ``domain.workload_board`` and ``domain.free_capacity``. It
only reads, in one transaction, so the figures of a page agree with each other.

Who sees whom: admins everyone; heads the members of the departments they head and of every
department below them, and themselves; employees (external partners too) only themselves.

With ``rule_id``, the board shows the rule's pool as the rule sees it (less the employees it
excludes by name, and the department heads and external partners it never takes):
its in-work stages (and open tasks when it counts them), each item weighed by its weight
expression, against its capacity and per-employee overrides. Without a rule, in work is
every lead and deal at a non-final stage at 1 point each, and nobody has a capacity.
A weight reading the item's contact, company or responsible reads those once per item (as
an assignment does); weights reading the item's own values cost one statement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from conveyor.domain.actors import Actor
from conveyor.domain.departments import subtree_ids
from conveyor.domain.distribution_rules import DistributionRule
from conveyor.domain.errors import CalendarNotCovered, Forbidden, NoWorkingTime
from conveyor.domain.free_capacity import (
    AwaySpell,
    HeldWork,
    ObservedDurations,
    Stay,
    merge_spells,
)
from conveyor.domain.tokens import Role
from conveyor.domain.workdays import DayState, local_day
from conveyor.domain.working_time import WorkingTime
from conveyor.domain.workload_board import (
    Board,
    BoardRow,
    Person,
    QueueLine,
    TaskTally,
    board_row,
    counting_bounds,
    queue_line,
    whereabouts,
)
from conveyor.services.assignment_context import compiled, in_work_weights
from conveyor.services.candidates import resolve_pool
from conveyor.services.working_time import EmployeeWorkingTime, check_instant
from conveyor.storage.repositories.workload_board import StaffPage
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = ["HISTORY_DAYS", "BoardQuery", "rule_queues", "workload_board"]

#: How far back observed stays are read for ``free_at``.
HISTORY_DAYS = 90
_ONE = Decimal(1)


@dataclass(frozen=True, kw_only=True)
class BoardQuery:
    """Which employees: of ``department_id`` (and the departments below it), of rule
    ``rule_id``'s pool; dismissed ones only when asked. One page, by name."""

    department_id: int | None = None
    rule_id: int | None = None
    include_dismissed: bool = False
    limit: int = 50
    offset: int = 0


def workload_board(uow: UnitOfWork, query: BoardQuery, *, actor: Actor, now: datetime) -> Board:
    """One page of the board at ``now``.

    Refused, naming the field: an unknown ``department_id`` or ``rule_id`` (``NotFound``,
    422 in the API), a department outside a head's own (``Forbidden``).
    """
    check_instant(now, field="now")
    with uow:
        rule = None
        if query.rule_id is not None:
            rule = uow.distribution_rules.get(query.rule_id, field="rule_id")
        ids = _visible_ids(uow, query, rule, actor)
        page = uow.workload_board.people(
            ids, include_dismissed=query.include_dismissed, limit=query.limit, offset=query.offset
        )
        if rule is None:
            stage_ids = uow.workload_board.open_stage_ids()
        else:
            stage_ids = list(rule.in_work_stage_ids)
        counts_tasks = rule is not None and rule.count_open_tasks
        rows = _rows(uow, page, rule, stage_ids, counts_tasks, now) if page.people else []
    return Board(
        at=now,
        rule_id=None if rule is None else rule.id,
        counted_stage_ids=tuple(stage_ids),
        counts_open_tasks=counts_tasks,
        rows=rows,
        total=page.total,
        limit=query.limit,
        offset=query.offset,
    )


def rule_queues(uow: UnitOfWork, *, actor: Actor, now: datetime) -> list[QueueLine]:
    """Every enabled rule's queue: how many wait, since when, how many were escalated
    (admins and heads, who also see each queue's entries)."""
    actor.require(Role.HEAD)
    check_instant(now, field="now")
    with uow:
        counts = uow.assignment_queue.counts()
    return [
        queue_line(
            rule_id=c.rule_id,
            rule_name=c.rule_name,
            waiting=c.waiting,
            oldest_queued_at=c.oldest_queued_at,
            escalated=c.escalated,
            now=now,
        )
        for c in counts
    ]


def _visible_ids(
    uow: UnitOfWork, query: BoardQuery, rule: DistributionRule | None, actor: Actor
) -> set[int] | None:
    """The ids the page is drawn from (``None``: every employee)."""
    ids: set[int] | None = None
    parents: dict[int, int | None] = {}
    if query.department_id is not None or actor.role is Role.HEAD:
        parents = uow.departments.parents()
    if query.department_id is not None and query.department_id not in parents:
        uow.departments.get(query.department_id, field="department_id")  # raises NotFound
    if actor.role is Role.EMPLOYEE:
        ids = {actor.employee_id}
    elif actor.role is Role.HEAD:
        own = _below(uow.workload_board.headed_by(actor.employee_id), parents)
        if query.department_id is not None and query.department_id not in own:
            raise Forbidden(
                "A head sees only the departments they head and those below them",
                field="department_id",
            )
        ids = uow.workload.members_of(own) | {actor.employee_id}
    if query.department_id is not None:
        members = uow.workload.members_of(_below({query.department_id}, parents))
        ids = members if ids is None else ids & members
    if rule is not None:
        pool = resolve_pool(
            uow,
            employee_ids=rule.employee_ids,
            department_ids=rule.department_ids,
            include_subdepartments=rule.include_subdepartments,
            excluded_ids=rule.excluded_ids,
        )
        takers = set(pool)
        if rule.exclude_heads:
            takers -= uow.workload.heads_among(takers)
        if not rule.allow_external:
            takers -= uow.workload_board.external_among(takers)
        ids = takers if ids is None else ids & takers
    return ids


def _below(roots: set[int], parents: dict[int, int | None]) -> set[int]:
    found: set[int] = set()
    for root in roots:
        found |= subtree_ids(root, parents)
    return found


def _rows(
    uow: UnitOfWork,
    page: StaffPage,
    rule: DistributionRule | None,
    stage_ids: list[int],
    counts_tasks: bool,
    now: datetime,
) -> list[BoardRow]:
    board = uow.workload_board
    people = page.people
    ids = [p.id for p in people]
    today = {p.id: local_day(now, p.timezone) for p in people}
    held = _held(uow, ids, rule, stage_ids, counts_tasks)
    bounds: dict[tuple[datetime, datetime], list[int]] = defaultdict(list)
    for person in people:
        bounds[counting_bounds(now, person.timezone)].append(person.id)
    tallies = board.task_tallies(bounds, now=now)
    away: dict[int, list[AwaySpell]] = defaultdict(list)
    for a in uow.workload.absences_ending_from(ids, min(today.values())):
        away[a.employee_id].append(AwaySpell(kind=a.kind, first=a.starts_on, last=a.ends_on))
    spells = {i: merge_spells(away.get(i, [])) for i in ids}
    days: dict[int, list[tuple[date, DayState | None]]] = defaultdict(list)
    for record in uow.workload.days_running_or_on(ids, set(today.values())):
        days[record.employee_id].append((record.day, record.state))
    departments = board.departments_of(ids)
    capacities = _capacities(rule, ids)
    durations, stage_names = _history(uow, held, capacities, stage_ids, now)
    clocks = _Clocks.read(uow, page, now)

    rows = []
    for person in people:
        presence = whereabouts(
            person,
            now=now,
            today=today[person.id],
            away=spells[person.id],
            days=days.get(person.id, []),
            in_working_hours=clocks.is_working(person),
        )
        rows.append(
            board_row(
                person,
                now=now,
                department_ids=departments.get(person.id, []),
                held=held.get(person.id, []),
                capacity_points=capacities.get(person.id),
                tasks=tallies.get(person.id, TaskTally()),
                presence=presence,
                away=spells[person.id],
                durations=durations,
                work_starts=clocks.work_starts(person),
                stage_names=stage_names,
            )
        )
    return rows


def _held(
    uow: UnitOfWork,
    ids: list[int],
    rule: DistributionRule | None,
    stage_ids: list[int],
    counts_tasks: bool,
) -> dict[int, list[HeldWork]]:
    """Each employee's in-work pieces, weighed by the rule's weight (1 point without)."""
    items = uow.workload_board.held_items(ids, stage_ids)
    weights = None
    if rule is not None and items:
        expression = compiled(rule.weight, rule.entity_type, "weight")
        weights = in_work_weights(uow, expression, rule.entity_type, ids, stage_ids)
    held: dict[int, list[HeldWork]] = defaultdict(list)
    for item in items:
        held[item.responsible_id].append(
            HeldWork(
                kind=item.kind,
                item_id=item.item_id,
                points=_ONE if weights is None else weights.get(item.item_id, _ONE),
                stage_id=item.stage_id,
                since=item.entered_at,
            )
        )
    if counts_tasks:
        for task in uow.workload_board.open_tasks(ids):
            held[task.responsible_id].append(
                HeldWork(
                    kind="task",
                    item_id=task.task_id,
                    points=_ONE,
                    stage_id=None,
                    since=task.created_at,
                    deadline=task.deadline,
                )
            )
    return held


def _capacities(rule: DistributionRule | None, ids: list[int]) -> dict[int, Decimal]:
    if rule is None:
        return {}
    found = {}
    for employee_id in ids:
        cap = rule.capacity_overrides.get(employee_id, rule.default_capacity_points)
        if cap is not None:
            found[employee_id] = cap
    return found


def _history(
    uow: UnitOfWork,
    held: dict[int, list[HeldWork]],
    capacities: dict[int, Decimal],
    stage_ids: list[int],
    now: datetime,
) -> tuple[ObservedDurations, dict[int, str]]:
    """Observed stays, read only when someone is full and holds pieces without a
    deadline: the only case ``free_at`` needs them."""
    full = [
        pieces
        for employee_id, pieces in held.items()
        if employee_id in capacities
        and sum((p.points for p in pieces), Decimal(0)) >= capacities[employee_id]
    ]
    undated = [p for pieces in full for p in pieces if p.deadline is None]
    if not undated:
        return ObservedDurations(()), {}
    since = now - timedelta(days=HISTORY_DAYS)
    board = uow.workload_board
    stays = []
    if any(p.stage_id is not None for p in undated):
        stays += board.stage_stays(stage_ids, since=since)
    if any(p.stage_id is None for p in undated):
        stays += board.task_stays(since=since)
    observed = ObservedDurations(
        Stay(
            employee_id=s.responsible_id,
            stage_id=s.stage_id,
            entered_at=s.entered_at,
            left_at=s.left_at,
        )
        for s in stays
    )
    return observed, board.stage_names({p.stage_id for p in undated if p.stage_id is not None})


class _Clocks:
    """Working time per distinct (schedule, timezone) among a page's employees: whether
    they are in working hours now, and when their working time starts on a given day."""

    def __init__(
        self,
        working: dict[tuple[int | None, str], WorkingTime],
        keys: dict[int, tuple[int | None, str]],
        now: datetime,
    ) -> None:
        self._working = working
        self._keys = keys
        self._now = now

    @classmethod
    def read(
        cls,
        uow: UnitOfWork,
        page: StaffPage,
        now: datetime,
    ) -> _Clocks:
        schedule_of = page.schedule_ids
        schedules = uow.workload.schedules({s for s in schedule_of.values() if s is not None})
        overrides = tuple(uow.calendar_overrides.all())
        keys = {p.id: (schedule_of.get(p.id), p.timezone) for p in page.people}
        working = {}
        for key in set(keys.values()):
            schedule_id, timezone = key
            source = EmployeeWorkingTime(
                employee_id=0,
                timezone=timezone,
                schedule=None if schedule_id is None else schedules.get(schedule_id),
                overrides=overrides,
            )
            # A year back to two ahead; a return later than that falls back to midnight.
            working[key] = source.around(now)
        return cls(working, keys, now)

    def is_working(self, person: Person) -> bool:
        try:
            return self._working[self._keys[person.id]].is_working(self._now)
        except (CalendarNotCovered, NoWorkingTime):
            return False

    def work_starts(self, person: Person) -> Callable[[date], datetime]:
        working = self._working[self._keys[person.id]]
        zone = ZoneInfo(person.timezone)

        def starts(day: date) -> datetime:
            midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
            try:
                return working.next_working_moment(midnight)
            except (CalendarNotCovered, NoWorkingTime):
                return midnight

        return starts
