"""When a robot's run is due, and keeping it so while the run waits.

A run is due at its robot's timing applied to the item's stage entry, or, for a timing at /
before / after a date field, to the moment that field holds (``due_of``):

- a datetime field is its moment; a date field (no time of day) is the START of that day,
  00:00 in the responsible's timezone (the organization's when nobody is responsible), as
  Bitrix24 reads it: "at the payment date" acts as the day begins, "1 day before" the day
  before at 00:00, and ``working_hours_only`` puts such a moment off to the morning;
- ``created_at`` is the item's creation;
- an empty field gives no moment: the run ends ``skipped`` (``field_empty``) at once;
- a moment already past when the item enters the stage makes the run due at once: it acts
  in the move's transaction like an immediate robot.

While a run waits, its due time follows the field: whatever changes an item's custom
fields calls ``follow_date_fields`` in its transaction (``crm_items.update_item``, the
``set_field`` robot), which computes each waiting run on a changed field again: the run is
due at the new moment (``RobotRunRescheduled``) and its job moves with it, or, the field
cleared, the run ends ``skipped``. A moment moved into the past makes the job due now: the
worker fires it at its next look, never inside the change that moved it. And the job checks
once more when it fires (``keeps_waiting``), so a change made by any other path (an engine
writing fields without calling the hook) can only make the run late, never early.

A run's job is keyed on the run (``job_key``): one job per run, moved or dropped by key.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from conveyor.domain.crm_items import CrmItem
from conveyor.domain.errors import ConveyorError, InvalidValue
from conveyor.domain.field_types import FieldType
from conveyor.domain.robot_runs import Reason, RobotRun, StageEntry
from conveyor.domain.robots import BUILT_IN_DATES, Robot, Timing
from conveyor.engines.automation import due_at, field_moment
from conveyor.services.jobs import schedule
from conveyor.services.robot_context import working_time_source
from conveyor.services.working_time import EmployeeWorkingTime
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = [
    "DATE_TYPES",
    "FIRE_JOB",
    "JOB_KEY_PREFIX",
    "due_of",
    "follow_date_fields",
    "job_key",
    "keeps_waiting",
]

#: The job kind of a delayed robot: payload ``{"run_id": <id>}``.
FIRE_JOB = "robot.fire"
#: A run's job is keyed on this and the run's id: one job per run, dropped by key.
JOB_KEY_PREFIX = "robot-run:"
#: The custom field types a timing may follow.
DATE_TYPES = frozenset({FieldType.DATE, FieldType.DATETIME})


def job_key(run_id: int) -> str:
    return f"{JOB_KEY_PREFIX}{run_id}"


def due_of(
    uow: UnitOfWork, timing: Timing, item: CrmItem, source: EmployeeWorkingTime
) -> datetime | None:
    """When a run of ``timing`` for ``item``'s current entry is due, counted on the working
    time ``source`` (the responsible's); ``None`` when the date field it follows is empty.
    Raises a ``ConveyorError`` saying why when it cannot be computed (the field is gone,
    working time not counted that far)."""
    moment = None
    if timing.follows_field:
        moment = _moment_of_field(uow, timing, item, source.timezone)
        if moment is None:
            return None
    return due_at(
        timing, entered_at=item.stage_entered_at, working_time=source.build, field_moment=moment
    )


def follow_date_fields(
    uow: UnitOfWork,
    item: CrmItem,
    changed: Collection[str],
    *,
    now: datetime,
    skip_run_id: int | None = None,
) -> None:
    """``item``'s custom fields ``changed`` (codes; other names are ignored), inside the
    caller's unit of work: each run waiting in the item's current entry on one of those
    fields is due again by its new value and its job moved, or ended when the field is
    now empty (see the module); except ``skip_run_id`` (the run whose own action changed
    the field: it is acting right now and ends as it acts). Never commits, never acts."""
    codes = set(changed)
    if item.id is None or not codes:
        return
    uow.flush()
    current = StageEntry(item_id=item.id, stage_id=item.stage_id, entered_at=item.stage_entered_at)
    source: EmployeeWorkingTime | None = None
    for run in uow.robot_runs.pending_of(item.id):
        if run.id == skip_run_id or run.entry != current:
            continue
        robot = uow.robots.find(run.robot_id)
        if robot is None or not robot.timing.follows_field or robot.timing.field not in codes:
            continue
        source = source or working_time_source(uow, item.responsible_id)
        assert run.id is not None
        before = run.due_at
        due = _due_again(uow, run, robot.timing, item, source, now=now, cause="field changed")
        if due is None:
            uow.jobs.cancel_pending(job_key(run.id))
        elif due != before:
            _move_job(uow, run, now=now)


def keeps_waiting(
    uow: UnitOfWork, run: RobotRun, robot: Robot, item: CrmItem, *, now: datetime
) -> bool:
    """Before a due run acts: whether it must not act yet, its robot following a date field
    whose moment is now later (the run is due again then, its job moved) or empty (the run
    ended). Runs inside the job's transaction."""
    if not robot.timing.follows_field:
        return False
    source = working_time_source(uow, item.responsible_id)
    due = _due_again(uow, run, robot.timing, item, source, now=now, cause="checked when due")
    if due is None:
        return True
    if due > now:
        _move_job(uow, run, now=now)
        return True
    return False


def _due_again(
    uow: UnitOfWork,
    run: RobotRun,
    timing: Timing,
    item: CrmItem,
    source: EmployeeWorkingTime,
    *,
    now: datetime,
    cause: str,
) -> datetime | None:
    """The run's due time by the field's current value, set on the run; ``None`` when that
    ended the run (the field empty, or the moment not computable)."""
    try:
        due = due_of(uow, timing, item, source)
    except ConveyorError as error:
        uow.emit(run.failed(Reason.TIMING_FAILED, now, detail=error.message))
        return None
    if due is None:
        detail = f"field '{timing.field}' was cleared while the robot waited"
        uow.emit(run.skipped(Reason.FIELD_EMPTY, now, detail=detail))
        return None
    uow.emit(run.due_again(due, now, cause=cause))
    return due


def _move_job(uow: UnitOfWork, run: RobotRun, *, now: datetime) -> None:
    """The run's job made due at the run's due time (the job scheduled if it has none
    yet: a run started in this very transaction)."""
    assert run.id is not None
    key = job_key(run.id)
    if not uow.robot_runs.rearm_job(key, due_at=run.due_at):
        schedule(
            uow,
            kind=FIRE_JOB,
            payload={"run_id": run.id},
            due_at=run.due_at,
            now=now,
            key=key,
        )


def _moment_of_field(
    uow: UnitOfWork, timing: Timing, item: CrmItem, timezone: str
) -> datetime | None:
    code = timing.field
    assert code is not None
    if code in BUILT_IN_DATES:
        moment: datetime = getattr(item, code)
        return moment
    definition = uow.custom_fields.of(item.entity_type).get(code)
    if definition is None or definition.type not in DATE_TYPES:
        raise InvalidValue(
            f"The date field '{code}' the robot follows no longer exists", field="timing.field"
        )
    return field_moment(
        item.fields.get(code), date_only=definition.type is FieldType.DATE, timezone=timezone
    )
