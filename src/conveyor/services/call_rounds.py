"""Running call distributions: by hand, as the job of a scheduled occurrence, and every one
that is due at once.

A scheduled occurrence is a job (``call_distributions.RUN_JOB``, keyed by distribution and
occurrence) that the job worker runs with ``run_scheduled``; running it schedules the job of
the next occurrence in the same transaction. ``run_due_distributions`` serves every due
distribution directly (catching up without a worker, and the benchmarks); both paths lock the
distribution and record the run under its unique key, so an occurrence runs once whichever
path, and however many workers, get to it.

One run is one transaction: it locks the distribution, records the run under its key
(distribution, occurrence), reads who is on the managers list and who of them is present,
deals companies round-robin (``domain/call_rounds.py``), writes one call task per company
in bulk, moves the cursors and emits ONE ``CallDistributionRan`` event. Nothing of a run
that fails is kept, so the week is not lost: its job is tried again after a backoff.

Cost, whatever the number of companies: a constant number of queries for the managers
(``candidate_snapshots`` reads presence for the whole list at once), one working-time
calendar per distinct (schedule, timezone) among them, then per ``PAGE`` companies one
keyset read and one bulk insert. No mapped object is made per company or task.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from conveyor.domain.actors import Actor
from conveyor.domain.call_distribution_runs import CallDistributionRun, RunTrigger
from conveyor.domain.call_distributions import CallDistribution, render_title
from conveyor.domain.call_rounds import (
    Manager,
    Round,
    SkippedManager,
    SkipReason,
    call_deadline,
    managers_in_order,
)
from conveyor.domain.clients import require_client_access
from conveyor.domain.errors import (
    CalendarNotCovered,
    Conflict,
    ConveyorError,
    NoWorkingTime,
)
from conveyor.domain.tasks import TaskStatus
from conveyor.domain.tokens import Role
from conveyor.engines.recurrence import Recurrence
from conveyor.services.call_distributions import (
    cancel_next_run,
    managers_filter,
    schedule_next_run,
)
from conveyor.services.candidates import candidate_snapshots
from conveyor.services.working_time import EmployeeWorkingTime, check_instant
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = ["PAGE", "run_distribution", "run_due_distributions", "run_scheduled"]

log = logging.getLogger("conveyor.call_distributions")

#: Companies read, and call tasks written, per statement.
PAGE = 5_000


def run_distribution(
    uow: UnitOfWork, distribution_id: int, *, actor: Actor, now: datetime
) -> CallDistributionRun:
    """Run the distribution now, by hand (heads and admins): its occurrence is ``now``.

    Enabled or not, and whatever its schedule: the scheduled runs go on as planned, from
    the cursors this run leaves.
    """
    require_client_access(actor)
    actor.require(Role.HEAD)
    check_instant(now, field="now")
    with uow:
        distribution = uow.call_distributions.get(distribution_id, for_update=True)
        if uow.call_distribution_runs.exists_for(distribution_id, now):
            raise Conflict("The distribution has already run at this moment")
        run = _run(
            uow,
            distribution,
            occurrence=now,
            trigger=RunTrigger.MANUAL,
            actor_id=actor.employee_id or None,
            now=now,
        )
        uow.commit()
    return run


def run_due_distributions(uow: UnitOfWork, *, now: datetime) -> list[CallDistributionRun]:
    """Run every enabled distribution whose next occurrence is at or before ``now``; returns
    the runs made. Idempotent: an occurrence already run is not run again, so any number of
    calls, by any number of workers, give each occurrence one run.

    A distribution that missed several occurrences (the server was down) runs once, for the
    latest of them: a week's calls late are still worth giving, three weeks' at once are
    not. Each distribution runs in its own transaction, and one that fails (logged) leaves
    the others to run; when nothing is due the cost is one indexed read.
    """
    check_instant(now, field="now")
    with uow:
        due = uow.call_distributions.due_ids(now)
    runs = []
    for distribution_id in due:
        try:
            with uow:
                # Locked, then looked at again: another worker may have served it meanwhile.
                distribution = uow.call_distributions.find(distribution_id, for_update=True)
                run = None if distribution is None else _serve_due(uow, distribution, now=now)
                uow.commit()
        except Exception:
            # One broken distribution must not starve the others; it is tried again next
            # tick, and the log says why it failed.
            log.exception("call distribution %s could not run", distribution_id)
            continue
        if run is not None:
            runs.append(run)
    return runs


def run_scheduled(uow: UnitOfWork, payload: dict[str, Any], now: datetime) -> None:
    """The handler of a scheduled occurrence's job, inside the worker's open ``uow``:
    ``payload`` names the distribution and the occurrence the job stands for. Does nothing
    when the distribution is gone, or its next run is no longer that occurrence (the
    schedule changed, it was disabled, or the occurrence was served already)."""
    occurrence = datetime.fromisoformat(payload["occurrence"])
    distribution = uow.call_distributions.find(int(payload["distribution_id"]), for_update=True)
    if distribution is None or distribution.next_run_at != occurrence:
        return
    _serve_due(uow, distribution, now=now)


def _serve_due(
    uow: UnitOfWork, distribution: CallDistribution, *, now: datetime
) -> CallDistributionRun | None:
    """Run the locked ``distribution`` for its latest occurrence if one is due, move its next
    run on and schedule that run's job; ``None`` when nothing was due or the occurrence has
    run already."""
    assert distribution.id is not None
    if distribution.next_run_at is None or distribution.next_run_at > now:
        return None
    recurrence = Recurrence(distribution.schedule, distribution.timezone)
    occurrence = recurrence.latest_until(now)
    cancel_next_run(uow, distribution)
    distribution.next_run_at = recurrence.next_after(now)
    schedule_next_run(uow, distribution, now=now)
    if uow.call_distribution_runs.exists_for(distribution.id, occurrence):
        return None
    return _run(
        uow,
        distribution,
        occurrence=occurrence,
        trigger=RunTrigger.SCHEDULE,
        actor_id=None,
        now=now,
    )


@dataclass(frozen=True, kw_only=True)
class _Plan:
    """Who is dealt to this run and by when their calls are due."""

    round: Round
    deadlines: dict[int, datetime | None]
    skipped: list[SkippedManager]


def _run(
    uow: UnitOfWork,
    distribution: CallDistribution,
    *,
    occurrence: datetime,
    trigger: RunTrigger,
    actor_id: int | None,
    now: datetime,
) -> CallDistributionRun:
    assert distribution.id is not None
    run = uow.call_distribution_runs.add(
        CallDistributionRun(
            distribution_id=distribution.id,
            occurrence=occurrence,
            trigger=trigger,
            actor_id=actor_id,
            ran_at=now,
            company_cursor_before=distribution.company_cursor,
            company_cursor_after=distribution.company_cursor,
            manager_cursor_before=distribution.manager_cursor,
            manager_cursor_after=distribution.manager_cursor,
        )
    )
    try:
        plan = _plan(uow, distribution, now=now)
    except ConveyorError as error:
        # The definition no longer fits the data (a filtered column was dropped, say):
        # recorded and reported, so the scheduler does not retry it every tick.
        run.error = error.message
        log.warning("call distribution %s gave nothing: %s", distribution.id, error.message)
        uow.emit(run.event())
        return run
    given, last_company, wrapped = _give(uow, distribution, plan, now=now)
    run.companies_given = given
    run.given = [
        {
            "employee_id": manager.employee_id,
            "companies": count,
            "deadline": _iso(plan.deadlines.get(manager.employee_id)),
        }
        for manager, count in plan.round.counts(given)
    ]
    run.skipped = [s.to_json() for s in plan.skipped]
    run.wrapped = wrapped
    if last_company is not None:
        distribution.company_cursor = last_company
    distribution.manager_cursor = plan.round.manager_cursor_after(
        given, distribution.manager_cursor
    )
    run.company_cursor_after = distribution.company_cursor
    run.manager_cursor_after = distribution.manager_cursor
    uow.emit(run.event())
    return run


def _plan(uow: UnitOfWork, distribution: CallDistribution, *, now: datetime) -> _Plan:
    """The managers on the list now, those of them present, and their deadlines."""
    where = managers_filter(uow, distribution)
    listed = managers_in_order(
        uow.call_rounds.list_employees(
            distribution.managers_list_id, distribution.employee_column, where
        )
    )
    snapshots = {
        s.employee_id: s
        for s in candidate_snapshots(
            uow,
            [m.employee_id for m in listed],
            now=now,
            in_work_stage_ids=(),
            count_open_tasks=False,
        )
    }
    present: list[Manager] = []
    skipped: list[SkippedManager] = []
    for manager in listed:
        snapshot = snapshots.get(manager.employee_id)
        if snapshot is None:
            continue  # an id that names no employee: no one to give calls to
        if not snapshot.active:
            skipped.append(
                SkippedManager(employee_id=manager.employee_id, reason=SkipReason.DISMISSED)
            )
        elif snapshot.absence is not None:
            skipped.append(
                SkippedManager(
                    employee_id=manager.employee_id,
                    reason=SkipReason.ABSENT,
                    absence_kind=snapshot.absence.kind.value,
                    until=snapshot.absence.until,
                )
            )
        else:
            present.append(manager)
    dealing = Round.deal(
        present,
        per_manager=distribution.per_manager,
        company_cursor=distribution.company_cursor,
        manager_cursor=distribution.manager_cursor,
    )
    deadlines = _deadlines(
        uow, [m.employee_id for m in present], now, distribution.deadline_working_days
    )
    return _Plan(round=dealing, deadlines=deadlines, skipped=skipped)


def _deadlines(
    uow: UnitOfWork, employee_ids: Sequence[int], now: datetime, working_days: int
) -> dict[int, datetime | None]:
    """Each employee's deadline, computed once per distinct (schedule, timezone). ``None``
    when their schedule gives no working time at all."""
    people = uow.workload.staff(set(employee_ids))
    schedules = uow.workload.schedules({p.schedule_id for p in people if p.schedule_id})
    overrides = tuple(uow.calendar_overrides.all())
    by_key: dict[tuple[int | None, str], datetime | None] = {}
    deadlines: dict[int, datetime | None] = {}
    for person in people:
        key = (person.schedule_id, person.timezone)
        if key not in by_key:
            source = EmployeeWorkingTime(
                employee_id=person.id,
                timezone=person.timezone,
                schedule=None if person.schedule_id is None else schedules.get(person.schedule_id),
                overrides=overrides,
            )
            try:
                by_key[key] = call_deadline(source.around(now), now, working_days)
            except (NoWorkingTime, CalendarNotCovered):
                by_key[key] = None
        deadlines[person.id] = by_key[key]
    return deadlines


def _give(
    uow: UnitOfWork, distribution: CallDistribution, plan: _Plan, *, now: datetime
) -> tuple[int, int | None, bool]:
    """Write the call tasks of the round; returns how many companies were given, the last
    company's id and whether the walk went past the end of the companies."""
    dealing = plan.round
    order = dealing.order
    if not order:
        return 0, None, False
    responsible = [m.employee_id for m in order]
    deadlines = [plan.deadlines.get(m.employee_id) for m in order]
    template = distribution.task_title
    shared: dict[str, Any] = {
        "description": distribution.task_description,
        "creator_id": distribution.creator_id,
        "status": TaskStatus.PENDING,
        "requires_acceptance": False,
        "created_at": now,
        "updated_at": now,
        "status_changed_at": now,
    }
    quiet_since = None
    if distribution.quiet_days is not None:
        quiet_since = now - timedelta(days=distribution.quiet_days)
    managers = len(order)
    remaining = dealing.capacity
    given, last, wrapped = 0, None, False
    for index, segment in enumerate(dealing.segments()):
        after = segment.after
        while remaining > 0:
            limit = min(PAGE, remaining)
            page = uow.call_rounds.companies(
                after=after,
                through=segment.through,
                limit=limit,
                responsible_id=distribution.company_responsible_id,
                quiet_since=quiet_since,
            )
            if not page:
                break
            rows = []
            for company_id, name in page:
                slot = given % managers
                rows.append(
                    (render_title(template, name), responsible[slot], deadlines[slot], company_id)
                )
                given += 1
            uow.call_rounds.insert_tasks(shared, rows)
            remaining -= len(page)
            after = last = page[-1][0]
            wrapped = wrapped or index > 0
            if len(page) < limit:
                break
    return given, last, wrapped


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
