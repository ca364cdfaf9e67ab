"""When a task robot's run is due, and keeping it so while the run waits.

A run is due at its robot's ``Timing`` (``engines.automation.due_at``) applied to the moment
the task entered the status, or, for a timing at / before / after the deadline, to the
task's deadline, counted on the responsible's working time when the timing says so. A
deadline already past makes the run due at once.

While a run waits, its due time follows the deadline: whatever changes a task's deadline
calls ``deadline_moved`` in its transaction (``update_task``, the ``shift_deadline`` task
robot), which computes each waiting run of the task's current status entry again: due at
the new moment (``TaskRobotRunRescheduled``) with its job moved, or, the deadline cleared,
waiting without a due time and without a job. A moment moved into the past makes the job
due now: the worker fires it at its next look, never inside the change that moved it. And
the job computes the moment once more when it fires (``keeps_waiting``), so a deadline moved
by a path that does not call the hook (tasks after a late one moved by their dependency)
can make the run late, never early.

A run's job is keyed on the run (``job_key``): one job per run, moved or dropped by key.
"""

from __future__ import annotations

from datetime import datetime

from conveyor.domain.errors import ConveyorError
from conveyor.domain.task_robot_runs import Reason, StatusEntry, TaskRobotRun
from conveyor.domain.task_robots import TaskRobot
from conveyor.domain.tasks import Task
from conveyor.engines.automation import due_at
from conveyor.services.jobs import schedule
from conveyor.services.robot_context import working_time_source
from conveyor.services.working_time import EmployeeWorkingTime
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = [
    "FIRE_JOB",
    "JOB_KEY_PREFIX",
    "arm_job",
    "deadline_moved",
    "due_of",
    "entry_of",
    "job_key",
    "keeps_waiting",
]

#: The job kind of a delayed task robot: payload ``{"run_id": <id>}``.
FIRE_JOB = "task_robot.fire"
#: A run's job is keyed on this and the run's id.
JOB_KEY_PREFIX = "task-robot-run:"


def job_key(run_id: int) -> str:
    return f"{JOB_KEY_PREFIX}{run_id}"


def entry_of(task: Task) -> StatusEntry:
    assert task.id is not None
    return StatusEntry(task_id=task.id, status=task.status, entered_at=task.status_changed_at)


def due_of(robot: TaskRobot, task: Task, source: EmployeeWorkingTime) -> datetime | None:
    """When a run of ``robot`` for ``task``'s current status entry is due, counted on the
    working time ``source`` (the responsible's); ``None`` when its timing follows the
    deadline and the task has none. Raises a ``ConveyorError`` saying why when it cannot be
    computed (working time not counted that far)."""
    timing = robot.timing
    moment = None
    if timing.follows_field:
        if task.deadline is None:
            return None
        moment = task.deadline
    return due_at(
        timing,
        entered_at=task.status_changed_at,
        working_time=source.build,
        field_moment=moment,
    )


def arm_job(uow: UnitOfWork, run: TaskRobotRun, *, now: datetime) -> None:
    """The run's job made due at the run's due time: moved when it has one (pending, or
    done in this very transaction: the job firing the run), scheduled when not."""
    assert run.id is not None and run.due_at is not None
    key = job_key(run.id)
    if not uow.robot_runs.rearm_job(key, due_at=run.due_at):
        schedule(
            uow, kind=FIRE_JOB, payload={"run_id": run.id}, due_at=run.due_at, now=now, key=key
        )


def deadline_moved(
    uow: UnitOfWork, task: Task, *, now: datetime, skip_run_id: int | None = None
) -> None:
    """``task``'s deadline changed, inside the caller's unit of work: each run waiting in
    its current status entry on the deadline is due again by it (see the module), but
    ``skip_run_id`` (the run whose own action moved it). Never commits, never acts."""
    assert task.id is not None
    uow.flush()
    current = entry_of(task)
    source: EmployeeWorkingTime | None = None
    for run in uow.task_robot_runs.pending_of(task.id):
        if run.id == skip_run_id or run.entry != current:
            continue
        robot = uow.task_robots.find(run.robot_id)
        if robot is None or not robot.follows_deadline:
            continue
        source = source or working_time_source(uow, task.responsible_id)
        _due_again(uow, run, robot, task, source, now=now)


def keeps_waiting(
    uow: UnitOfWork, run: TaskRobotRun, robot: TaskRobot, task: Task, *, now: datetime
) -> bool:
    """Before a due run acts, inside its job's transaction: whether it must not act yet
    (its moment, computed again for a robot following the deadline, is later, or there is
    no deadline now; or the run ended); its job is moved when it waits for a moment."""
    if robot.follows_deadline:
        source = working_time_source(uow, task.responsible_id)
        _due_again(uow, run, robot, task, source, now=now)
    if not run.is_pending or run.due_at is None:
        return True
    if run.due_at > now:
        arm_job(uow, run, now=now)
        return True
    return False


def _due_again(
    uow: UnitOfWork,
    run: TaskRobotRun,
    robot: TaskRobot,
    task: Task,
    source: EmployeeWorkingTime,
    *,
    now: datetime,
) -> None:
    """The run's due time by the deadline now, set on the run and its job; a moment that
    cannot be computed ends the run ``failed``."""
    assert run.id is not None
    try:
        due = due_of(robot, task, source)
    except ConveyorError as error:
        uow.emit(run.failed(Reason.TIMING_FAILED, now, detail=error.message))
        uow.jobs.cancel_pending(job_key(run.id))
        return
    event = run.due_again(due, now)
    if event is None:
        return
    uow.emit(event)
    if due is None:
        uow.jobs.cancel_pending(job_key(run.id))
    else:
        arm_job(uow, run, now=now)
