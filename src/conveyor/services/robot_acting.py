"""What every robot action gets and gives back.

An action is ``action(act: ActionContext) -> Done``: it runs INSIDE the unit of work of the
run (the move that made the item enter the stage, or the job worker's transaction for a
delayed run), never commits, first checks everything it needs and only then changes
anything, and refuses with a ``ConveyorError`` (``ActionRefused`` when there is simply
nobody or nothing to act on). The caller rolls its savepoint back and records the run as
``failed`` with the reason: nothing of a refused action is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from conveyor.domain.crm_items import CrmItem
from conveyor.domain.errors import ConveyorError
from conveyor.domain.robot_params import MAX_TEXT
from conveyor.domain.robots import Robot
from conveyor.services.robot_checks import template
from conveyor.services.robot_context import people
from conveyor.storage.unit_of_work import UnitOfWork


class ActionRefused(ConveyorError):
    """The robot had nobody or nothing to act on."""


@dataclass(frozen=True, kw_only=True)
class Done:
    """What an action did: in words, as data for the run, and whether the item moved."""

    detail: str
    data: dict[str, Any] = field(default_factory=dict)
    moved: bool = False


@dataclass(frozen=True, kw_only=True)
class ActionContext:
    """One run's action about to be carried out: the robot as it is now, its item, what its
    templates read (``robot_context``), and where the run stands."""

    uow: UnitOfWork
    robot: Robot
    item: CrmItem
    context: Mapping[str, Any]
    run_id: int
    now: datetime
    #: The automatic steps (robots' moves, items they created) that led to this run's
    #: entry: what the cascade limit counts.
    depth: int = 0

    @property
    def params(self) -> dict[str, Any]:
        return self.robot.params

    @property
    def item_id(self) -> int:
        assert self.item.id is not None
        return self.item.id

    def render(self, name: str, *, limit: int = MAX_TEXT) -> str:
        """The parameter ``name``, a template, rendered with the item's values."""
        return render(self.robot, name, self.context, limit=limit)

    def one(self, person: object, role: str) -> int:
        """The one active employee ``person`` stands for (the first head when several)."""
        assert isinstance(person, str | int)
        for employee_id in people(self.uow, person, self.item):
            employee = self.uow.employees.find(employee_id)
            if employee is not None and employee.is_active:
                return employee_id
        raise ActionRefused(f"Nobody active to be the {role} ({person})")

    def what(self) -> str:
        """``Deal 42``: the item, for messages."""
        return f"{self.item.entity_type.value.capitalize()} {self.item.id}"


def render(robot: Robot, name: str, context: Mapping[str, Any], *, limit: int = MAX_TEXT) -> str:
    return template(robot.params[name], robot.entity_type, f"action.{name}").render(
        context, limit=limit
    )
