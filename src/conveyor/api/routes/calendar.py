"""/calendar: the company's production calendar and its overrides of the official one."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, status

from conveyor.api.deps import ActorDep, Limit, NowDep, Offset, UowDep
from conveyor.api.render import one, page
from conveyor.api.schemas.common import PageOf
from conveyor.api.schemas.schedules import CalendarYearPublic, OverrideCreate, OverridePublic
from conveyor.services import schedules, working_time
from conveyor.services.working_time import FIRST_YEAR, LAST_YEAR

router = APIRouter(prefix="/calendar", tags=["schedules"])

Year = Annotated[int, Query(ge=FIRST_YEAR, le=LAST_YEAR)]
CountryQuery = Annotated[
    str, Query(min_length=2, max_length=2, description="ISO 3166 two-letter code")
]


@router.get("", response_model=CalendarYearPublic)
def get_year(uow: UowDep, _: ActorDep, year: Year, country: CountryQuery = "RU") -> object:
    """The effective calendar of a year: official days off, transfers and short days,
    with the company's overrides applied."""
    summary, overrides = working_time.calendar_year(uow, year=year, country=country)
    return one(
        CalendarYearPublic,
        summary,
        overrides=[one(OverridePublic, o) for o in overrides],
    )


@router.post("/overrides", status_code=status.HTTP_201_CREATED, response_model=OverridePublic)
def set_override(body: OverrideCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> object:
    command = schedules.SetOverride(**body.model_dump())
    return one(OverridePublic, schedules.set_override(uow, command, actor=actor, now=now))


@router.get("/overrides", response_model=PageOf[OverridePublic])
def list_overrides(
    uow: UowDep,
    _: ActorDep,
    limit: Limit = 50,
    offset: Offset = 0,
    year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
) -> object:
    found = schedules.list_overrides(uow, limit=limit, offset=offset, year=year)
    return page(OverridePublic, found)


@router.get("/overrides/{day}", response_model=OverridePublic)
def get_override(day: date, uow: UowDep, _: ActorDep) -> object:
    return one(OverridePublic, schedules.get_override(uow, day))


@router.delete("/overrides/{day}", status_code=status.HTTP_204_NO_CONTENT)
def remove_override(day: date, uow: UowDep, actor: ActorDep, now: NowDep) -> None:
    schedules.remove_override(uow, day, actor=actor, now=now)
