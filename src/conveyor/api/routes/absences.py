"""/absences: vacation, sick leave, business trips and other days away."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from conveyor.api import render
from conveyor.api.deps import ActorDep, IdPath, IdQuery, Limit, NowDep, Offset, UowDep
from conveyor.api.render import one
from conveyor.api.schemas.absences import AbsenceCreate, AbsencePublic, AbsenceUpdate, IsoDate
from conveyor.api.schemas.common import PageOf
from conveyor.domain.absences import AbsenceKind
from conveyor.services import absences

router = APIRouter(prefix="/absences", tags=["org"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AbsencePublic)
def register(body: AbsenceCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> AbsencePublic:
    command = absences.RegisterAbsence(**body.model_dump())
    return one(AbsencePublic, absences.register_absence(uow, command, actor=actor, now=now))


@router.get("", response_model=PageOf[AbsencePublic])
def list_(
    uow: UowDep,
    actor: ActorDep,
    limit: Limit = 50,
    offset: Offset = 0,
    employee_id: IdQuery = None,
    kind: AbsenceKind | None = None,
    on: Annotated[IsoDate | None, Query(description="Absences covering this date")] = None,
    first: Annotated[
        IsoDate | None, Query(alias="from", description="Absences ending on or after this date")
    ] = None,
    last: Annotated[
        IsoDate | None, Query(alias="to", description="Absences starting on or before this date")
    ] = None,
) -> PageOf[AbsencePublic]:
    found = absences.list_absences(
        uow,
        limit=limit,
        offset=offset,
        employee_id=employee_id,
        kind=kind,
        on=on,
        first=first,
        last=last,
        actor=actor,
    )
    return render.page(AbsencePublic, found)


@router.get("/{absence_id}", response_model=AbsencePublic)
def get(absence_id: IdPath, uow: UowDep, actor: ActorDep) -> AbsencePublic:
    return one(AbsencePublic, absences.get_absence(uow, absence_id, actor=actor))


@router.patch("/{absence_id}", response_model=AbsencePublic)
def change(
    absence_id: IdPath, body: AbsenceUpdate, uow: UowDep, actor: ActorDep, now: NowDep
) -> AbsencePublic:
    changed = absences.change_absence(uow, absence_id, body.changes(), actor=actor, now=now)
    return one(AbsencePublic, changed)


@router.delete("/{absence_id}", status_code=status.HTTP_204_NO_CONTENT)
def cancel(absence_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> None:
    absences.cancel_absence(uow, absence_id, actor=actor, now=now)
