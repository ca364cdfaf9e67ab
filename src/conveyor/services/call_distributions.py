"""Call distributions: heads and admins define them; runs live in ``services/call_rounds.py``.

Each use case is one transaction. A definition is checked whole on every save: the schedule
and timezone (``engines.recurrence``), the managers list, its employee column and filters,
the creator and the companies' responsible; so a stored distribution was valid when saved.
Saving also sets ``next_run_at``, the next occurrence after now, and schedules its job in the
same transaction (``RUN_JOB``, keyed by distribution and occurrence; ``call_rounds`` runs it
and schedules the next). Changes emit ``CallDistributionCreated``, ``...Changed`` (with the
names changed) and ``...Deleted``.

External partners have no access: distributions hand out the client base.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from conveyor.domain.actors import Actor
from conveyor.domain.call_distribution_runs import CallDistributionRun
from conveyor.domain.call_distributions import (
    DEFAULT_PER_MANAGER,
    DEFAULT_SCHEDULE,
    DEFAULT_TIMEZONE,
    DEFAULT_TITLE,
    CallDistribution,
)
from conveyor.domain.clients import require_client_access
from conveyor.domain.errors import Forbidden, InvalidValue
from conveyor.domain.events import DomainEvent
from conveyor.domain.field_types import FieldType
from conveyor.domain.pages import Page
from conveyor.domain.tokens import Role
from conveyor.engines.recurrence import Recurrence
from conveyor.services import jobs
from conveyor.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class DistributionSpec:
    """Everything a new distribution says; see ``CallDistribution`` for each part.
    ``creator_id`` ``None`` means the one who defines it."""

    name: str
    managers_list_id: int
    schedule: str = DEFAULT_SCHEDULE
    timezone: str = DEFAULT_TIMEZONE
    enabled: bool = True
    employee_column: str = "employee"
    managers_where: dict[str, str] = field(default_factory=dict)
    per_manager: int = DEFAULT_PER_MANAGER
    company_responsible_id: int | None = None
    quiet_days: int | None = None
    task_title: str = DEFAULT_TITLE
    task_description: str = ""
    deadline_working_days: int = 0
    creator_id: int | None = None


def create_distribution(
    uow: UnitOfWork, spec: DistributionSpec, *, actor: Actor, now: datetime
) -> CallDistribution:
    _require_manager(actor)
    values = asdict(spec)
    if values["creator_id"] is None:
        if not actor.employee_id:
            raise InvalidValue("Name who sets the call tasks", field="creator_id")
        values["creator_id"] = actor.employee_id
    _check_may_name_creator(actor, values["creator_id"])
    with uow:
        distribution = CallDistribution(
            **{**values, "managers_where": dict(spec.managers_where)},
            created_at=now,
            updated_at=now,
        )
        check_distribution(uow, distribution)
        distribution.next_run_at = next_run(distribution, now)
        uow.call_distributions.add(distribution)
        schedule_next_run(uow, distribution, now=now)
        uow.emit(_event("CallDistributionCreated", distribution, now))
        uow.commit()
    return distribution


def update_distribution(
    uow: UnitOfWork, distribution_id: int, changes: dict[str, Any], *, actor: Actor, now: datetime
) -> CallDistribution:
    """Change the fields in ``changes``; the whole definition is checked again. A change of
    schedule, timezone or ``enabled`` sets the next run afresh from now; the cursors stay,
    so the rotation goes on where it stopped."""
    _require_manager(actor)
    changes = {k: dict(v) if isinstance(v, dict) else v for k, v in changes.items()}
    if "creator_id" in changes:
        _check_may_name_creator(actor, changes["creator_id"])
    with uow:
        distribution = uow.call_distributions.get(distribution_id, for_update=True)
        # Checked on a detached copy first, so nothing half-changed is ever flushed.
        draft = replace(distribution, managers_where=dict(distribution.managers_where))
        changed = draft.change(changes, now=now)
        if changed:
            check_distribution(uow, draft)
            distribution.change(changes, now=now)
            distribution.schedule = draft.schedule
            if _TIMING & set(changed):
                cancel_next_run(uow, distribution)
                distribution.next_run_at = next_run(distribution, now)
                schedule_next_run(uow, distribution, now=now)
            uow.flush()
            uow.emit(_event("CallDistributionChanged", distribution, now, changed=changed))
            uow.commit()
    return distribution


def delete_distribution(
    uow: UnitOfWork, distribution_id: int, *, actor: Actor, now: datetime
) -> None:
    """Delete the definition and its run records; the call tasks it set stay."""
    _require_manager(actor)
    with uow:
        distribution = uow.call_distributions.get(distribution_id, for_update=True)
        cancel_next_run(uow, distribution)
        uow.call_distributions.delete(distribution)
        uow.emit(_event("CallDistributionDeleted", distribution, now))
        uow.commit()


def get_distribution(uow: UnitOfWork, distribution_id: int, *, actor: Actor) -> CallDistribution:
    _require_manager(actor)
    with uow:
        return uow.call_distributions.get(distribution_id)


def list_distributions(
    uow: UnitOfWork, *, actor: Actor, limit: int, offset: int, enabled: bool | None = None
) -> Page[CallDistribution]:
    """Distributions by id, only the enabled (or disabled) ones when ``enabled`` is given."""
    _require_manager(actor)
    with uow:
        return uow.call_distributions.page(limit=limit, offset=offset, filters={"enabled": enabled})


def list_runs(
    uow: UnitOfWork, distribution_id: int, *, actor: Actor, limit: int, offset: int
) -> Page[CallDistributionRun]:
    """The distribution's runs, the latest occurrence first."""
    _require_manager(actor)
    with uow:
        uow.call_distributions.get(distribution_id)
        return uow.call_distribution_runs.page_of(distribution_id, limit=limit, offset=offset)


def check_distribution(uow: UnitOfWork, distribution: CallDistribution) -> None:
    """Refuse the definition unless it is sound and everything it names exists and fits,
    naming the field (the schedule is kept with single spaces). Inside an open ``uow``."""
    distribution.check()
    distribution.schedule = Recurrence(distribution.schedule, distribution.timezone).expression
    managers_filter(uow, distribution)
    creator = uow.employees.get(distribution.creator_id, field="creator_id")
    if not creator.is_active:
        raise InvalidValue(f"{creator.name} is dismissed", field="creator_id")
    if distribution.company_responsible_id is not None:
        uow.employees.get(distribution.company_responsible_id, field="company_responsible_id")


def next_run(distribution: CallDistribution, now: datetime) -> datetime | None:
    """The first occurrence after ``now``; ``None`` while disabled (nothing is due then, and
    switching back on does not catch up on the weeks missed)."""
    if not distribution.enabled:
        return None
    return Recurrence(distribution.schedule, distribution.timezone).next_after(now)


def schedule_next_run(uow: UnitOfWork, distribution: CallDistribution, *, now: datetime) -> None:
    """Inside an open ``uow``: the job that runs the distribution's ``next_run_at`` (none while
    disabled). Keyed by (distribution, occurrence), so scheduling it twice is a no-op."""
    if distribution.next_run_at is None:
        return
    assert distribution.id is not None
    jobs.schedule(
        uow,
        kind=RUN_JOB,
        payload={
            "distribution_id": distribution.id,
            "occurrence": distribution.next_run_at.astimezone(UTC).isoformat(),
        },
        due_at=distribution.next_run_at,
        key=run_job_key(distribution.id, distribution.next_run_at),
        now=now,
    )


def cancel_next_run(uow: UnitOfWork, distribution: CallDistribution) -> None:
    """Inside an open ``uow``: drop the job of the current ``next_run_at`` if it has not
    started (one already claimed finds the occurrence gone and does nothing)."""
    if distribution.next_run_at is not None and distribution.id is not None:
        uow.jobs.cancel_pending(run_job_key(distribution.id, distribution.next_run_at))


def run_job_key(distribution_id: int, occurrence: datetime) -> str:
    """One job per (distribution, occurrence)."""
    return f"call_distribution:{distribution_id}:{occurrence.astimezone(UTC).isoformat()}"


def managers_filter(uow: UnitOfWork, distribution: CallDistribution) -> dict[str, Any]:
    """The typed ``where`` of the managers list (column code -> JSON value), after checking
    that the list exists and its employee column holds employees. Raises ``NotFound`` or
    ``InvalidValue`` naming the distribution's field at fault."""
    universal = uow.lists.get(distribution.managers_list_id, field="managers_list_id")
    column = universal.column(distribution.employee_column, field="employee_column")
    if column.type is not FieldType.EMPLOYEE:
        raise InvalidValue(
            f"Column '{column.code}' holds {column.type.value} values, not employees",
            field="employee_column",
        )
    wanted = {}
    for code, text in distribution.managers_where.items():
        where = f"managers_where.{code}"
        try:
            wanted[code] = universal.column(code, field=where).parse_filter(text)
        except InvalidValue as error:
            raise InvalidValue(error.message, field=where) from None
    return wanted


#: The job kind that runs a distribution's scheduled occurrence (``call_rounds.run_scheduled``).
RUN_JOB = "call_distribution.run"

#: The fields that move the next run.
_TIMING = frozenset({"schedule", "timezone", "enabled"})


def _check_may_name_creator(actor: Actor, creator_id: int) -> None:
    """As for any task: only an admin sets tasks on someone else's behalf."""
    if creator_id != actor.employee_id and not actor.is_admin:
        raise Forbidden(
            "Only an admin may set the call tasks on someone else's behalf", field="creator_id"
        )


def _require_manager(actor: Actor) -> None:
    require_client_access(actor)
    actor.require(Role.HEAD)


def _event(type_: str, distribution: CallDistribution, now: datetime, **extra: Any) -> DomainEvent:
    assert distribution.id is not None
    return DomainEvent(
        type=type_,
        entity="call_distribution",
        entity_id=distribution.id,
        occurred_at=now,
        payload={**distribution.summary(), **extra},
    )
