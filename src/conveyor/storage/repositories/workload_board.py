"""The workload board's reads: set-based, one statement each for a whole page of employees.

Like ``WorkloadRepository`` (whose presence reads the board shares), every method answers
for all the employees of a page at once, so that the board costs the same few statements
for five people or five hundred. Rows come back as small read-only records.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select
from sqlalchemy.orm import Session

from conveyor.domain.employees import EmployeeStatus
from conveyor.domain.pipelines import StageSemantics
from conveyor.domain.tasks import OPEN_STATUSES, OVERDUE_STATUSES, TaskStatus
from conveyor.domain.workload_board import Person, TaskTally
from conveyor.storage.tables.crm import crm_items, stages
from conveyor.storage.tables.org import departments, employees, memberships
from conveyor.storage.tables.system import events
from conveyor.storage.tables.tasks import tasks
from conveyor.storage.types import UtcDateTime

#: Task statuses the tallies look at besides completions.
_TALLIED = sorted(OVERDUE_STATUSES | {TaskStatus.AWAITING_CONTROL})
#: The outbox events that place a lead or deal at a stage.
_PLACED = ("DealCreated", "DealEnteredStage", "LeadCreated", "LeadEnteredStage")
_MOVED = ("DealEnteredStage", "LeadEnteredStage")


@dataclass(frozen=True, kw_only=True, slots=True)
class StaffPage:
    """A page of employees, how many there are in all, and each one's work schedule
    (``None``: the company default)."""

    people: list[Person]
    total: int
    schedule_ids: dict[int, int | None]


@dataclass(frozen=True, kw_only=True, slots=True)
class HeldItem:
    """A lead or deal held at an in-work stage."""

    item_id: int
    kind: str
    responsible_id: int
    stage_id: int
    entered_at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class OpenTask:
    task_id: int
    responsible_id: int
    created_at: datetime
    deadline: datetime | None


@dataclass(frozen=True, kw_only=True, slots=True)
class ObservedStay:
    """An item's stay at a stage (``None``: a task from creation to completion), with its
    responsible now."""

    responsible_id: int | None
    stage_id: int | None
    entered_at: datetime
    left_at: datetime


class WorkloadBoardRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def headed_by(self, employee_id: int) -> set[int]:
        """The departments ``employee_id`` heads."""
        query = select(departments.c.id).where(departments.c.head_id == employee_id)
        return set(self.session.scalars(query))

    def people(
        self,
        employee_ids: Collection[int] | None,
        *,
        include_dismissed: bool,
        limit: int,
        offset: int,
    ) -> StaffPage:
        """A page of employees (of ``employee_ids``; ``None``: everyone) by name then id."""
        e = employees.c
        conditions: list[ColumnElement[bool]] = []
        if employee_ids is not None:
            conditions.append(e.id.in_(list(employee_ids)) if employee_ids else false())
        if not include_dismissed:
            conditions.append(e.status == EmployeeStatus.ACTIVE)
        total = self.session.scalar(select(func.count()).select_from(employees).where(*conditions))
        query = (
            select(
                e.id,
                e.name,
                e.position,
                e.timezone,
                e.is_external,
                e.status,
                e.dismissed_at,
                e.schedule_id,
            )
            .where(*conditions)
            .order_by(e.name, e.id)
            .limit(limit)
            .offset(offset)
        )
        people, schedule_ids = [], {}
        for row in self.session.execute(query):
            people.append(
                Person(
                    id=row.id,
                    name=row.name,
                    position=row.position,
                    timezone=row.timezone,
                    is_external=row.is_external,
                    active=row.status is EmployeeStatus.ACTIVE,
                    dismissed_at=row.dismissed_at,
                )
            )
            schedule_ids[row.id] = row.schedule_id
        return StaffPage(people=people, total=total or 0, schedule_ids=schedule_ids)

    def external_among(self, employee_ids: Collection[int]) -> set[int]:
        """Those of ``employee_ids`` who are external partners."""
        if not employee_ids:
            return set()
        e = employees.c
        query = select(e.id).where(e.id.in_(list(employee_ids)), e.is_external.is_(True))
        return set(self.session.scalars(query))

    def departments_of(self, employee_ids: Collection[int]) -> dict[int, list[int]]:
        """The departments each employee belongs to."""
        if not employee_ids:
            return {}
        m = memberships.c
        query = select(m.employee_id, m.department_id).where(m.employee_id.in_(list(employee_ids)))
        found: dict[int, list[int]] = {}
        for employee_id, department_id in self.session.execute(query):
            found.setdefault(employee_id, []).append(department_id)
        return found

    def open_stage_ids(self) -> list[int]:
        """Every stage that is not final, of every pipeline."""
        query = select(stages.c.id).where(stages.c.semantics == StageSemantics.IN_PROGRESS)
        return sorted(self.session.scalars(query))

    def stage_names(self, stage_ids: Collection[int]) -> dict[int, str]:
        if not stage_ids:
            return {}
        query = select(stages.c.id, stages.c.name).where(stages.c.id.in_(list(stage_ids)))
        return {row[0]: row[1] for row in self.session.execute(query)}

    def held_items(
        self, employee_ids: Collection[int], stage_ids: Collection[int]
    ) -> list[HeldItem]:
        """The leads and deals these employees are responsible for at ``stage_ids``."""
        if not employee_ids or not stage_ids:
            return []
        c = crm_items.c
        query = (
            select(c.id, c.entity_type, c.responsible_id, c.stage_id, c.stage_entered_at)
            .where(c.responsible_id.in_(list(employee_ids)), c.stage_id.in_(list(stage_ids)))
            .order_by(c.id)
        )
        return [
            HeldItem(
                item_id=row[0],
                kind=row[1].value,
                responsible_id=row[2],
                stage_id=row[3],
                entered_at=row[4],
            )
            for row in self.session.execute(query)
        ]

    def open_tasks(self, employee_ids: Collection[int]) -> list[OpenTask]:
        """The open tasks (pending or in progress) these employees are responsible for."""
        if not employee_ids:
            return []
        t = tasks.c
        query = (
            select(t.id, t.responsible_id, t.created_at, t.deadline)
            .where(t.responsible_id.in_(list(employee_ids)), t.status.in_(sorted(OPEN_STATUSES)))
            .order_by(t.id)
        )
        return [
            OpenTask(task_id=row[0], responsible_id=row[1], created_at=row[2], deadline=row[3])
            for row in self.session.execute(query)
        ]

    def task_tallies(
        self,
        since: Mapping[tuple[datetime, datetime], Collection[int]],
        *,
        now: datetime,
    ) -> dict[int, TaskTally]:
        """Task counts per employee, in two statements (as responsible, then as creator).

        ``since`` groups the employees by (start of their today, start of their week): people
        in different timezones have different midnights, so completions are counted against
        each one's own.
        """
        ids = [i for group in since.values() for i in group]
        if not ids:
            return {}
        t = tasks.c
        done = t.completed_at
        today = or_(
            *(and_(t.responsible_id.in_(list(g)), done >= day) for (day, _), g in since.items())
        )
        week = or_(*(and_(t.responsible_id.in_(list(g)), done >= w) for (_, w), g in since.items()))
        earliest = min(w for _, w in since)

        def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
            return func.count(case((condition, 1)))

        query = (
            select(
                t.responsible_id,
                count(t.status.in_(sorted(OPEN_STATUSES))),
                count(and_(t.status.in_(sorted(OVERDUE_STATUSES)), t.deadline < now)),
                count(t.status == TaskStatus.DEFERRED),
                count(and_(done.is_not(None), today)),
                count(and_(done.is_not(None), week)),
                count(t.status == TaskStatus.AWAITING_CONTROL),
            )
            .where(t.responsible_id.in_(ids), or_(t.status.in_(_TALLIED), done >= earliest))
            .group_by(t.responsible_id)
        )
        counts = {row[0]: row[1:] for row in self.session.execute(query)}
        to_accept = select(t.creator_id, func.count()).where(
            t.creator_id.in_(ids), t.status == TaskStatus.AWAITING_CONTROL
        )
        approvals: dict[int, int] = {
            row[0]: row[1] for row in self.session.execute(to_accept.group_by(t.creator_id))
        }
        tallies = {}
        for employee_id in set(counts) | set(approvals):
            row = counts.get(employee_id, (0, 0, 0, 0, 0, 0))
            tallies[employee_id] = TaskTally(
                open=row[0],
                overdue=row[1],
                deferred=row[2],
                completed_today=row[3],
                completed_this_week=row[4],
                submitted_for_approval=row[5],
                awaiting_approval=approvals.get(employee_id, 0),
            )
        return tallies

    def stage_stays(self, stage_ids: Collection[int], *, since: datetime) -> list[ObservedStay]:
        """Every stay at one of ``stage_ids`` of a lead or deal that entered it and left it
        from ``since`` on, with the item's responsible now (who held it then is not recorded
        apart from the outbox; an item usually keeps its responsible while it moves on).

        Read from the outbox in one statement: each placement event (creation at a stage,
        entry into a stage) is paired with the item's previous one by a window function, and
        an entry's ``from_stage_id`` names the stage left.
        """
        if not stage_ids:
            return []
        e = events.c
        order = (e.occurred_at, e.id)
        placements = (
            select(
                e.entity_id.label("item_id"),
                e.type.label("type"),
                e.payload["from_stage_id"].as_integer().label("stage_id"),
                func.lag(e.occurred_at, type_=UtcDateTime)
                .over(partition_by=(e.entity, e.entity_id), order_by=order)
                .label("entered_at"),
                e.occurred_at.label("left_at"),
            )
            .where(e.entity.in_(("deal", "lead")), e.type.in_(_PLACED), e.occurred_at >= since)
            .subquery()
        )
        p = placements.c
        query = (
            select(crm_items.c.responsible_id, p.stage_id, p.entered_at, p.left_at)
            .join(crm_items, crm_items.c.id == p.item_id)
            .where(p.type.in_(_MOVED), p.entered_at.is_not(None), p.stage_id.in_(list(stage_ids)))
        )
        return [
            ObservedStay(responsible_id=row[0], stage_id=row[1], entered_at=row[2], left_at=row[3])
            for row in self.session.execute(query)
        ]

    def task_stays(self, *, since: datetime) -> list[ObservedStay]:
        """Tasks completed from ``since`` on: from creation to completion, by responsible."""
        t = tasks.c
        query = select(t.responsible_id, t.created_at, t.completed_at).where(
            t.completed_at >= since
        )
        return [
            ObservedStay(responsible_id=row[0], stage_id=None, entered_at=row[1], left_at=row[2])
            for row in self.session.execute(query)
        ]
