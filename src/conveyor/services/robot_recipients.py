"""Who a robot's recipients are when it acts: people of the item, holders of a position.

``employees_for`` turns one recipient of a robot's ``to`` (``domain.robot_recipients``)
into employee ids; ``holders`` finds who holds a position, now.
"""

from __future__ import annotations

from collections.abc import Iterable

from conveyor.domain.crm_items import CrmItem
from conveyor.domain.departments import subtree_ids
from conveyor.domain.employees import Employee, EmployeeStatus
from conveyor.domain.robot_recipients import DEPARTMENT, Position, Recipient
from conveyor.services.robot_context import people
from conveyor.storage.unit_of_work import UnitOfWork


def employees_for(uow: UnitOfWork, recipient: Recipient, item: CrmItem) -> list[int]:
    """The employees ``recipient`` stands for on ``item`` (a contact's address word stands
    for none: it is not an employee)."""
    if isinstance(recipient, dict):
        return [e.id for e in holders(uow, Position.of(recipient), item) if e.id is not None]
    if isinstance(recipient, str) and "." in recipient:
        return []
    return people(uow, recipient, item)


def everyone_for(uow: UnitOfWork, recipients: Iterable[Recipient], item: CrmItem) -> list[int]:
    """The employees all of ``recipients`` stand for, each once, in the order named."""
    found: list[int] = []
    for recipient in recipients:
        found += [e for e in employees_for(uow, recipient, item) if e not in found]
    return found


def holders(uow: UnitOfWork, position: Position, item: CrmItem | None = None) -> list[Employee]:
    """The active employees holding ``position``, by id; within the departments of
    ``item``'s responsible and those below them when the position says so (nobody when the
    item has no responsible, or is not given)."""
    if position.within == DEPARTMENT:
        if item is None or item.responsible_id is None:
            return []
        roots = uow.employees.department_ids(item.responsible_id)
        parents = uow.departments.parents()
        departments: set[int] = set()
        for root in roots:
            departments |= subtree_ids(root, parents)
        candidates = uow.employees.in_departments(departments) if departments else []
    else:
        candidates = uow.employees.where(status=EmployeeStatus.ACTIVE)
    found = [e for e in candidates if e.is_active and position.matches(e.position)]
    return sorted(found, key=lambda e: e.id or 0)
