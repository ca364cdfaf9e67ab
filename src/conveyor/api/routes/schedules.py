"""/schedules: named weekly hours (or shift rotations) that employees follow."""

from __future__ import annotations

from fastapi import APIRouter, status

from conveyor.api.deps import ActorDep, IdPath, Limit, NowDep, Offset, UowDep
from conveyor.api.render import one, page
from conveyor.api.schemas.common import PageOf
from conveyor.api.schemas.schedules import ScheduleCreate, SchedulePublic, ScheduleUpdate
from conveyor.services import schedules

router = APIRouter(prefix="/schedules", tags=["schedules"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SchedulePublic)
def create(body: ScheduleCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> object:
    command = schedules.CreateSchedule(**body.model_dump(mode="json"))
    return one(SchedulePublic, schedules.create_schedule(uow, command, actor=actor, now=now))


@router.get("", response_model=PageOf[SchedulePublic])
def list_(uow: UowDep, _: ActorDep, limit: Limit = 50, offset: Offset = 0) -> object:
    return page(SchedulePublic, schedules.list_schedules(uow, limit=limit, offset=offset))


@router.get("/{schedule_id}", response_model=SchedulePublic)
def get(schedule_id: IdPath, uow: UowDep, _: ActorDep) -> object:
    return one(SchedulePublic, schedules.get_schedule(uow, schedule_id))


@router.patch("/{schedule_id}", response_model=SchedulePublic)
def update(
    schedule_id: IdPath, body: ScheduleUpdate, uow: UowDep, actor: ActorDep, now: NowDep
) -> object:
    changes = body.model_dump(mode="json", exclude_unset=True)
    schedule = schedules.update_schedule(uow, schedule_id, changes, actor=actor, now=now)
    return one(SchedulePublic, schedule)


@router.delete("/{schedule_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete(schedule_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> None:
    schedules.delete_schedule(uow, schedule_id, actor=actor, now=now)
