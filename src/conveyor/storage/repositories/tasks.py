"""Repositories of tasks."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.domain.tasks import MemberRole, Task, TaskMember
from conveyor.storage.repositories.base import Repository, flush
from conveyor.storage.tables.tasks import task_members


class TaskRepository(Repository[Task]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Task, "task")

    def members(self, task_id: int) -> list[TaskMember]:
        query = (
            select(TaskMember)
            .where(task_members.c.task_id == task_id)
            .order_by(task_members.c.role, task_members.c.employee_id)
        )
        return list(self.session.scalars(query))

    def member_ids(self, task_id: int, role: MemberRole) -> frozenset[int]:
        query = select(task_members.c.employee_id).where(
            task_members.c.task_id == task_id, task_members.c.role == role
        )
        return frozenset(self.session.scalars(query))

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
