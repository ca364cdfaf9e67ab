"""/employees/{id}/working-time: is an employee at work, deadlines, working hours.

Datetimes must carry an offset (`2026-03-02T09:00:00+03:00` or `...Z`); encode
`+` as `%2B` in a query string. Answers come in the offset of the moment given.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from conveyor.api.deps import ActorDep, IdPath, UowDep
from conveyor.api.render import one
from conveyor.api.schemas.schedules import DeadlinePublic, WorkingHoursPublic, WorkingStatePublic
from conveyor.services import working_time

router = APIRouter(prefix="/employees", tags=["working time"])

Moment = Annotated[AwareDatetime, Query(description="With an offset, e.g. 2026-03-02T09:00Z")]
MAX_DAYS, MAX_HOURS = 3650, 100_000


@router.get("/{employee_id}/working-time", response_model=WorkingStatePublic)
def state(employee_id: IdPath, at: Moment, uow: UowDep, _: ActorDep) -> object:
    """Whether the employee is working `at` on their schedule, timezone and calendar."""
    return one(WorkingStatePublic, working_time.working_state(uow, employee_id, at=at))


@router.get("/{employee_id}/working-time/deadline", response_model=DeadlinePublic)
def deadline(
    employee_id: IdPath,
    start: Moment,
    uow: UowDep,
    _: ActorDep,
    days: Annotated[int | None, Query(ge=0, le=MAX_DAYS)] = None,
    hours: Annotated[float | None, Query(ge=0, le=MAX_HOURS, allow_inf_nan=False)] = None,
) -> object:
    """The moment `days` working days or `hours` working hours after `start` (give one)."""
    moment = working_time.deadline(uow, employee_id, start=start, days=days, hours=hours)
    return DeadlinePublic(
        employee_id=employee_id, start=start, days=days, hours=hours, deadline=moment
    )


@router.get("/{employee_id}/working-time/between", response_model=WorkingHoursPublic)
def between(
    employee_id: IdPath,
    start: Annotated[AwareDatetime, Query(alias="from")],
    end: Annotated[AwareDatetime, Query(alias="to")],
    uow: UowDep,
    _: ActorDep,
) -> object:
    """Working time in [from, to); negative when `to` is before `from`."""
    worked = working_time.working_hours_between(uow, employee_id, start=start, end=end)
    seconds = worked.total_seconds()
    return WorkingHoursPublic(
        employee_id=employee_id, from_=start, to=end, hours=seconds / 3600, seconds=round(seconds)
    )
