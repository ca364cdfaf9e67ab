"""Communication controls: heads and admins define them; runs live in
``services/communication_checks.py``.

Each use case is one transaction. A definition is checked whole on every save: the schedule
and timezone (``engines.recurrence``), the pipeline (a deal pipeline), the stage (in that
pipeline and not final; ``None`` is the pipeline's first stage, which must not be final
either) and the creator (an active employee); so a stored control was valid when saved.
Saving also sets ``next_run_at``, the next occurrence after now, and schedules its job in
the same transaction (``RUN_JOB``, keyed by control and occurrence, as call distributions
are); a change of schedule, timezone or ``enabled`` drops the old occurrence's job, delete
too. Changes emit ``CommunicationControlCreated``, ``...Changed`` (with the names changed)
and ``...Deleted``.

External partners have no access: a control reads the whole client base. Heads and admins
read and run any control; only an admin or the control's creator (``creator_id``, who sets
its tasks) changes or deletes it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

from conveyor.domain.actors import Actor
from conveyor.domain.clients import require_client_access
from conveyor.domain.communication_controls import (
    DEFAULT_DEADLINE_DAYS,
    DEFAULT_DEAL_TITLE,
    DEFAULT_SCHEDULE,
    DEFAULT_SILENT_DAYS,
    DEFAULT_TASK_TITLE,
    CommunicationControl,
    ControlCheck,
)
from conveyor.domain.errors import Forbidden, InvalidValue, StageNotInPipeline
from conveyor.domain.events import DomainEvent
from conveyor.domain.pages import Page
from conveyor.domain.pipelines import EntityType, Stage
from conveyor.domain.tokens import Role
from conveyor.engines.recurrence import Recurrence
from conveyor.services import jobs
from conveyor.storage.unit_of_work import UnitOfWork

#: The job kind that runs a control's occurrence (``communication_checks.run_scheduled``).
RUN_JOB = "communication_control.run"


@dataclass(frozen=True, kw_only=True)
class ControlSpec:
    """Everything a new control says; see ``CommunicationControl`` for each part.
    ``creator_id`` ``None`` means the one who defines it; ``timezone`` ``None`` the
    organization's."""

    name: str
    pipeline_id: int
    stage_id: int | None = None
    enabled: bool = True
    silent_days: int = DEFAULT_SILENT_DAYS
    deal_title: str = DEFAULT_DEAL_TITLE
    task_title: str = DEFAULT_TASK_TITLE
    task_description: str = ""
    deadline_working_days: int = DEFAULT_DEADLINE_DAYS
    creator_id: int | None = None
    schedule: str = DEFAULT_SCHEDULE
    timezone: str | None = None


def create_control(
    uow: UnitOfWork, spec: ControlSpec, *, actor: Actor, now: datetime
) -> CommunicationControl:
    require_manager(actor)
    values = asdict(spec)
    if values["creator_id"] is None:
        if not actor.employee_id:
            raise InvalidValue("Name who sets the tasks", field="creator_id")
        values["creator_id"] = actor.employee_id
    _check_may_name_creator(actor, values["creator_id"])
    with uow:
        if values["timezone"] is None:
            values["timezone"] = uow.organization.current().timezone
        control = CommunicationControl(**values, created_at=now, updated_at=now)
        check_control(uow, control)
        control.next_run_at = next_run(control, now)
        uow.communication_controls.add(control)
        schedule_next_run(uow, control, now=now)
        uow.emit(_event("CommunicationControlCreated", control, now))
        uow.commit()
    return control


def update_control(
    uow: UnitOfWork, control_id: int, changes: dict[str, Any], *, actor: Actor, now: datetime
) -> CommunicationControl:
    """Change the fields in ``changes`` (an admin or the control's creator only); the whole
    definition is checked again. A change of schedule, timezone or ``enabled`` sets the next
    run afresh from now."""
    require_manager(actor)
    if "creator_id" in changes:
        _check_may_name_creator(actor, changes["creator_id"])
    with uow:
        control = uow.communication_controls.get(control_id, for_update=True)
        _check_may_change(actor, control)
        # Checked on a detached copy first, so nothing half-changed is ever flushed.
        draft = replace(control)
        changed = draft.change(changes, now=now)
        if changed:
            check_control(uow, draft)
            control.change(changes, now=now)
            control.schedule = draft.schedule
            if _TIMING & set(changed):
                cancel_next_run(uow, control)
                control.next_run_at = next_run(control, now)
                schedule_next_run(uow, control, now=now)
            uow.flush()
            uow.emit(_event("CommunicationControlChanged", control, now, changed=changed))
            uow.commit()
    return control


def delete_control(uow: UnitOfWork, control_id: int, *, actor: Actor, now: datetime) -> None:
    """Delete the definition and its checks (an admin or the control's creator only); the
    deals and tasks it made stay."""
    require_manager(actor)
    with uow:
        control = uow.communication_controls.get(control_id, for_update=True)
        _check_may_change(actor, control)
        cancel_next_run(uow, control)
        uow.communication_controls.delete(control)
        uow.emit(_event("CommunicationControlDeleted", control, now))
        uow.commit()


def get_control(uow: UnitOfWork, control_id: int, *, actor: Actor) -> CommunicationControl:
    require_manager(actor)
    with uow:
        return uow.communication_controls.get(control_id)


def list_controls(
    uow: UnitOfWork, *, actor: Actor, limit: int, offset: int, enabled: bool | None = None
) -> Page[CommunicationControl]:
    """Controls by id, only the enabled (or disabled) ones when ``enabled`` is given."""
    require_manager(actor)
    with uow:
        return uow.communication_controls.page(
            limit=limit, offset=offset, filters={"enabled": enabled}
        )


def list_checks(
    uow: UnitOfWork,
    control_id: int,
    *,
    actor: Actor,
    limit: int,
    offset: int,
    company_id: int | None = None,
) -> Page[ControlCheck]:
    """What the control did, the latest first; only about ``company_id`` when given."""
    require_manager(actor)
    with uow:
        uow.communication_controls.get(control_id)
        return uow.control_checks.page_of(
            control_id, limit=limit, offset=offset, company_id=company_id
        )


def check_control(uow: UnitOfWork, control: CommunicationControl) -> None:
    """Refuse the definition unless it is sound and what it names exists and fits, naming
    the field (the schedule is kept with single spaces). Inside an open ``uow``."""
    control.check()
    control.schedule = Recurrence(control.schedule, control.timezone).expression
    deal_stage(uow, control)
    creator = uow.employees.get(control.creator_id, field="creator_id")
    if not creator.is_active:
        raise InvalidValue(f"{creator.name} is dismissed", field="creator_id")


def deal_stage(uow: UnitOfWork, control: CommunicationControl) -> Stage:
    """The stage the control's deals open in, refused naming the field unless it is a
    working stage of a deal pipeline. Runs ask again: the pipeline may have changed since
    the control was saved."""
    pipeline = uow.pipelines.get(control.pipeline_id, field="pipeline_id")
    if pipeline.entity_type is not EntityType.DEAL:
        raise InvalidValue(
            f"Pipeline '{pipeline.name}' is a {pipeline.entity_type.value} pipeline; "
            "a control opens deals",
            field="pipeline_id",
        )
    if control.stage_id is None:
        stages = uow.stages.of(control.pipeline_id)
        if not stages:
            raise InvalidValue(f"Pipeline '{pipeline.name}' has no stages", field="pipeline_id")
        stage, where = stages[0], "pipeline_id"
    else:
        stage, where = uow.stages.get(control.stage_id, field="stage_id"), "stage_id"
        if stage.pipeline_id != control.pipeline_id:
            raise StageNotInPipeline(
                f"Stage {stage.id} is not in pipeline {control.pipeline_id}", field="stage_id"
            )
    if stage.is_final:
        # A deal opened closed would never hold the company back: a new one every run.
        raise InvalidValue(
            f"Stage '{stage.name}' is final; a control opens deals in a working stage",
            field=where,
        )
    return stage


def next_run(control: CommunicationControl, now: datetime) -> datetime | None:
    """The first occurrence after ``now``; ``None`` while disabled."""
    if not control.enabled:
        return None
    return Recurrence(control.schedule, control.timezone).next_after(now)


def schedule_next_run(uow: UnitOfWork, control: CommunicationControl, *, now: datetime) -> None:
    """Inside an open ``uow``: the job that runs the control's ``next_run_at`` (none while
    disabled). Keyed by (control, occurrence), so scheduling it twice is a no-op."""
    if control.next_run_at is None:
        return
    assert control.id is not None
    jobs.schedule(
        uow,
        kind=RUN_JOB,
        payload={"control_id": control.id, "occurrence": _iso(control.next_run_at)},
        due_at=control.next_run_at,
        key=run_job_key(control.id, control.next_run_at),
        now=now,
    )


def cancel_next_run(uow: UnitOfWork, control: CommunicationControl) -> None:
    """Inside an open ``uow``: drop the job of the current ``next_run_at`` if it has not
    started (one already claimed finds the occurrence gone and does nothing)."""
    if control.next_run_at is not None and control.id is not None:
        uow.jobs.cancel_pending(run_job_key(control.id, control.next_run_at))


def run_job_key(control_id: int, occurrence: datetime, after: int | None = None) -> str:
    """One job per (control, occurrence); a run's follow-up batch adds the company it
    goes on after."""
    key = f"communication_control:{control_id}:{_iso(occurrence)}"
    return key if after is None else f"{key}:after:{after}"


def require_manager(actor: Actor) -> None:
    """Heads and admins; never external partners."""
    require_client_access(actor)
    actor.require(Role.HEAD)


#: The fields that move the next run.
_TIMING = frozenset({"schedule", "timezone", "enabled"})


def _check_may_change(actor: Actor, control: CommunicationControl) -> None:
    """Only an admin or the control's creator (who sets its tasks) changes or deletes it:
    another head may read and run it, not rewrite what is done in someone else's name."""
    if not actor.is_admin and control.creator_id != actor.employee_id:
        raise Forbidden("Only an admin or the control's creator may change or delete it")


def _check_may_name_creator(actor: Actor, creator_id: int) -> None:
    """As for any task: only an admin sets tasks on someone else's behalf."""
    if creator_id != actor.employee_id and not actor.is_admin:
        raise Forbidden(
            "Only an admin may set the tasks on someone else's behalf", field="creator_id"
        )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _event(type_: str, control: CommunicationControl, now: datetime, **extra: Any) -> DomainEvent:
    assert control.id is not None
    return DomainEvent(
        type=type_,
        entity="communication_control",
        entity_id=control.id,
        occurred_at=now,
        payload={**control.summary(), **extra},
    )
