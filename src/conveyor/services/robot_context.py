"""What a robot reads and whom it reaches: the item as expression data, the heads of the
responsible's departments, the people an action names.

The context is the assignment rules' (``{<entity>: item, contact, company, responsible}``,
``services.assignment_context``), with one addition: the custom values of the contact and
the company are readable under their codes too (``contact.vip``), as the item's are
(``deal.equipment_type``); an attribute wins over a custom code of the same name.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from conveyor.domain.crm_items import CrmItem
from conveyor.domain.departments import chain_of_heads
from conveyor.domain.robot_params import HEAD, RESPONSIBLE, Person
from conveyor.domain.work_schedules import CalendarOverride
from conveyor.services.assignment_context import item_context
from conveyor.services.working_time import EmployeeWorkingTime, load
from conveyor.storage.unit_of_work import UnitOfWork


def robot_context(
    uow: UnitOfWork, item: CrmItem, names: Collection[str] | None = None
) -> dict[str, Any]:
    """The context of ``item`` with the records ``names`` needs (all when ``None``)."""
    context = item_context(uow, item, names)
    for client in ("contact", "company"):
        record = context.get(client)
        if isinstance(record, Mapping):
            fields = record.get("fields")
            custom = dict(fields) if isinstance(fields, Mapping) else {}
            context[client] = {**custom, **record}
    return context


def heads_of(uow: UnitOfWork, employee_id: int) -> list[int]:
    """The heads to tell about ``employee_id``'s work: for each department they belong to
    (by id), its head, or, when they head it themselves or its head is dismissed, the
    nearest active head above; each head once."""
    memberships = uow.memberships.where(employee_id=employee_id)
    if not memberships:
        return []
    departments = uow.departments.where()
    found: list[int] = []
    for membership in sorted(memberships, key=lambda m: m.department_id):
        for head_id in chain_of_heads(membership.department_id, departments, skip=employee_id):
            head = uow.employees.find(head_id)
            if head is not None and head.is_active:
                if head_id not in found:
                    found.append(head_id)
                break
    return found


def people(uow: UnitOfWork, person: Person, item: CrmItem) -> list[int]:
    """Who ``person`` stands for on ``item``: its responsible, the heads of the
    responsible's departments, or the employee named by id (empty when nobody)."""
    if person == RESPONSIBLE:
        return [] if item.responsible_id is None else [item.responsible_id]
    if person == HEAD:
        return [] if item.responsible_id is None else heads_of(uow, item.responsible_id)
    assert isinstance(person, int)
    return [person]


def working_time_source(uow: UnitOfWork, employee_id: int | None) -> EmployeeWorkingTime:
    """What the working time of ``employee_id`` is made of (inside ``uow``); without an
    employee, the organization's (``domain/organization.py``): its timezone, its default
    schedule and the company's calendar."""
    if employee_id is not None and uow.employees.find(employee_id) is not None:
        return load(uow, employee_id)
    organization = uow.organization.current()
    schedule_id = organization.schedule_id
    overrides: tuple[CalendarOverride, ...] = tuple(uow.calendar_overrides.all())
    return EmployeeWorkingTime(
        employee_id=0,
        timezone=organization.timezone,
        schedule=None if schedule_id is None else uow.schedules.find(schedule_id),
        overrides=overrides,
    )


def names_of(uow: UnitOfWork, employee_ids: Collection[int]) -> str:
    """ "Hanna Head, Lev" for messages about whom an action reached."""
    names = []
    for employee_id in employee_ids:
        employee = uow.employees.find(employee_id)
        names.append(f"#{employee_id}" if employee is None else employee.name)
    return ", ".join(names)
