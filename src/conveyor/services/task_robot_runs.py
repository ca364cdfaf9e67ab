"""Task robot runs: the robots of a status, started when a task enters it, stopped when it
leaves.

``task_entered_status`` runs INSIDE the caller's open unit of work, right after a task got
its status: written (``pending``; after the task rules had their say, so "the responsible"
is the one assigned) or moved by an action (start, complete, accept, return, renew...). It
never commits:

1. Every run still scheduled for another status entry of the task is cancelled (the task
   left that status), and its job is dropped.
2. Each enabled robot of the status, in order, whose scope takes the task (its responsible
   in the robot's department or one below it), gets a run keyed on the entry (robot, task,
   ``status_changed_at``; a replay meets the unique key and adds nothing), due at its
   timing (``task_robot_timing``).
3. The runs due at once act now, in order, in this very transaction: the change, the
   robots' actions and their events commit together or not at all.
4. Each run left scheduled with a due time gets a job (``FIRE_JOB``) due when it is; a run
   waiting for a deadline gets one when the task gets a deadline.

``fire_due_run`` is that job's handler. Under the task's lock (a change by hand takes it
too) it checks that the task is still in the run's status entry and the robot still exists
and is enabled (``verdict``), so a delayed robot never acts for an entry its task has left,
and that the run is due (its deadline may have moved); then it acts as in 3.

A run acts only if its condition holds when it acts; otherwise it ends ``skipped`` with the
reason. An action refused (nobody holds the position, the task is completed...) ends the
run ``failed`` and leaves nothing half-done (a savepoint is rolled back), while the change
that started it stands. A job that dies instead leaves its run scheduled; the serving app's
ticker ends such runs ``failed`` (``end_runs_of_dead_jobs``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from conveyor.domain.departments import subtree_ids
from conveyor.domain.errors import Conflict, ConveyorError, ExpressionFailed, InvalidValue
from conveyor.domain.robot_runs import RunState
from conveyor.domain.task_robot_runs import Reason, TaskRobotRun, verdict
from conveyor.domain.task_robots import TaskRobot
from conveyor.domain.tasks import Task
from conveyor.services.jobs import JobHandlers, schedule
from conveyor.services.robot_context import working_time_source
from conveyor.services.task_robot_actions import carry_out
from conveyor.services.task_robot_checks import condition, names_read, task_context
from conveyor.services.task_robot_timing import (
    FIRE_JOB,
    JOB_KEY_PREFIX,
    due_of,
    entry_of,
    job_key,
    keeps_waiting,
)
from conveyor.services.working_time import EmployeeWorkingTime
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = [
    "FIRE_JOB",
    "end_runs_of_dead_jobs",
    "fire_due_run",
    "register",
    "robot_deleted",
    "task_entered_status",
]

#: Runs of dead jobs ended per transaction (the rest at the next tick).
DEAD_JOBS_BATCH = 200


def register(handlers: JobHandlers) -> None:
    """Register the task robots' job kind (``FIRE_JOB``) on a worker's registry."""
    handlers.register(FIRE_JOB, fire_due_run)


def task_entered_status(uow: UnitOfWork, task: Task, *, now: datetime) -> list[TaskRobotRun]:
    """Start the robots of ``task``'s current status entry (see the module); returns the
    runs made for it (none on a replay)."""
    assert task.id is not None
    cancel_left_behind(uow, task, now=now)
    robots = [
        robot
        for robot in uow.task_robots.at_status(task.status, enabled_only=True)
        if _in_scope(uow, robot, task)
    ]
    if not robots:
        return []
    # Due times count on the working time of the responsible (the one just assigned).
    source = working_time_source(uow, task.responsible_id)
    started: list[tuple[TaskRobotRun, TaskRobot]] = []
    for robot in robots:
        run = _new_run(uow, robot, task, source, now=now)
        if run is not None:
            started.append((run, robot))
    for run, robot in started:
        # An action before this one may have moved the deadline this run follows: its due
        # time was computed again meanwhile (``deadline_moved``).
        if run.is_pending and run.due_at is not None and run.due_at <= now:
            _act(uow, run, robot, task, now=now)
    for run, _ in started:
        if run.is_pending and run.due_at is not None:
            assert run.id is not None
            schedule(
                uow,
                kind=FIRE_JOB,
                payload={"run_id": run.id},
                due_at=run.due_at,
                now=now,
                key=job_key(run.id),
            )
    uow.flush()
    return [run for run, _ in started]


def cancel_left_behind(uow: UnitOfWork, task: Task, *, now: datetime) -> int:
    """End every run still scheduled for an entry the task is no longer in; how many."""
    assert task.id is not None
    uow.flush()
    current = entry_of(task)
    cancelled = 0
    for run in uow.task_robot_runs.pending_of(task.id):
        if run.entry == current:
            continue
        detail = f"the task left the status {run.status.value} before the robot acted"
        uow.emit(run.cancelled(Reason.LEFT_STATUS, now, detail=detail))
        assert run.id is not None
        uow.jobs.cancel_pending(job_key(run.id))
        cancelled += 1
    return cancelled


def robot_deleted(uow: UnitOfWork, robot_id: int, *, now: datetime) -> int:
    """End the deleted robot's waiting runs ``cancelled`` and drop their jobs, inside the
    caller's unit of work; how many."""
    found = uow.task_robot_runs.pending_of_robot(robot_id)
    for run in found:
        assert run.id is not None
        uow.emit(run.cancelled(Reason.ROBOT_DELETED, now, detail="the robot was deleted"))
        uow.jobs.cancel_pending(job_key(run.id))
    return len(found)


def fire_due_run(uow: UnitOfWork, payload: dict[str, Any], now: datetime) -> None:
    """The job of a delayed run: act if its task is still in the run's entry and the run is
    due (see the module); a run already ended, or gone, is left alone."""
    run_id = payload.get("run_id")
    if not isinstance(run_id, int) or isinstance(run_id, bool):
        raise InvalidValue("A task robot job names its run by id", field="payload.run_id")
    found = uow.task_robot_runs.find(run_id)
    if found is None or not found.is_pending:
        return
    # The task's lock first, as a change by hand takes it: the two never cross, and the run
    # is read again under it.
    task = uow.tasks.find(found.task_id, for_update=True)
    run = uow.task_robot_runs.find(run_id, for_update=True)
    if run is None or not run.is_pending:
        return
    robot = uow.task_robots.find(run.robot_id)
    stop = verdict(
        run,
        current=None if task is None else entry_of(task),
        robot_exists=robot is not None,
        robot_enabled=robot is not None and robot.enabled,
    )
    if stop is not None:
        end = run.skipped if stop.state is RunState.SKIPPED else run.cancelled
        uow.emit(end(stop.reason, now, detail=stop.detail))
        return
    assert task is not None and robot is not None
    if keeps_waiting(uow, run, robot, task, now=now):
        return
    _act(uow, run, robot, task, now=now)


def end_runs_of_dead_jobs(uow: UnitOfWork, *, now: datetime) -> int:
    """End ``failed`` (``job_died``, with the job's last error) every run still scheduled
    whose job is dead, up to ``DEAD_JOBS_BATCH`` of them, in one transaction of its own;
    how many. Such a run never acted: its job's handler was never committed."""
    with uow:
        found = uow.task_robot_runs.with_dead_job(
            key_prefix=JOB_KEY_PREFIX, now=now, limit=DEAD_JOBS_BATCH
        )
        for run, error, attempts in found:
            detail = f"its job died after {attempts} attempts without acting: {error}"
            uow.emit(run.failed(Reason.JOB_DIED, now, detail=detail))
        uow.commit()
    return len(found)


def _in_scope(uow: UnitOfWork, robot: TaskRobot, task: Task) -> bool:
    """Whether the robot watches the task: it has no scope, or the task's responsible is in
    its department or one below it."""
    if robot.department_id is None:
        return True
    watched = subtree_ids(robot.department_id, uow.departments.parents())
    return any(d in watched for d in uow.employees.department_ids(task.responsible_id))


def _new_run(
    uow: UnitOfWork,
    robot: TaskRobot,
    task: Task,
    source: EmployeeWorkingTime,
    *,
    now: datetime,
) -> TaskRobotRun | None:
    """The robot's run for the task's entry, claimed; ``None`` when the entry has it."""
    assert robot.id is not None and task.id is not None
    problem: str | None = None
    try:
        due = due_of(robot, task, source)
    except ConveyorError as error:
        # Working time not counted that far, a schedule without working time: the run
        # fails with the reason, the change stands.
        due, problem = now, error.message
    run = TaskRobotRun(
        robot_id=robot.id,
        robot_version=robot.version,
        robot_name=robot.name,
        task_id=task.id,
        status=task.status,
        status_changed_at=task.status_changed_at,
        due_at=due,
        created_at=now,
    )
    if not uow.task_robot_runs.claim(run):
        return None
    uow.emit(run.scheduled_event())
    if problem is not None:
        uow.emit(run.failed(Reason.TIMING_FAILED, now, detail=problem))
    return run


def _act(
    uow: UnitOfWork, run: TaskRobotRun, robot: TaskRobot, task: Task, *, now: datetime
) -> None:
    """Check the condition, carry the action out and end the run accordingly."""
    assert run.id is not None
    context = task_context(uow, task, names_read(robot), now=now)
    if robot.condition is not None:
        try:
            holds = condition(robot.condition).test(context)
        except ExpressionFailed as failed:
            detail = f"the condition could not be evaluated: {failed.message}"
            uow.emit(run.skipped(Reason.CONDITION_FAILED, now, detail=detail))
            return
        if not holds:
            detail = f"the condition is false: {robot.condition}"
            uow.emit(run.skipped(Reason.CONDITION_FALSE, now, detail=detail))
            return
    try:
        with uow.task_robot_runs.savepoint():
            done = carry_out(uow, robot, task, context, run_id=run.id, now=now)
            uow.flush()
    except Conflict:
        # The transaction itself is lost (a concurrent write): the caller fails and retries.
        raise
    except ConveyorError as refused:
        uow.emit(run.failed(Reason.ACTION_FAILED, now, detail=refused.message))
        return
    uow.emit(run.fired(now, detail=done.detail, data=done.data))
