"""/departments: the org tree."""

from __future__ import annotations

from fastapi import APIRouter, status

from conveyor.api.deps import ActorDep, IdPath, IdQuery, Limit, NowDep, Offset, UowDep
from conveyor.api.render import one, page
from conveyor.api.schemas.common import PageOf
from conveyor.api.schemas.org import DepartmentCreate, DepartmentPublic, DepartmentUpdate
from conveyor.services import org

router = APIRouter(prefix="/departments", tags=["org"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=DepartmentPublic)
def create(body: DepartmentCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> object:
    department = org.create_department(
        uow, org.CreateDepartment(**body.model_dump()), actor=actor, now=now
    )
    return one(DepartmentPublic, department)


@router.get("", response_model=PageOf[DepartmentPublic])
def list_(
    uow: UowDep, _: ActorDep, limit: Limit = 50, offset: Offset = 0, parent_id: IdQuery = None
) -> object:
    found = org.list_departments(uow, limit=limit, offset=offset, parent_id=parent_id)
    return page(DepartmentPublic, found)


@router.get("/{department_id}", response_model=DepartmentPublic)
def get(department_id: IdPath, uow: UowDep, _: ActorDep) -> object:
    return one(DepartmentPublic, org.get_department(uow, department_id))


@router.patch("/{department_id}", response_model=DepartmentPublic)
def update(
    department_id: IdPath, body: DepartmentUpdate, uow: UowDep, actor: ActorDep, now: NowDep
) -> object:
    department = org.update_department(uow, department_id, body.changes(), actor=actor, now=now)
    return one(DepartmentPublic, department)


@router.delete("/{department_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete(department_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> None:
    org.delete_department(uow, department_id, actor=actor, now=now)
