"""The seed's material chain at the service level: who pays for the material and who
accepts it, for task robot tests.

A company with a head office (Olga, the director) above two departments: Accounting, headed
by Clara (chief accountant), with Anna (accountant); the Warehouse, headed by Wanda, with
the storekeepers Sam and Stas. Peter, a purchaser in the head office, sets the tasks. The
job worker is driven by the fake clock (``robot_office.run_worker``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.robots import Timing
from conveyor.domain.task_robot_params import TaskActionKind
from conveyor.domain.task_robot_runs import TaskRobotRun
from conveyor.domain.task_robots import TaskRobot
from conveyor.domain.tasks import TaskAction, TaskStatus
from conveyor.domain.tokens import Role
from conveyor.services import org, task_robots, tasks
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock

CHIEF_ACCOUNTANT = {"position": "Chief accountant"}


@dataclass(frozen=True, kw_only=True)
class Company:
    head_office: int
    accounting: int
    warehouse: int
    olga: int
    peter: int
    clara: int
    anna: int
    wanda: int
    sam: int
    stas: int

    def as_(self, employee_id: int, role: Role = Role.EMPLOYEE) -> Actor:
        return Actor(employee_id=employee_id, role=role)


def material_company(uow: UnitOfWork, clock: FakeClock) -> Company:
    now = clock()

    def department(name: str, parent_id: int | None = None) -> int:
        made = org.create_department(
            uow, org.CreateDepartment(name=name, parent_id=parent_id), actor=SYSTEM, now=now
        )
        assert made.id is not None
        return made.id

    def hire(name: str, position: str, department_id: int) -> int:
        employee, _ = org.create_employee(
            uow,
            org.CreateEmployee(name=name, position=position, department_ids=[department_id]),
            actor=SYSTEM,
            now=now,
        )
        assert employee.id is not None
        return employee.id

    head_office = department("Head office")
    accounting = department("Accounting", head_office)
    warehouse = department("Warehouse", head_office)
    people = {
        "olga": hire("Olga Director", "Director", head_office),
        "peter": hire("Peter Purchaser", "Purchaser", head_office),
        "clara": hire("Clara Chief", "Chief accountant", accounting),
        "anna": hire("Anna Accountant", "Accountant", accounting),
        "wanda": hire("Wanda Warehouse", "Head of the warehouse", warehouse),
        "sam": hire("Sam Storekeeper", "Storekeeper", warehouse),
        "stas": hire("Stas Storekeeper", "Storekeeper", warehouse),
    }
    for department_id, head in (
        (head_office, "olga"),
        (accounting, "clara"),
        (warehouse, "wanda"),
    ):
        org.update_department(uow, department_id, {"head_id": people[head]}, actor=SYSTEM, now=now)
    return Company(head_office=head_office, accounting=accounting, warehouse=warehouse, **people)


def task_robot(
    uow: UnitOfWork,
    clock: FakeClock,
    status: TaskStatus,
    action: TaskActionKind,
    params: dict[str, Any],
    *,
    timing: Timing | None = None,
    name: str = "Robot",
    **fields: Any,
) -> TaskRobot:
    spec = task_robots.TaskRobotSpec(
        name=name,
        status=status,
        action=action,
        params=params,
        timing=timing or Timing(),
        **fields,
    )
    return task_robots.create_task_robot(uow, spec, actor=SYSTEM, now=clock())


def set_task(
    uow: UnitOfWork,
    clock: FakeClock,
    by: int,
    to: int,
    title: str,
    *,
    deadline: datetime | None = None,
    **fields: Any,
) -> int:
    command = tasks.CreateTask(title=title, responsible_id=to, deadline=deadline, **fields)
    view = tasks.create_task(uow, command, actor=Actor(employee_id=by, role=Role.HEAD), now=clock())
    assert view.task.id is not None
    return view.task.id


def act(uow: UnitOfWork, clock: FakeClock, task_id: int, action: TaskAction, by: int) -> None:
    actor = Actor(employee_id=by, role=Role.EMPLOYEE)
    tasks.act_on_task(uow, task_id, action, actor=actor, now=clock())


def task_runs(uow: UnitOfWork, task_id: int) -> list[TaskRobotRun]:
    with uow:
        return uow.task_robot_runs.of_task(task_id)
