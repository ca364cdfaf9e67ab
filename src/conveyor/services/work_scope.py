"""Whose work a page shows by default: an employee their own, a head their departments'
(with everything below them, and what nobody holds yet), an admin everyone's.

This narrows what the pages show; it is not a permission: what a role may open and change
is decided by the services (``crm_items.visible_query`` and the like).
"""

from __future__ import annotations

from dataclasses import dataclass

from conveyor.domain.actors import Actor
from conveyor.domain.departments import subtree_ids
from conveyor.domain.tokens import Role
from conveyor.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class WorkScope:
    #: ``None``: everyone's work.
    employee_ids: frozenset[int] | None
    #: Also the items nobody is responsible for yet.
    unassigned: bool


EVERYONE = WorkScope(employee_ids=None, unassigned=True)


def work_scope(uow: UnitOfWork, actor: Actor) -> WorkScope:
    if actor.is_admin:
        return EVERYONE
    if actor.role is not Role.HEAD or actor.is_external:
        return WorkScope(employee_ids=frozenset({actor.employee_id}), unassigned=False)
    with uow:
        parents = uow.departments.parents()
        headed: set[int] = set()
        for root in uow.workload_board.headed_by(actor.employee_id):
            headed |= subtree_ids(root, parents)
        members = uow.workload.members_of(headed) if headed else set()
    return WorkScope(employee_ids=frozenset(members | {actor.employee_id}), unassigned=True)
