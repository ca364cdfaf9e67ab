"""/employees: staff and external partners."""

from __future__ import annotations

from fastapi import APIRouter, status

from conveyor.api import render
from conveyor.api.deps import ActorDep, IdPath, IdQuery, Limit, NowDep, Offset, UowDep
from conveyor.api.render import one
from conveyor.api.schemas.common import PageOf
from conveyor.api.schemas.org import EmployeeCreate, EmployeePublic, EmployeeUpdate
from conveyor.domain.employees import Employee, EmployeeStatus
from conveyor.services import org

router = APIRouter(prefix="/employees", tags=["org"])


def _public(pair: tuple[Employee, list[int]]) -> EmployeePublic:
    employee, department_ids = pair
    return one(EmployeePublic, employee, department_ids=department_ids)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=EmployeePublic)
def create(body: EmployeeCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> EmployeePublic:
    command = org.CreateEmployee(**body.model_dump())
    return _public(org.create_employee(uow, command, actor=actor, now=now))


@router.get("", response_model=PageOf[EmployeePublic])
def list_(
    uow: UowDep,
    _: ActorDep,
    limit: Limit = 50,
    offset: Offset = 0,
    status: EmployeeStatus | None = None,
    is_external: bool | None = None,
    department_id: IdQuery = None,
) -> PageOf[EmployeePublic]:
    found = org.list_employees(
        uow,
        limit=limit,
        offset=offset,
        status=status,
        is_external=is_external,
        department_id=department_id,
    )
    return render.page(EmployeePublic, found, _public)


@router.get("/{employee_id}", response_model=EmployeePublic)
def get(employee_id: IdPath, uow: UowDep, _: ActorDep) -> EmployeePublic:
    return _public(org.get_employee(uow, employee_id))


@router.patch("/{employee_id}", response_model=EmployeePublic)
def update(
    employee_id: IdPath, body: EmployeeUpdate, uow: UowDep, actor: ActorDep, now: NowDep
) -> EmployeePublic:
    return _public(org.update_employee(uow, employee_id, body.changes(), actor=actor, now=now))
