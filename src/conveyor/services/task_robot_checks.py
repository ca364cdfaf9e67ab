"""What a task robot reads and refers to: its condition and templates, compiled once, the
task as their data, and the people and department it names, checked on save.

The condition is the task rules' language, compiled by the same checker
(``distribution_rule_checks.check_expression`` for ``task``), so an expression refused for
a task rule is refused here with the same words: it reads ``task``, ``responsible`` and
``company`` (``contact`` is always empty for a task). Texts are templates over ``task``,
``responsible``, ``creator`` and ``company``.

``task`` is the task's plain values (title, status, responsible_id, creator_id,
requires_acceptance, item_id, company_id...) and three more: ``overdue`` (at the moment the
robot acts), ``co_executor_ids`` and ``deadline``, the deadline as the responsible reads it
("2026-03-04 18:00 MSK", ``None`` without one).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from functools import lru_cache
from typing import Any

from conveyor.domain.distribution_rules import RuleEntity
from conveyor.domain.task_reminders import moment_text
from conveyor.domain.task_robot_params import TEMPLATES, people_named
from conveyor.domain.task_robots import TaskRobot
from conveyor.domain.tasks import MemberRole, Task
from conveyor.engines.automation import Template, compile_template
from conveyor.engines.expressions import Expression
from conveyor.services.assignment_context import employee_record, plain_record
from conveyor.services.distribution_rule_checks import check_expression
from conveyor.services.references import active_employee
from conveyor.storage.unit_of_work import UnitOfWork

#: The records a task robot's texts may read.
TEMPLATE_NAMES = frozenset({"task", "responsible", "creator", "company"})


def check_task_robot(uow: UnitOfWork, robot: TaskRobot) -> None:
    """Refuse the robot unless it is valid and everything it names exists and fits (inside
    ``uow``), naming the field at fault (``action.to.1``, ``department_id``, ``condition``
    with the line and column...)."""
    robot.check()
    if robot.department_id is not None:
        uow.departments.get(robot.department_id, field="department_id")
    if robot.condition is not None:
        condition(robot.condition)
    for name in TEMPLATES.get(robot.action, ()):
        template(robot.params[name], f"action.{name}")
    for index, person in enumerate(people_named(robot.params)):
        if isinstance(person, int):
            where = (
                "action.to" if not isinstance(robot.params["to"], list) else f"action.to.{index}"
            )
            active_employee(uow, person, field=where)
    named = robot.params.get("employee_id")
    if isinstance(named, int):
        active_employee(uow, named, field="action.employee_id")


@lru_cache(maxsize=512)
def condition(text: str) -> Expression:
    """A task robot's condition, compiled once per process (``InvalidExpression`` naming
    ``condition`` and the position)."""
    return check_expression(text, RuleEntity.TASK, field="condition")


@lru_cache(maxsize=1024)
def template(text: str, field: str) -> Template:
    """A task robot's text template, compiled once per process."""
    return compile_template(text, names=TEMPLATE_NAMES, field=field)


def names_read(robot: TaskRobot) -> frozenset[str]:
    """The records the robot's condition and templates read."""
    names: set[str] = set()
    if robot.condition is not None:
        names |= condition(robot.condition).names
    for name in TEMPLATES.get(robot.action, ()):
        names |= template(robot.params[name], f"action.{name}").names
    return frozenset(names)


def task_context(
    uow: UnitOfWork, task: Task, names: Collection[str], *, now: datetime
) -> dict[str, Any]:
    """The data the robot's condition and templates read (``names``: the records they
    need; ``task`` always)."""
    assert task.id is not None
    responsible = uow.employees.find(task.responsible_id)
    timezone = responsible.timezone if responsible is not None else "UTC"
    record = plain_record(task)
    record.update(
        overdue=task.is_overdue(now),
        co_executor_ids=sorted(uow.tasks.member_ids(task.id, MemberRole.CO_EXECUTOR)),
        deadline=None if task.deadline is None else moment_text(task.deadline, timezone),
    )
    context: dict[str, Any] = {"task": record, "contact": None}
    if "responsible" in names:
        context["responsible"] = None if responsible is None else employee_record(responsible)
    if "creator" in names:
        creator = uow.employees.find(task.creator_id)
        context["creator"] = None if creator is None else employee_record(creator)
    if "company" in names:
        company = None if task.company_id is None else uow.companies.find(task.company_id)
        context["company"] = None if company is None else plain_record(company)
    return context
