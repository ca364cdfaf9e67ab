"""A small team for task tests: who sets, does, helps with and watches tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.crm_items import CrmItem
from conveyor.domain.pipelines import EntityType, Pipeline, Stage
from conveyor.domain.tokens import Role
from conveyor.services import org, tasks
from conveyor.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Team:
    admin: Actor
    head: Actor
    designer: Actor
    helper: Actor
    watcher: Actor
    stranger: Actor


def build_team(uow: UnitOfWork, now: datetime) -> Team:
    def hire(name: str, role: Role, timezone: str = "Europe/Moscow") -> Actor:
        employee, _ = org.create_employee(
            uow, org.CreateEmployee(name=name, timezone=timezone), actor=SYSTEM, now=now
        )
        assert employee.id is not None
        return Actor(employee_id=employee.id, role=role)

    return Team(
        admin=hire("Anna Admin", Role.ADMIN),
        head=hire("Boris Head", Role.HEAD),
        designer=hire("Daria Designer", Role.EMPLOYEE, "Asia/Yekaterinburg"),
        helper=hire("Hleb Helper", Role.EMPLOYEE),
        watcher=hire("Wera Watcher", Role.EMPLOYEE),
        stranger=hire("Stas Stranger", Role.EMPLOYEE),
    )


def set_task(
    uow: UnitOfWork, by: Actor, to: Actor, now: datetime, **fields: object
) -> tasks.TaskView:
    """``by`` sets a task for ``to``; ``fields`` are any other ``CreateTask`` fields."""
    title = str(fields.pop("title", "Make a sign"))
    command = tasks.CreateTask(title=title, responsible_id=to.employee_id, **fields)  # type: ignore[arg-type]
    return tasks.create_task(uow, command, actor=by, now=now)


def a_deal(uow: UnitOfWork, now: datetime) -> int:
    """A deal in a pipeline of its own, written straight through the repositories."""
    with uow:
        pipeline = uow.pipelines.add(Pipeline(entity_type=EntityType.DEAL, name="Signs"))
        assert pipeline.id is not None
        stage = uow.stages.add(Stage(pipeline_id=pipeline.id, name="New", sort=10))
        assert stage.id is not None
        deal = uow.items.add(
            CrmItem(
                entity_type=EntityType.DEAL,
                title="Sign for a bakery",
                pipeline_id=pipeline.id,
                stage_id=stage.id,
                created_at=now,
                updated_at=now,
                stage_entered_at=now,
            )
        )
        uow.commit()
    assert deal.id is not None
    return deal.id


def events(uow: UnitOfWork, task_id: int) -> list[str]:
    with uow:
        return [e.type for e in uow.events.where(entity="task", entity_id=task_id)]
