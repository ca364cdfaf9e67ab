"""Workload: the set-based reads that build the assignment engine's candidate snapshots.

Every method takes the whole pool of employee ids and answers in ONE statement, so that
building snapshots costs a constant number of queries however large the pool. Pools are
bound as one ``IN`` list; SQLite accepts 32 766 parameters per statement, far beyond any
distribution rule's pool. Rows come back as small read-only records, not mapped entities:
a thousand ORM instances cost more than all the queries together.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from typing import cast as cast_as

from sqlalchemy import ColumnElement, Text, cast, func, or_, select
from sqlalchemy.orm import Session

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.employees import EmployeeStatus
from conveyor.domain.pipelines import EntityType
from conveyor.domain.tasks import TaskStatus
from conveyor.domain.work_schedules import Schedule
from conveyor.domain.workdays import UNCLOSED, DayState
from conveyor.storage.tables.crm import crm_items
from conveyor.storage.tables.org import absences, departments, employees, memberships, workdays
from conveyor.storage.tables.org import schedules as schedule_table
from conveyor.storage.tables.tasks import tasks

#: Tasks that still ask for work: counted as load.
OPEN_TASK_STATUSES = (TaskStatus.PENDING, TaskStatus.IN_PROGRESS)


@dataclass(frozen=True, kw_only=True, slots=True)
class StaffMember:
    """What the candidate snapshot needs of an employee."""

    id: int
    name: str
    timezone: str
    is_external: bool
    active: bool
    skills: tuple[str, ...]
    schedule_id: int | None
    created_at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class AwayPeriod:
    """An absence: ``starts_on`` to ``ends_on``, both days included."""

    employee_id: int
    kind: AbsenceKind
    starts_on: date
    ends_on: date

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True, kw_only=True, slots=True)
class DayRecord:
    """A working day on the time clock and its state (``None``: never opened)."""

    employee_id: int
    day: date
    state: DayState | None


@dataclass(frozen=True, kw_only=True, slots=True)
class LoadTotals:
    """One employee's count of rows and the latest moment one of them was given to them."""

    count: int
    last_at: datetime | None


@dataclass(frozen=True, kw_only=True, slots=True)
class InWorkLoad:
    """A pool's in-work items: who holds each one, and each holder's totals."""

    #: ``(item_id, responsible_id)`` per item.
    holders: list[tuple[int, int]]
    totals: dict[int, LoadTotals]


class WorkloadRepository:
    """Reads across employees, absences, the time clock, CRM items and tasks."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def members_of(self, department_ids: Collection[int]) -> set[int]:
        """Ids of the employees belonging to any of ``department_ids``."""
        if not department_ids:
            return set()
        query = select(memberships.c.employee_id).where(
            memberships.c.department_id.in_(list(department_ids))
        )
        return set(self.session.scalars(query))

    def existing_ids(self, employee_ids: Collection[int]) -> set[int]:
        """Those of ``employee_ids`` that are employees (active or dismissed)."""
        if not employee_ids:
            return set()
        query = select(employees.c.id).where(employees.c.id.in_(list(employee_ids)))
        return set(self.session.scalars(query))

    def staff(self, employee_ids: Collection[int]) -> list[StaffMember]:
        """The employees with these ids, by id; unknown ids are skipped."""
        if not employee_ids:
            return []
        e = employees.c
        query = select(
            e.id, e.name, e.timezone, e.is_external, e.status, e.skills, e.schedule_id, e.created_at
        ).where(e.id.in_(list(employee_ids)))
        return [
            StaffMember(
                id=row.id,
                name=row.name,
                timezone=row.timezone,
                is_external=row.is_external,
                active=row.status is EmployeeStatus.ACTIVE,
                skills=tuple(row.skills),
                schedule_id=row.schedule_id,
                created_at=row.created_at,
            )
            for row in self.session.execute(query.order_by(e.id))
        ]

    def heads_among(self, employee_ids: Collection[int]) -> set[int]:
        """Those of ``employee_ids`` heading at least one department."""
        if not employee_ids:
            return set()
        query = (
            select(departments.c.head_id)
            .where(departments.c.head_id.in_(list(employee_ids)))
            .distinct()
        )
        return {head for head in self.session.scalars(query) if head is not None}

    def schedules(self, schedule_ids: Collection[int]) -> dict[int, Schedule]:
        """The schedules with these ids, by id."""
        if not schedule_ids:
            return {}
        query = select(Schedule).where(schedule_table.c.id.in_(list(schedule_ids)))
        return {s.id: s for s in self.session.scalars(query) if s.id is not None}

    def absences_ending_from(self, employee_ids: Collection[int], first: date) -> list[AwayPeriod]:
        """The employees' absences still running on or after ``first``, by employee and
        start date."""
        if not employee_ids:
            return []
        a = absences.c
        query = (
            select(a.employee_id, a.kind, a.starts_on, a.ends_on)
            .where(a.employee_id.in_(list(employee_ids)), a.ends_on >= first)
            .order_by(a.employee_id, a.starts_on, a.id)
        )
        return [
            AwayPeriod(employee_id=row[0], kind=row[1], starts_on=row[2], ends_on=row[3])
            for row in self.session.execute(query)
        ]

    def days_running_or_on(
        self, employee_ids: Collection[int], days: Collection[date]
    ) -> list[DayRecord]:
        """The employees' working days still open or paused (any date) or dated ``days``,
        by employee and date."""
        if not employee_ids:
            return []
        w = workdays.c
        query = (
            select(w.employee_id, w.day, w.state)
            .where(
                w.employee_id.in_(list(employee_ids)),
                or_(w.state.in_(UNCLOSED), w.day.in_(list(days))),
            )
            .order_by(w.employee_id, w.day)
        )
        return [
            DayRecord(employee_id=row[0], day=row[1], state=row[2])
            for row in self.session.execute(query)
        ]

    def in_work_totals(
        self, employee_ids: Collection[int], stage_ids: Collection[int]
    ) -> dict[int, LoadTotals]:
        """Per responsible: how many items sit in ``stage_ids``, and the latest moment one
        of them entered its stage or was created (the database aggregates)."""
        if not employee_ids or not stage_ids:
            return {}
        query = (
            select(
                crm_items.c.responsible_id,
                func.count(),
                func.max(crm_items.c.stage_entered_at),
                func.max(crm_items.c.created_at),
            )
            .where(*in_work_where(employee_ids, stage_ids))
            .group_by(crm_items.c.responsible_id)
        )
        return {
            row[0]: LoadTotals(count=row[1], last_at=latest(row[2], row[3]))
            for row in self.session.execute(query)
        }

    def in_work_load(self, employee_ids: Collection[int], stage_ids: Collection[int]) -> InWorkLoad:
        """``in_work_totals`` and who holds each of those items, in ONE aggregate statement
        (the items' ids come back joined in a string per holder).

        For per-item weights. Reading a row per item with its timestamps instead costs
        more than everything else a decision reads (each datetime is converted in Python).
        """
        if not employee_ids or not stage_ids:
            return InWorkLoad(holders=[], totals={})
        c = crm_items.c
        query = (
            select(
                c.responsible_id,
                func.count(),
                func.max(c.stage_entered_at),
                func.max(c.created_at),
                func.aggregate_strings(cast(c.id, Text), ","),
            )
            .where(*in_work_where(employee_ids, stage_ids))
            .group_by(c.responsible_id)
        )
        holders: list[tuple[int, int]] = []
        totals: dict[int, LoadTotals] = {}
        for holder, count, entered, created, item_ids in self.session.execute(query):
            totals[holder] = LoadTotals(count=count, last_at=latest(entered, created))
            holders += [(int(item_id), holder) for item_id in item_ids.split(",")]
        return InWorkLoad(holders=holders, totals=totals)

    def in_work_values(
        self,
        employee_ids: Collection[int],
        stage_ids: Collection[int],
        columns: Sequence[str],
        *,
        fields_text: bool,
    ) -> list[tuple[Any, ...]]:
        """Per item sitting in ``stage_ids``: its id, the values of ``columns`` (names of
        ``crm_items`` columns), then with ``fields_text`` its custom values as the stored
        JSON text, so that a caller can recognise values it has already seen without
        decoding them (decode with ``json.loads``, as the engine does)."""
        if not employee_ids or not stage_ids:
            return []
        c = crm_items.c
        selected: list[Any] = [c.id, *(c[name] for name in columns)]
        if fields_text:
            selected.append(cast(c.fields, Text))
        query = select(*selected).where(*in_work_where(employee_ids, stage_ids))
        # Rows behave as tuples; fetched all at once, they cost a third less than one by one.
        return cast_as(list[tuple[Any, ...]], self.session.execute(query).all())

    def open_tasks(self, employee_ids: Collection[int]) -> dict[int, LoadTotals]:
        """Per responsible: their open tasks (pending or in progress) and the latest
        creation among them."""
        if not employee_ids:
            return {}
        query = (
            select(tasks.c.responsible_id, func.count(), func.max(tasks.c.created_at))
            .where(
                tasks.c.responsible_id.in_(list(employee_ids)),
                tasks.c.status.in_(OPEN_TASK_STATUSES),
            )
            .group_by(tasks.c.responsible_id)
        )
        return {
            row[0]: LoadTotals(count=row[1], last_at=row[2]) for row in self.session.execute(query)
        }

    def created_since(
        self, employee_ids: Collection[int], since: datetime, *, entity_type: str
    ) -> dict[int, int]:
        """Per responsible: how many leads, deals (``entity_type``) or tasks (``"task"``)
        given to them were created at or after ``since``."""
        if not employee_ids:
            return {}
        ids = list(employee_ids)
        if entity_type == "task":
            query = select(tasks.c.responsible_id, func.count()).where(
                tasks.c.responsible_id.in_(ids), tasks.c.created_at >= since
            )
            query = query.group_by(tasks.c.responsible_id)
        else:
            query = select(crm_items.c.responsible_id, func.count()).where(
                crm_items.c.responsible_id.in_(ids),
                crm_items.c.entity_type == EntityType(entity_type),
                crm_items.c.created_at >= since,
            )
            query = query.group_by(crm_items.c.responsible_id)
        return {row[0]: row[1] for row in self.session.execute(query)}


def in_work_where(
    employee_ids: Collection[int], stage_ids: Collection[int]
) -> list[ColumnElement[bool]]:
    """The items of these responsibles sitting in these stages: their load."""
    return [
        crm_items.c.responsible_id.in_(list(employee_ids)),
        crm_items.c.stage_id.in_(list(stage_ids)),
    ]


def latest(*moments: datetime | None) -> datetime | None:
    """The latest of the moments that are known."""
    present = [m for m in moments if m is not None]
    return max(present, default=None)
