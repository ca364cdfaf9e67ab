"""Which tasks a person may see, for views that name tasks other than the one asked for.

The rule is ``tasks._visible``'s: admins and heads see every task; anyone else the tasks
they created, are responsible for, or help with or observe (members). A view that shows a
task's neighbours (its dependencies, a notice naming the predecessor that moved it) shows
only those its reader may see, so that a task's existence and title do not leak.

Runs inside the caller's unit of work; never commits.
"""

from __future__ import annotations

from collections.abc import Collection

from conveyor.domain.actors import Actor
from conveyor.domain.tokens import Role
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = ["seen_by", "seen_by_employee"]

#: The roles that see every task.
SEE_ALL = frozenset({Role.ADMIN, Role.HEAD})


def seen_by(uow: UnitOfWork, task_ids: Collection[int], actor: Actor) -> set[int]:
    """Those of ``task_ids`` the acting ``actor`` may see."""
    if actor.is_admin or actor.role in SEE_ALL:
        return set(task_ids)
    return uow.tasks.involving(task_ids, actor.employee_id)


def seen_by_employee(uow: UnitOfWork, task_ids: Collection[int], employee_id: int) -> set[int]:
    """Those of ``task_ids`` the employee may see, in the role of any token they hold (a
    notice is read by the person, whichever token they read it with)."""
    if uow.tokens.roles_of(employee_id) & SEE_ALL:
        return set(task_ids)
    return uow.tasks.involving(task_ids, employee_id)
