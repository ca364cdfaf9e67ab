"""Robot runs: the robots of a stage, started when an item enters it, stopped when it leaves.

``start_robots`` runs INSIDE the caller's open unit of work, right after an item entered a
stage (created at it, moved, changed pipeline) and after the assignment rules had their say,
so that "the responsible" is the one assigned. It never commits:

1. Every run still scheduled for another stage entry of the item is cancelled (the item
   left that stage), and its job is dropped.
2. Each enabled robot of the stage, in order, gets a run keyed on the entry (robot, item,
   ``stage_entered_at``; a replay meets the unique key and adds nothing), due at its
   timing applied to the entry moment, or to the date field it follows (on the
   responsible's working time when it says so; ``services.robot_timing``). A run following
   a field the item leaves empty ends ``skipped`` (``field_empty``) there and then.
3. The runs due at once act now, in order, in this very transaction: the move, the robots'
   actions and their events commit together or not at all. A robot that moves the item on
   ends the stage's remaining runs (cancelled), and the next stage's robots start (so do
   the robots of an item a robot creates); at most ``MAX_CASCADE`` such steps deep.
4. Each run left scheduled gets a job (``FIRE_JOB``) due when it is.

``fire_due_run`` is that job's handler. Under the item's lock it checks that the item is
still in the run's stage entry and the robot still exists and is enabled (``verdict``), so
a delayed robot never acts for an entry its item has left; a run following a date field
checks the field's moment again (``robot_timing.keeps_waiting``: moved later, the run waits
on); then it acts as in 3.

A job that dies instead (its handler failed every attempt, or the workers running it
stopped each time) leaves its run scheduled; ``end_runs_of_dead_jobs``, a duty of the
serving app's ticker, ends such runs ``failed`` (``job_died``) with the job's last error.

A run acts only if its condition holds when it acts (at the entry for an immediate robot,
when due for a delayed one); otherwise it ends ``skipped`` with the reason. An action that
is refused (nobody to notify, a field required at the target stage is empty...) ends the
run ``failed`` with the reason and leaves nothing half-done (a savepoint is rolled back),
while the move that started it stands.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from conveyor.domain.actors import Actor
from conveyor.domain.crm_items import CrmItem
from conveyor.domain.errors import (
    Conflict,
    ConveyorError,
    ExpressionFailed,
    InvalidValue,
    NotFound,
)
from conveyor.domain.pages import Page
from conveyor.domain.pipelines import EntityType
from conveyor.domain.robot_runs import Reason, RobotRun, RunState, StageEntry, verdict
from conveyor.domain.robots import Robot
from conveyor.services.jobs import JobHandlers, schedule
from conveyor.services.robot_actions import carry_out
from conveyor.services.robot_checks import TEMPLATES, condition, template
from conveyor.services.robot_context import robot_context, working_time_source
from conveyor.services.robot_timing import (
    FIRE_JOB,
    JOB_KEY_PREFIX,
    due_of,
    follow_date_fields,
    job_key,
    keeps_waiting,
)
from conveyor.services.working_time import EmployeeWorkingTime
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = [
    "FIRE_JOB",
    "MAX_CASCADE",
    "end_runs_of_dead_jobs",
    "fire_due_run",
    "follow_date_fields",
    "register",
    "runs_of_item",
    "start_robots",
]

#: Robot-driven moves (and items created by robots) that may follow one entry by hand
#: (robots moving an item back and forth, or creating items that create items, stop here;
#: the runs of the entry reached last end ``skipped``).
MAX_CASCADE = 5
#: Runs of dead jobs ended per transaction (the rest at the next tick).
DEAD_JOBS_BATCH = 200


def register(handlers: JobHandlers) -> None:
    """Register the robots' job kind (``FIRE_JOB``) on a worker's registry: what
    ``services/job_kinds.py`` does for every worker."""
    handlers.register(FIRE_JOB, fire_due_run)


def start_robots(
    uow: UnitOfWork, item: CrmItem, *, now: datetime, depth: int = 0
) -> list[RobotRun]:
    """Start the robots of ``item``'s current stage entry (see the module); returns the
    runs made for it (none on a replay)."""
    cancel_left_behind(uow, item, now=now)
    robots = uow.robots.at_stage(item.stage_id, enabled_only=True)
    if not robots:
        return []
    # Due times count on the working time of the responsible (the one just assigned).
    source = working_time_source(uow, item.responsible_id)
    started: list[tuple[RobotRun, Robot]] = []
    for robot in robots:
        run = _new_run(uow, robot, item, source, now=now, depth=depth)
        if run is not None:
            started.append((run, robot))
    for run, robot in started:
        # A robot before this one may have moved the item on: then this run was cancelled.
        if run.is_pending and run.due_at <= now:
            _act(uow, run, robot, item, now=now, depth=depth)
    for run, _ in started:
        if run.is_pending:
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


def cancel_left_behind(uow: UnitOfWork, item: CrmItem, *, now: datetime) -> int:
    """End every run still scheduled for an entry the item is no longer in; how many."""
    assert item.id is not None
    uow.flush()
    current = _entry(item)
    cancelled = 0
    for run in uow.robot_runs.pending_of(item.id):
        if run.entry == current:
            continue
        uow.emit(run.cancelled(Reason.LEFT_STAGE, now, detail="the item left the stage before it"))
        assert run.id is not None
        uow.jobs.cancel_pending(job_key(run.id))
        cancelled += 1
    return cancelled


def fire_due_run(uow: UnitOfWork, payload: dict[str, Any], now: datetime) -> None:
    """The job of a delayed run: act if its item is still in the run's entry (see the
    module); a run already ended, or gone, is left alone."""
    run_id = payload.get("run_id")
    if not isinstance(run_id, int) or isinstance(run_id, bool):
        raise InvalidValue("A robot job names its run by id", field="payload.run_id")
    found = uow.robot_runs.find(run_id)
    if found is None or not found.is_pending:
        return
    # The item's lock first, as a move takes it: a move and this job never cross, and the
    # run is read again under it.
    item = uow.items.find(found.item_id, for_update=True)
    run = uow.robot_runs.find(run_id, for_update=True)
    if run is None or not run.is_pending:
        return
    robot = uow.robots.find(run.robot_id)
    stop = verdict(
        run,
        current=None if item is None else _entry(item),
        robot_exists=robot is not None,
        robot_enabled=robot is not None and robot.enabled,
    )
    if stop is not None:
        end = run.skipped if stop.state is RunState.SKIPPED else run.cancelled
        uow.emit(end(stop.reason, now, detail=stop.detail))
        return
    assert item is not None and robot is not None
    if keeps_waiting(uow, run, robot, item, now=now):
        return
    _act(uow, run, robot, item, now=now, depth=0)


def end_runs_of_dead_jobs(uow: UnitOfWork, *, now: datetime) -> int:
    """End ``failed`` (``job_died``, with the job's last error) every run still scheduled
    whose job is dead, up to ``DEAD_JOBS_BATCH`` of them, in one transaction of its own;
    how many. Such a run never acted: its job's handler was never committed. A dead job an
    admin reruns afterwards finds its run ended and does nothing."""
    with uow:
        found = uow.robot_runs.with_dead_job(
            key_prefix=JOB_KEY_PREFIX, now=now, limit=DEAD_JOBS_BATCH
        )
        for run, error, attempts in found:
            detail = f"its job died after {attempts} attempts without acting: {error}"
            uow.emit(run.failed(Reason.JOB_DIED, now, detail=detail))
        uow.commit()
    return len(found)


def runs_of_item(
    uow: UnitOfWork,
    entity_type: EntityType,
    item_id: int,
    *,
    actor: Actor,
    limit: int,
    offset: int,
    state: RunState | None = None,
) -> Page[RobotRun]:
    """The item's robot runs, latest stage entry first, each entry's in the order they were
    started: pending ones with their due time, ended ones with how and why. Whoever sees
    the item sees them."""
    with uow:
        item = uow.items.find(item_id)
        if item is None or item.entity_type is not entity_type or not item.visible_to(actor):
            raise NotFound(entity_type.value, item_id)
        repository = uow.robot_runs
        return repository.page(
            limit=limit,
            offset=offset,
            filters={"item_id": item_id, "state": state},
            order_by=[repository.column("stage_entered_at").desc()],
        )


def _new_run(
    uow: UnitOfWork,
    robot: Robot,
    item: CrmItem,
    source: EmployeeWorkingTime,
    *,
    now: datetime,
    depth: int,
) -> RobotRun | None:
    """The robot's run for the item's entry, claimed; ``None`` when the entry has it."""
    assert robot.id is not None and item.id is not None
    problem: str | None = None
    try:
        due = due_of(uow, robot.timing, item, source)
    except ConveyorError as error:
        # Working time not counted that far, a schedule without working time, the date
        # field gone: the run fails with the reason, the move stands.
        due, problem = now, error.message
    empty = due is None
    run = RobotRun(
        robot_id=robot.id,
        robot_version=robot.version,
        robot_name=robot.name,
        entity_type=item.entity_type.value,
        item_id=item.id,
        stage_id=item.stage_id,
        stage_entered_at=item.stage_entered_at,
        due_at=now if due is None else due,
        created_at=now,
    )
    if not uow.robot_runs.claim(run):
        return None
    uow.emit(run.scheduled_event())
    if problem is not None:
        uow.emit(run.failed(Reason.TIMING_FAILED, now, detail=problem))
    elif empty:
        detail = f"field '{robot.timing.field}' is empty"
        uow.emit(run.skipped(Reason.FIELD_EMPTY, now, detail=detail))
    elif depth >= MAX_CASCADE:
        detail = f"robots had already moved or created items {MAX_CASCADE} times in a row"
        uow.emit(run.skipped(Reason.CASCADE_LIMIT, now, detail=detail))
    return run


def _act(
    uow: UnitOfWork, run: RobotRun, robot: Robot, item: CrmItem, *, now: datetime, depth: int
) -> None:
    """Check the condition, carry the action out and end the run accordingly."""
    assert run.id is not None
    names = _names(robot)
    context = robot_context(uow, item, names)
    if robot.condition is not None:
        expression = condition(robot.condition, robot.entity_type)
        try:
            holds = expression.test(context)
        except ExpressionFailed as failed:
            detail = f"the condition could not be evaluated: {failed.message}"
            uow.emit(run.skipped(Reason.CONDITION_FAILED, now, detail=detail))
            return
        if not holds:
            detail = f"the condition is false: {robot.condition}"
            uow.emit(run.skipped(Reason.CONDITION_FALSE, now, detail=detail))
            return
    try:
        with uow.robot_runs.savepoint():
            done = carry_out(uow, robot, item, context, run_id=run.id, now=now, depth=depth)
            uow.flush()
    except Conflict:
        # The transaction itself is lost (a concurrent write): the caller fails and retries.
        raise
    except ConveyorError as refused:
        uow.emit(run.failed(Reason.ACTION_FAILED, now, detail=refused.message))
        return
    uow.emit(run.fired(now, detail=done.detail, data=done.data))
    if done.moved:
        start_robots(uow, item, now=now, depth=depth + 1)


def _names(robot: Robot) -> frozenset[str]:
    """The records the robot's condition and templates read."""
    names: set[str] = set()
    if robot.condition is not None:
        names |= condition(robot.condition, robot.entity_type).names
    for name in TEMPLATES.get(robot.action, ()):
        names |= template(robot.params[name], robot.entity_type, f"action.{name}").names
    return frozenset(names)


def _entry(item: CrmItem) -> StageEntry:
    assert item.id is not None
    return StageEntry(item_id=item.id, stage_id=item.stage_id, entered_at=item.stage_entered_at)
