"""Who may keep which task robot: admins any; a head only those of their own departments.

A task robot hands tasks over, moves their deadlines and adds people to them, for every
task of its scope. So:

- a robot for the whole company (no ``department_id``) is kept by admins only;
- a head (not an admin) keeps robots only for a department they head or one below it,
  and a change may not take a robot out of those (``department_id``);
- only an admin names external partners by id as people the robot tells, hands tasks
  to, or adds (``action.to.<n>``, ``action.employee_id``): a head could otherwise open
  their departments' tasks to someone outside the company.

Refusals are ``Forbidden`` naming the field at fault. Runs inside the caller's unit of
work; never commits.
"""

from __future__ import annotations

from conveyor.domain.actors import Actor
from conveyor.domain.departments import subtree_ids
from conveyor.domain.errors import Forbidden
from conveyor.domain.task_robot_params import people_named
from conveyor.domain.task_robots import TaskRobot
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = ["check_may_keep", "check_people"]


def check_may_keep(uow: UnitOfWork, robot: TaskRobot, actor: Actor) -> None:
    """Refuse unless ``actor`` may create, change or delete ``robot`` as its scope is."""
    if actor.is_admin:
        return
    if robot.department_id is None:
        raise Forbidden(
            "Only an admin keeps a task robot for the whole company: name a department you head",
            field="department_id",
        )
    parents = uow.departments.parents()
    own: set[int] = set()
    for root in uow.workload_board.headed_by(actor.employee_id):
        own |= subtree_ids(root, parents)
    if robot.department_id not in own:
        raise Forbidden(
            "A head keeps task robots only for the departments they head and those below them",
            field="department_id",
        )


def check_people(uow: UnitOfWork, robot: TaskRobot, actor: Actor) -> None:
    """Refuse unless ``actor`` may name each employee the robot names by id."""
    if actor.is_admin:
        return
    to = robot.params.get("to")
    named = [
        (person, "action.to" if not isinstance(to, list) else f"action.to.{index}")
        for index, person in enumerate(people_named(robot.params))
    ]
    employee_id = robot.params.get("employee_id")
    if employee_id is not None:
        named.append((employee_id, "action.employee_id"))
    for person, field in named:
        if not isinstance(person, int) or isinstance(person, bool):
            continue
        employee = uow.employees.find(person)
        if employee is not None and employee.is_external:
            raise Forbidden(
                f"Only an admin names an external partner (employee {person}) in a task robot",
                field=field,
            )
