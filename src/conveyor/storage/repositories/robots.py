"""Repositories of robots: their definitions and their runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, func, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conveyor.domain.jobs import JobState
from conveyor.domain.robot_runs import RobotRun, RunState
from conveyor.domain.robots import Robot
from conveyor.storage.job_wakeups import announce
from conveyor.storage.repositories.base import Repository
from conveyor.storage.tables.jobs import jobs
from conveyor.storage.tables.robots import robot_runs as runs
from conveyor.storage.tables.robots import robots


class RobotRepository(Repository[Robot]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Robot, "robot")

    def at_stage(self, stage_id: int, *, enabled_only: bool = False) -> list[Robot]:
        """The stage's robots in the order they act."""
        query = select(Robot).where(robots.c.stage_id == stage_id)
        if enabled_only:
            query = query.where(robots.c.enabled.is_(True))
        return list(self.session.scalars(query.order_by(robots.c.position, robots.c.id)))

    def count_at(self, stage_id: int) -> int:
        query = select(func.count()).select_from(robots).where(robots.c.stage_id == stage_id)
        return self.session.scalar(query) or 0


class RobotRunRepository(Repository[RobotRun]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, RobotRun, "robot run")

    def claim(self, run: RobotRun) -> bool:
        """Insert ``run`` unless its robot already has a run for this stage entry (then
        ``False``, and the transaction goes on untouched): the unique key settles replays
        and races."""
        try:
            with self.session.begin_nested():
                self.session.add(run)
                self.session.flush()
        except IntegrityError:
            return False
        return True

    def pending_of(self, item_id: int) -> list[RobotRun]:
        """The item's scheduled runs, locked for this transaction, in the order they act."""
        query = (
            select(RobotRun)
            .where(runs.c.item_id == item_id, runs.c.state == RunState.SCHEDULED)
            .order_by(runs.c.due_at, runs.c.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return list(self.session.scalars(query))

    def of_item(self, item_id: int) -> list[RobotRun]:
        """Every run of the item, oldest entry first, in the order they were scheduled."""
        query = (
            select(RobotRun)
            .where(runs.c.item_id == item_id)
            .order_by(runs.c.stage_entered_at, runs.c.id)
        )
        return list(self.session.scalars(query))

    def with_dead_job(
        self, *, key_prefix: str, now: datetime, limit: int
    ) -> list[tuple[RobotRun, str, int]]:
        """Up to ``limit`` scheduled runs due by ``now`` whose job (keyed ``key_prefix`` and
        the run's id) is dead, locked for this transaction (runs locked elsewhere are left
        for later), each with the job's last error and attempts, the earliest due first."""
        job_key = literal(key_prefix) + cast(runs.c.id, String)
        query = (
            select(RobotRun, jobs.c.last_error, jobs.c.attempts)
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

    def rearm_job(self, key: str, *, due_at: datetime) -> bool:
        """Make the run's job (keyed ``key``) pending at ``due_at``, whether it was pending
        or is done in this very transaction (the job firing the run, which found the run
        due later); whether there was such a job. A running job (another worker's) or a
        dead one is left alone."""
        statement = (
            update(jobs)
            .where(jobs.c.key == key, jobs.c.state.in_([JobState.PENDING, JobState.DONE]))
            .values(
                state=JobState.PENDING,
                due_at=due_at,
                attempts=0,
                lease_owner=None,
                lease_expires_at=None,
                last_error=None,
                finished_at=None,
            )
        )
        result: Any = self.session.execute(statement)
        rearmed = int(result.rowcount) > 0
        if rearmed:
            announce(self.session)
        return rearmed

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """What is written inside is undone if it raises (the transaction goes on)."""
        with self.session.begin_nested():
            yield
