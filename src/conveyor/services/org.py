"""Departments, employees and memberships."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from conveyor.domain.actors import Actor
from conveyor.domain.departments import Department, check_parent
from conveyor.domain.employees import Employee, Membership, check_timezone, normalize_skills
from conveyor.domain.errors import Conflict, InvalidValue
from conveyor.domain.events import DomainEvent
from conveyor.domain.languages import DEFAULT_LANGUAGE, Language
from conveyor.domain.pages import Page
from conveyor.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class CreateDepartment:
    name: str
    parent_id: int | None = None
    head_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class CreateEmployee:
    name: str
    email: str | None = None
    position: str | None = None
    timezone: str = "Europe/Moscow"
    is_external: bool = False
    skills: list[str] = field(default_factory=list)
    schedule_id: int | None = None
    department_ids: list[int] = field(default_factory=list)
    phone: str | None = None
    language: Language = DEFAULT_LANGUAGE


def create_department(
    uow: UnitOfWork, command: CreateDepartment, *, actor: Actor, now: datetime
) -> Department:
    actor.require_admin()
    with uow:
        if command.parent_id is not None:
            uow.departments.get(command.parent_id, field="parent_id")
        if command.head_id is not None:
            _active_employee(uow, command.head_id, field="head_id")
        department = uow.departments.add(
            Department(name=command.name, parent_id=command.parent_id, head_id=command.head_id)
        )
        uow.emit(_event("DepartmentCreated", department, now, name=department.name))
        uow.commit()
    return department


def update_department(
    uow: UnitOfWork, department_id: int, changes: dict[str, object], *, actor: Actor, now: datetime
) -> Department:
    """Change name, parent or head; ``changes`` holds only the fields given."""
    actor.require_admin()
    with uow:
        department = uow.departments.get(department_id)
        if "parent_id" in changes:
            parent_id = changes["parent_id"]
            assert parent_id is None or isinstance(parent_id, int)
            if parent_id is not None:
                uow.departments.get(parent_id, field="parent_id")
            check_parent(department_id, parent_id, uow.departments.parents())
            department.parent_id = parent_id
        if "head_id" in changes:
            head_id = changes["head_id"]
            assert head_id is None or isinstance(head_id, int)
            if head_id is not None:
                _active_employee(uow, head_id, field="head_id")
            department.head_id = head_id
        if "name" in changes:
            department.name = str(changes["name"])
        uow.emit(_event("DepartmentChanged", department, now, changed=sorted(changes)))
        uow.commit()
    return department


def delete_department(uow: UnitOfWork, department_id: int, *, actor: Actor, now: datetime) -> None:
    actor.require_admin()
    with uow:
        department = uow.departments.get(department_id)
        if uow.departments.where(parent_id=department_id):
            raise Conflict("The department has sub-departments; move or delete them first")
        uow.departments.delete(department)
        uow.emit(_event("DepartmentDeleted", department, now))
        uow.commit()


def list_departments(
    uow: UnitOfWork, *, limit: int, offset: int, parent_id: int | None = None
) -> Page[Department]:
    with uow:
        return uow.departments.page(limit=limit, offset=offset, filters={"parent_id": parent_id})


def get_department(uow: UnitOfWork, department_id: int) -> Department:
    with uow:
        return uow.departments.get(department_id)


def create_employee(
    uow: UnitOfWork, command: CreateEmployee, *, actor: Actor, now: datetime
) -> tuple[Employee, list[int]]:
    actor.require_admin()
    with uow:
        if command.schedule_id is not None:
            uow.schedules.get(command.schedule_id, field="schedule_id")
        employee = uow.employees.add(
            Employee(
                name=command.name,
                email=command.email,
                position=command.position,
                timezone=check_timezone(command.timezone),
                is_external=command.is_external,
                skills=normalize_skills(command.skills),
                schedule_id=command.schedule_id,
                created_at=now,
                phone=command.phone,
                language=Language(command.language),
            )
        )
        department_ids = _set_memberships(uow, _id(employee), command.department_ids)
        uow.emit(
            _event("EmployeeHired", employee, now, name=employee.name, departments=department_ids)
        )
        uow.commit()
    return employee, department_ids


def update_employee(
    uow: UnitOfWork, employee_id: int, changes: dict[str, object], *, actor: Actor, now: datetime
) -> tuple[Employee, list[int]]:
    """Change an employee's fields, memberships, or status (dismiss / rehire)."""
    actor.require_admin()
    with uow:
        employee = uow.employees.get(employee_id)
        for name in ("name", "email", "position", "is_external", "phone"):
            if name in changes:
                setattr(employee, name, changes[name])
        if "language" in changes:
            employee.language = Language(str(changes["language"]))
        if "timezone" in changes:
            employee.timezone = check_timezone(str(changes["timezone"]))
        if "skills" in changes:
            skills = changes["skills"]
            assert isinstance(skills, list)
            employee.skills = normalize_skills(skills)
        if "schedule_id" in changes:
            schedule_id = changes["schedule_id"]
            assert schedule_id is None or isinstance(schedule_id, int)
            if schedule_id is not None:
                uow.schedules.get(schedule_id, field="schedule_id")
            employee.schedule_id = schedule_id
        if "status" in changes:
            if changes["status"] == "dismissed" and employee.is_active:
                employee.dismiss(now=now)
            elif changes["status"] == "active" and not employee.is_active:
                employee.rehire()
        if "department_ids" in changes:
            ids = changes["department_ids"]
            assert isinstance(ids, list)
            department_ids = _set_memberships(uow, employee_id, ids)
        else:
            department_ids = uow.employees.department_ids(employee_id)
        uow.emit(_event("EmployeeChanged", employee, now, changed=sorted(changes)))
        uow.commit()
    return employee, department_ids


def get_employee(uow: UnitOfWork, employee_id: int) -> tuple[Employee, list[int]]:
    with uow:
        return uow.employees.get(employee_id), uow.employees.department_ids(employee_id)


def list_employees(
    uow: UnitOfWork,
    *,
    limit: int,
    offset: int,
    status: str | None = None,
    is_external: bool | None = None,
    department_id: int | None = None,
) -> Page[tuple[Employee, list[int]]]:
    with uow:
        page = uow.employees.page_in(
            limit=limit,
            offset=offset,
            filters={"status": status, "is_external": is_external},
            department_id=department_id,
        )
        items = [(e, uow.employees.department_ids(_id(e))) for e in page.items]
    return Page(items=items, total=page.total, limit=page.limit, offset=page.offset)


def _set_memberships(uow: UnitOfWork, employee_id: int, department_ids: list[int]) -> list[int]:
    wanted = list(dict.fromkeys(department_ids))
    for index, department_id in enumerate(wanted):
        uow.departments.get(department_id, field=f"department_ids.{index}")
    current = {m.department_id: m for m in uow.memberships.where(employee_id=employee_id)}
    for department_id, membership in current.items():
        if department_id not in wanted:
            uow.memberships.delete(membership)
    for department_id in wanted:
        if department_id not in current:
            uow.memberships.add(Membership(employee_id=employee_id, department_id=department_id))
    return sorted(wanted)


def _active_employee(uow: UnitOfWork, employee_id: int, *, field: str) -> Employee:
    employee = uow.employees.get(employee_id, field=field)
    if not employee.is_active:
        raise InvalidValue(f"Employee {employee_id} is dismissed", field=field)
    return employee


def _id(obj: Department | Employee) -> int:
    assert obj.id is not None
    return obj.id


def _event(kind: str, obj: Department | Employee, now: datetime, **payload: object) -> DomainEvent:
    entity = "department" if isinstance(obj, Department) else "employee"
    return DomainEvent(
        type=kind, entity=entity, entity_id=_id(obj), occurred_at=now, payload=payload
    )
