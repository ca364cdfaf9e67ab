"""Running communication controls: as the job of a scheduled occurrence, and by hand.

The rules of what a run does are in ``domain/communication_controls.py``; here is how.

A scheduled occurrence is a job (``communication_controls.RUN_JOB``, keyed by control and
occurrence) that the job worker runs with ``run_scheduled``, inside the worker's unit of
work: it locks the control, does nothing unless the occurrence is still the control's
``next_run_at`` (so a job run twice, or for an occurrence since moved, acts once), moves
``next_run_at`` on and schedules that job, then acts on the silent companies.

One run reads at most ``BATCH`` silent companies (by id) and, for each, in a savepoint:
opens the deal (``crm_items.open_item`` as the system, so the stage's assignment rules and
robots act as on a deal created by hand), sets the task for whoever is then responsible,
records a ``ControlCheck`` and emits ``CommunicationControlActed``. A company for which no
deal can be opened (a field its stage requires, say) gets a check saying why and nothing
else; it is tried again next run. When the batch is full, a follow-up job due a minute
later (keyed by control, occurrence and the last company) goes on after the last company,
as long as the definition is unchanged (same ``version``): a changed control's next
occurrence covers the rest. So each transaction stays short whatever the client base.

Running a control by hand (``run_control``) is the same run at ``now``, enabled or not,
and leaves the schedule alone. Runs of one control are serialized by its row lock; the
open deal of a check keeps a second run from acting on the same company twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.call_rounds import call_deadline
from conveyor.domain.communication_controls import (
    CommunicationControl,
    ControlCheck,
    SilentCompany,
)
from conveyor.domain.crm_items import CrmItem
from conveyor.domain.errors import CalendarNotCovered, Conflict, ConveyorError, NoWorkingTime
from conveyor.domain.events import DomainEvent
from conveyor.domain.pipelines import EntityType, Stage
from conveyor.domain.tasks import Task
from conveyor.engines.recurrence import Recurrence
from conveyor.services import jobs
from conveyor.services.communication_controls import (
    RUN_JOB,
    cancel_next_run,
    deal_stage,
    require_manager,
    run_job_key,
    schedule_next_run,
)
from conveyor.services.crm_items import CreateItem, open_item
from conveyor.services.robot_context import names_of, working_time_source
from conveyor.services.tasks import add_task
from conveyor.services.working_time import check_instant
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = ["BATCH", "FOLLOW_UP_AFTER", "ControlRun", "run_control", "run_scheduled"]

log = logging.getLogger("conveyor.communication_controls")

#: Companies acted on per run (one transaction); the rest go on in follow-up jobs.
BATCH = 500
#: When a follow-up batch is due after the one before.
FOLLOW_UP_AFTER = timedelta(minutes=1)


@dataclass(frozen=True, kw_only=True)
class ControlRun:
    """What one run did: the companies silent since ``silent_since`` it acted on, and whether
    a follow-up job goes on with more (``continues``)."""

    control_id: int
    ran_at: datetime
    silent_since: datetime
    checks: list[ControlCheck] = field(default_factory=list)
    continues: bool = False


def run_control(uow: UnitOfWork, control_id: int, *, actor: Actor, now: datetime) -> ControlRun:
    """Run the control now, by hand (heads and admins), enabled or not; its schedule goes
    on as planned. A definition that no longer fits (its stage became final, say) is
    refused naming the field."""
    require_manager(actor)
    check_instant(now, field="now")
    with uow:
        control = uow.communication_controls.get(control_id, for_update=True)
        run = _sweep(uow, control, occurrence=now, after=None, now=now)
        uow.commit()
    return run


def run_scheduled(uow: UnitOfWork, payload: dict[str, Any], now: datetime) -> None:
    """The handler of the control's jobs, inside the worker's open ``uow``. ``payload`` names
    the control and the occurrence; a follow-up also the company to go on after
    (``after``) and the control's ``version`` when the run began."""
    control = uow.communication_controls.find(int(payload["control_id"]), for_update=True)
    if control is None:
        return
    occurrence = datetime.fromisoformat(payload["occurrence"])
    after = payload.get("after")
    if after is None:
        if control.next_run_at != occurrence:
            return  # the schedule changed, the control was disabled, or this ran already
        cancel_next_run(uow, control)
        control.next_run_at = Recurrence(control.schedule, control.timezone).next_after(now)
        schedule_next_run(uow, control, now=now)
    elif control.version != payload.get("version"):
        return  # changed since the run began: its next occurrence covers the rest
    try:
        _sweep(uow, control, occurrence=occurrence, after=after, now=now)
    except Conflict:
        raise  # the transaction is lost: the job retries
    except ConveyorError as error:
        # The definition no longer fits the data: retrying would not help; the schedule
        # goes on and the next occurrence tries again.
        log.warning("communication control %s did nothing: %s", control.id, error.message)


def _sweep(
    uow: UnitOfWork,
    control: CommunicationControl,
    *,
    occurrence: datetime,
    after: int | None,
    now: datetime,
) -> ControlRun:
    """Act on up to ``BATCH`` companies silent since ``now - silent_days``, by id after
    ``after``, and schedule the follow-up when there may be more."""
    assert control.id is not None
    stage = deal_stage(uow, control)
    silent_since = now - timedelta(days=control.silent_days)
    silent = uow.communication_controls.silent_companies(
        control.id, cutoff=silent_since, after=after, limit=BATCH
    )
    checks = [_act(uow, control, stage, company, now=now) for company in silent]
    continues = len(silent) == BATCH
    if continues:
        last = silent[-1].id
        jobs.schedule(
            uow,
            kind=RUN_JOB,
            payload={
                "control_id": control.id,
                "occurrence": occurrence.astimezone(UTC).isoformat(),
                "after": last,
                "version": control.version,
            },
            due_at=now + FOLLOW_UP_AFTER,
            key=run_job_key(control.id, occurrence, after=last),
            now=now,
        )
    return ControlRun(
        control_id=control.id,
        ran_at=now,
        silent_since=silent_since,
        checks=checks,
        continues=continues,
    )


def _act(
    uow: UnitOfWork,
    control: CommunicationControl,
    stage: Stage,
    company: SilentCompany,
    *,
    now: datetime,
) -> ControlCheck:
    """Open the deal and set the task for one silent company; the check says what was done."""
    assert control.id is not None
    responsible_id, notes = _manager(uow, company)
    try:
        with uow.communication_controls.savepoint():
            item = open_item(
                uow,
                EntityType.DEAL,
                CreateItem(
                    title=control.deal_title_for(company.name),
                    pipeline_id=control.pipeline_id,
                    stage_id=stage.id,
                    responsible_id=responsible_id,
                    company_id=company.id,
                ),
                actor=SYSTEM,
                now=now,
            )
            task, task_note = _task(uow, control, item, company, now=now)
            uow.flush()
    except Conflict:
        raise
    except ConveyorError as refused:
        log.warning(
            "communication control %s opened no deal for company %s: %s",
            control.id,
            company.id,
            refused.message,
        )
        check = ControlCheck(
            control_id=control.id,
            company_id=company.id,
            last_communication_at=company.last_communication_at,
            detail="; ".join([*notes, f"no deal was opened: {refused.message}"]),
            checked_at=now,
        )
        uow.control_checks.add(check)
        return check
    assert item.id is not None
    check = ControlCheck(
        control_id=control.id,
        company_id=company.id,
        last_communication_at=company.last_communication_at,
        item_id=item.id,
        task_id=None if task is None else task.id,
        detail="; ".join([*notes, f"opened deal {item.id}", task_note]),
        checked_at=now,
    )
    uow.control_checks.add(check)
    uow.emit(_acted(control, check, item, task, now))
    return check


def _manager(uow: UnitOfWork, company: SilentCompany) -> tuple[int | None, list[str]]:
    """Who the deal is opened for: the company's responsible, unless dismissed (then the
    stage's rules, if any, choose)."""
    if company.responsible_id is None:
        return None, []
    employee = uow.employees.find(company.responsible_id)
    if employee is None or not employee.is_active:
        name = names_of(uow, [company.responsible_id])
        return None, [f"the company's manager {name} is dismissed"]
    return company.responsible_id, []


def _task(
    uow: UnitOfWork,
    control: CommunicationControl,
    item: CrmItem,
    company: SilentCompany,
    *,
    now: datetime,
) -> tuple[Task | None, str]:
    """The task for the deal's responsible (as assigned by now), and a note on it."""
    responsible_id = item.responsible_id
    if responsible_id is None:
        return None, "nobody is responsible for the deal, so no task was set"
    try:
        working = working_time_source(uow, responsible_id).around(now)
        deadline: datetime | None = call_deadline(working, now, control.deadline_working_days)
    except (NoWorkingTime, CalendarNotCovered):
        deadline = None  # no working time to count on: the task is set without a deadline
    task = Task(
        title=control.task_title_for(company.name),
        description=control.task_description,
        creator_id=control.creator_id,
        responsible_id=responsible_id,
        deadline=deadline,
        item_id=item.id,
        company_id=company.id,
        created_at=now,
        updated_at=now,
        status_changed_at=now,
    )
    add_task(uow, task, actor_id=SYSTEM.employee_id, now=now, communication_control_id=control.id)
    return task, f"set task {task.id} for {names_of(uow, [responsible_id])}"


def _acted(
    control: CommunicationControl,
    check: ControlCheck,
    item: CrmItem,
    task: Task | None,
    now: datetime,
) -> DomainEvent:
    assert control.id is not None
    last = check.last_communication_at
    deadline = None if task is None else task.deadline
    return DomainEvent(
        type="CommunicationControlActed",
        entity="communication_control",
        entity_id=control.id,
        occurred_at=now,
        payload={
            "check_id": check.id,
            "company_id": check.company_id,
            "last_communication_at": None if last is None else last.isoformat(),
            "item_id": item.id,
            "responsible_id": item.responsible_id,
            "task_id": None if task is None else task.id,
            "deadline": None if deadline is None else deadline.isoformat(),
        },
    )
