"""Dependencies between tasks: a pair, what a task waits for, what follows it, and onward."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from conveyor.domain.task_dependencies import TaskDependency
from conveyor.storage.repositories.base import Repository
from conveyor.storage.tables.task_dependencies import task_dependencies

c = task_dependencies.c
#: The PostgreSQL advisory lock that makes dependency changes take turns ("conveyor deps").
DEPENDENCY_LOCK = 0x636F6E64


class TaskDependencyRepository(Repository[TaskDependency]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, TaskDependency, "dependency")

    def serialize(self) -> None:
        """Take the dependency lock until this transaction ends, so that two links made at
        once cannot each close half of a circle unseen by the other. PostgreSQL: a
        transaction-level advisory lock; SQLite's writers are serial anyway."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(select(func.pg_advisory_xact_lock(DEPENDENCY_LOCK)))

    def between(self, predecessor_id: int, successor_id: int) -> TaskDependency | None:
        query = select(TaskDependency).where(
            c.predecessor_id == predecessor_id, c.successor_id == successor_id
        )
        return self.session.scalars(query).first()

    def into(self, task_ids: Collection[int]) -> list[TaskDependency]:
        """What these tasks wait for: the dependencies whose successor is one of them."""
        return self._where(c.successor_id, task_ids)

    def out_of(self, task_ids: Collection[int]) -> list[TaskDependency]:
        """What follows these tasks: the dependencies whose predecessor is one of them."""
        return self._where(c.predecessor_id, task_ids)

    def touching(self, task_ids: Collection[int]) -> list[TaskDependency]:
        """Every dependency of these tasks, either way."""
        if not task_ids:
            return []
        ids = sorted(set(task_ids))
        query = select(TaskDependency).where(
            or_(c.predecessor_id.in_(ids), c.successor_id.in_(ids))
        )
        return list(self.session.scalars(query.order_by(c.id)))

    def onward(self, task_ids: Iterable[int]) -> list[TaskDependency]:
        """Every dependency reachable forward from these tasks: what follows them, what
        follows that, and so on (one query per step of the longest chain)."""
        seen = set(task_ids)
        frontier = set(seen)
        found: list[TaskDependency] = []
        while frontier:
            step = self.out_of(frontier)
            found += step
            frontier = {d.successor_id for d in step} - seen
            seen |= frontier
        return found

    def _where(self, column: Any, task_ids: Collection[int]) -> list[TaskDependency]:
        if not task_ids:
            return []
        query = select(TaskDependency).where(column.in_(sorted(set(task_ids))))
        return list(self.session.scalars(query.order_by(c.id)))
