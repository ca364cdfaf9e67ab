"""Repositories of tasks: members, filtered lists and per-employee counters."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, not_, or_, select
from sqlalchemy.orm import Session

from conveyor.domain.pages import Page
from conveyor.domain.tasks import (
    OPEN_STATUSES,
    OVERDUE_STATUSES,
    MemberRole,
    Task,
    TaskMember,
    TaskQuery,
    TaskStatus,
)
from conveyor.storage.repositories.base import Repository, flush
from conveyor.storage.tables.tasks import task_members, tasks

c = tasks.c


class TaskRepository(Repository[Task]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Task, "task")

    def with_ids(self, task_ids: Collection[int]) -> list[Task]:
        if not task_ids:
            return []
        return list(self.session.scalars(select(Task).where(tasks.c.id.in_(list(task_ids)))))

    def members(self, task_id: int) -> list[TaskMember]:
        query = (
            select(TaskMember)
            .where(task_members.c.task_id == task_id)
            .order_by(task_members.c.role, task_members.c.employee_id)
        )
        return list(self.session.scalars(query))

    def members_of(self, task_ids: Iterable[int]) -> dict[int, list[TaskMember]]:
        """The members of several tasks in one query, by task id (every id present)."""
        result: dict[int, list[TaskMember]] = {i: [] for i in task_ids}
        if not result:
            return result
        query = (
            select(TaskMember)
            .where(task_members.c.task_id.in_(list(result)))
            .order_by(task_members.c.task_id, task_members.c.employee_id)
        )
        for member in self.session.scalars(query):
            result[member.task_id].append(member)
        return result

    def member_ids(self, task_id: int, role: MemberRole) -> frozenset[int]:
        query = select(task_members.c.employee_id).where(
            task_members.c.task_id == task_id, task_members.c.role == role
        )
        return frozenset(self.session.scalars(query))

    def involving(self, task_ids: Collection[int], employee_id: int) -> set[int]:
        """Those of ``task_ids`` the employee created, is responsible for or is a member of."""
        if not task_ids:
            return set()
        me = employee_id
        query = select(c.id).where(
            c.id.in_(sorted(set(task_ids))),
            or_(c.creator_id == me, c.responsible_id == me, c.id.in_(_tasks_of_member(me))),
        )
        return set(self.session.scalars(query))

    def is_member(self, task_id: int, employee_id: int) -> bool:
        """Whether the employee is a co-executor or an observer of the task."""
        query = select(task_members.c.task_id).where(
            task_members.c.task_id == task_id, task_members.c.employee_id == employee_id
        )
        return self.session.scalars(query.limit(1)).first() is not None

    def set_members(self, task_id: int, role: MemberRole, employee_ids: list[int]) -> None:
        """Replace the task's members of ``role`` with ``employee_ids``."""
        wanted = list(dict.fromkeys(employee_ids))
        current = {m.employee_id: m for m in self.members(task_id) if m.role is role}
        for employee_id, member in current.items():
            if employee_id not in wanted:
                self.session.delete(member)
        for employee_id in wanted:
            if employee_id not in current:
                self.session.add(TaskMember(task_id=task_id, employee_id=employee_id, role=role))
        flush(self.session)

    def search(self, query: TaskQuery, *, now: datetime, limit: int, offset: int) -> Page[Task]:
        """A page of matching tasks, by deadline (tasks without one last), then id."""
        conditions: list[ColumnElement[bool]] = []
        for name in ("responsible_id", "creator_id", "item_id", "company_id"):
            value = getattr(query, name)
            if value is not None:
                conditions.append(c[name] == value)
        if query.member_id is not None:
            conditions.append(c.id.in_(_tasks_of_member(query.member_id)))
        if query.statuses:
            conditions.append(c.status.in_(sorted(query.statuses)))
        if query.overdue is not None:
            late = _overdue(now)
            conditions.append(late if query.overdue else not_(late))
        if query.deadline_from is not None:
            conditions.append(c.deadline >= query.deadline_from)
        if query.deadline_to is not None:
            conditions.append(c.deadline < query.deadline_to)
        if query.visible_to_id is not None:
            me = query.visible_to_id
            conditions.append(
                or_(c.creator_id == me, c.responsible_id == me, c.id.in_(_tasks_of_member(me)))
            )
        return self.page(
            limit=limit,
            offset=offset,
            conditions=conditions,
            order_by=[c.deadline.asc().nulls_last()],
        )

    def counter_queries(
        self, employee_id: int, *, now: datetime, start: datetime, end: datetime
    ) -> dict[str, Select[Any]]:
        """One ``count(*)`` per counter of ``TaskCounters``, each answered from one index.

        ``ix_tasks_responsible_status_deadline`` serves the status counters (and, with its
        deadline column, "overdue"), ``ix_tasks_responsible_completed`` "completed" and
        ``ix_tasks_creator_status`` "to_accept".
        """
        mine = c.responsible_id == employee_id

        def count(*conditions: ColumnElement[bool]) -> Select[Any]:
            return select(func.count()).select_from(tasks).where(*conditions)

        return {
            "in_work": count(mine, c.status.in_(sorted(OPEN_STATUSES))),
            "overdue": count(mine, c.status.in_(sorted(OVERDUE_STATUSES)), c.deadline < now),
            # completed_at is set exactly while a task is completed, so no status test.
            "completed": count(mine, c.completed_at >= start, c.completed_at < end),
            "deferred": count(mine, c.status == TaskStatus.DEFERRED),
            "awaiting_control": count(mine, c.status == TaskStatus.AWAITING_CONTROL),
            "to_accept": count(
                c.creator_id == employee_id, c.status == TaskStatus.AWAITING_CONTROL
            ),
        }

    def counters(
        self, employee_id: int, *, now: datetime, start: datetime, end: datetime
    ) -> dict[str, int]:
        queries = self.counter_queries(employee_id, now=now, start=start, end=end)
        return {name: self.session.scalar(query) or 0 for name, query in queries.items()}


def _tasks_of_member(employee_id: int) -> Select[Any]:
    return select(task_members.c.task_id).where(task_members.c.employee_id == employee_id)


def _overdue(now: datetime) -> ColumnElement[bool]:
    return and_(
        c.deadline.is_not(None),
        c.deadline < now,
        c.status.in_(sorted(OVERDUE_STATUSES)),
    )
