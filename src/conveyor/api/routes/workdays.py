"""Day status: /employees/{id}/workday (the time clock), /workdays, and presence."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from conveyor.api import render
from conveyor.api.deps import ActorDep, IdPath, Limit, NowDep, Offset, UowDep
from conveyor.api.render import one
from conveyor.api.schemas.absences import IsoDate
from conveyor.api.schemas.common import PageOf
from conveyor.api.schemas.workdays import (
    PresencePublic,
    WorkdayActionIn,
    WorkdayEntryPublic,
    WorkdayPublic,
)
from conveyor.domain.workdays import DayState
from conveyor.services import presence, workdays

router = APIRouter(tags=["day status"])


@router.post("/employees/{employee_id}/workday", response_model=WorkdayPublic)
def act(
    employee_id: IdPath, body: WorkdayActionIn, uow: UowDep, actor: ActorDep, now: NowDep
) -> WorkdayPublic:
    """Open, pause, resume or close the employee's working day (themselves, or an admin).

    A day left open from a previous date is the one paused or closed; opening a new day
    while it runs is refused (409) until it is closed.
    """
    changed = workdays.change_workday(uow, employee_id, body.action, actor=actor, now=now)
    return one(WorkdayPublic, changed)


@router.get("/employees/{employee_id}/workday", response_model=WorkdayPublic)
def current(employee_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> WorkdayPublic:
    """The day still running, else today's on the employee's local date."""
    found = workdays.current_workday(uow, employee_id, now=now, actor=actor)
    return one(WorkdayPublic, found)


@router.get("/employees/{employee_id}/workday/history", response_model=list[WorkdayEntryPublic])
def history(
    employee_id: IdPath, uow: UowDep, actor: ActorDep, limit: Limit = 50
) -> list[WorkdayEntryPublic]:
    """Time-clock entries, newest first."""
    entries = workdays.workday_history(uow, employee_id, limit=limit, actor=actor)
    return [one(WorkdayEntryPublic, e) for e in entries]


@router.get("/workdays", response_model=PageOf[WorkdayPublic])
def on_day(
    uow: UowDep,
    actor: ActorDep,
    day: Annotated[IsoDate, Query(description="A local calendar date")],
    state: DayState | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PageOf[WorkdayPublic]:
    """Everyone's working day on ``day``; who never opened that day is not listed."""
    found = workdays.list_workdays(
        uow, day=day, state=state, limit=limit, offset=offset, actor=actor
    )
    return render.page(WorkdayPublic, found)


@router.get("/employees/{employee_id}/presence", response_model=PresencePublic)
def presence_at(
    employee_id: IdPath,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
    at: Annotated[
        AwareDatetime | None, Query(description="An ISO datetime with offset; default: now")
    ] = None,
) -> PresencePublic:
    """Is the employee present at ``at``: not when dismissed or away on an absence."""
    found = presence.presence_of(uow, employee_id, at=at or now, actor=actor)
    return one(PresencePublic, found)
