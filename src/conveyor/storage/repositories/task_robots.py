"""Repositories of task robots: their definitions and their runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import String, cast, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conveyor.domain.jobs import JobState
from conveyor.domain.robot_runs import RunState
from conveyor.domain.task_robot_runs import TaskRobotRun
from conveyor.domain.task_robots import TaskRobot
from conveyor.domain.tasks import TaskStatus
from conveyor.storage.repositories.base import Repository
from conveyor.storage.tables.jobs import jobs
from conveyor.storage.tables.task_robots import task_robot_runs as runs
from conveyor.storage.tables.task_robots import task_robots as robots


class TaskRobotRepository(Repository[TaskRobot]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, TaskRobot, "task robot")

    def at_status(self, status: TaskStatus, *, enabled_only: bool = False) -> list[TaskRobot]:
        """The status's robots in the order they act."""
        query = select(TaskRobot).where(robots.c.status == status)
        if enabled_only:
            query = query.where(robots.c.enabled.is_(True))
        return list(self.session.scalars(query.order_by(robots.c.position, robots.c.id)))

    def at_status_locked(self, status: TaskStatus) -> list[TaskRobot]:
        """The status's robots, locked for this transaction and re-read, in order: changes
        to one status's list (create, delete, reorder) take their turns, so two robots never
        get one place. (On SQLite writers are serial anyway.)"""
        query = (
            select(TaskRobot)
            .where(robots.c.status == status)
            .order_by(robots.c.position, robots.c.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return list(self.session.scalars(query))


class TaskRobotRunRepository(Repository[TaskRobotRun]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, TaskRobotRun, "task robot run")

    def claim(self, run: TaskRobotRun) -> bool:
        """Insert ``run`` unless its robot already has a run for this status entry (then
        ``False``, and the transaction goes on untouched): the unique key settles replays
        and races."""
        try:
            with self.session.begin_nested():
                self.session.add(run)
                self.session.flush()
        except IntegrityError:
            return False
        return True

    def pending_of(self, task_id: int) -> list[TaskRobotRun]:
        """The task's scheduled runs, locked for this transaction, in the order they act
        (those waiting for a deadline last)."""
        query = (
            select(TaskRobotRun)
            .where(runs.c.task_id == task_id, runs.c.state == RunState.SCHEDULED)
            .order_by(runs.c.due_at.is_(None), runs.c.due_at, runs.c.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return list(self.session.scalars(query))

    def pending_of_robot(self, robot_id: int) -> list[TaskRobotRun]:
        """The robot's scheduled runs, locked for this transaction."""
        query = (
            select(TaskRobotRun)
            .where(runs.c.robot_id == robot_id, runs.c.state == RunState.SCHEDULED)
            .order_by(runs.c.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return list(self.session.scalars(query))

    def of_task(self, task_id: int) -> list[TaskRobotRun]:
        """Every run of the task, oldest entry first, in the order they were scheduled."""
        query = (
            select(TaskRobotRun)
            .where(runs.c.task_id == task_id)
            .order_by(runs.c.status_changed_at, runs.c.id)
        )
        return list(self.session.scalars(query))

    def with_dead_job(
        self, *, key_prefix: str, now: datetime, limit: int
    ) -> list[tuple[TaskRobotRun, str, int]]:
        """Up to ``limit`` scheduled runs due by ``now`` whose job (keyed ``key_prefix`` and
        the run's id) is dead, locked for this transaction (runs locked elsewhere are left
        for later), each with the job's last error and attempts, the earliest due first."""
        job_key = literal(key_prefix) + cast(runs.c.id, String)
        query = (
            select(TaskRobotRun, jobs.c.last_error, jobs.c.attempts)
            .join(jobs, jobs.c.key == job_key)
            .where(runs.c.state == RunState.SCHEDULED, runs.c.due_at <= now)
            .where(jobs.c.state == JobState.DEAD)
            .order_by(runs.c.due_at, runs.c.id)
            .limit(limit)
            .with_for_update(of=runs, skip_locked=True)
            .execution_options(populate_existing=True)
        )
        return [
            (run, error or "", attempts) for run, error, attempts in self.session.execute(query)
        ]

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """What is written inside is undone if it raises (the transaction goes on)."""
        with self.session.begin_nested():
            yield
