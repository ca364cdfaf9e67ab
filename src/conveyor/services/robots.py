"""Robots: defined by admins per stage, validated on save, kept in order.

Each use case is one transaction; every change emits ``RobotCreated``, ``RobotChanged``,
``RobotDeleted`` or ``RobotsReordered``. Changes to a stage's list (create, delete,
reorder, move) lock the stage's row, so concurrent edits never give two robots one place.

A changed robot acts as it is when a run of it is due (its condition and action); a run
already scheduled keeps the due time it was given. A deleted or disabled robot's scheduled
runs end when due (``cancelled`` / ``skipped``), without acting.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from conveyor.domain.actors import Actor
from conveyor.domain.errors import InvalidValue, NotFound
from conveyor.domain.events import DomainEvent
from conveyor.domain.robot_params import ActionKind
from conveyor.domain.robots import MAX_ROBOTS_PER_STAGE, Robot, Timing, check_order
from conveyor.services.robot_checks import check_robot
from conveyor.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class RobotSpec:
    """Everything a new robot says; see ``Robot`` for the meaning of each part."""

    name: str
    stage_id: int
    action: ActionKind
    params: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    condition: str | None = None
    timing: Timing = field(default_factory=Timing)
    #: Where in the stage's list (0 first); ``None`` puts it last.
    position: int | None = None


def create_robot(uow: UnitOfWork, spec: RobotSpec, *, actor: Actor, now: datetime) -> Robot:
    actor.require_admin()
    with uow:
        stage = uow.stages.get(spec.stage_id, field="stage_id", for_update=True)
        pipeline = uow.pipelines.get(stage.pipeline_id)
        robot = Robot(
            entity_type=pipeline.entity_type,
            pipeline_id=stage.pipeline_id,
            stage_id=spec.stage_id,
            name=spec.name,
            enabled=spec.enabled,
            condition=spec.condition,
            action=spec.action,
            params=dict(spec.params),
            created_at=now,
            updated_at=now,
        )
        robot.set_timing(spec.timing)
        check_robot(uow, robot)
        siblings = uow.robots.at_stage(spec.stage_id)
        if len(siblings) >= MAX_ROBOTS_PER_STAGE:
            raise InvalidValue(
                f"A stage has at most {MAX_ROBOTS_PER_STAGE} robots", field="stage_id"
            )
        position = len(siblings) if spec.position is None else spec.position
        if not 0 <= position <= len(siblings):
            raise InvalidValue(
                f"The stage has {len(siblings)} robots: a new one goes at 0 to {len(siblings)}",
                field="position",
            )
        for later in siblings[position:]:
            later.position += 1
        robot.position = position
        uow.robots.add(robot)
        uow.emit(_event("RobotCreated", robot, now))
        uow.commit()
    return robot


def get_robot(uow: UnitOfWork, robot_id: int, *, actor: Actor) -> Robot:
    actor.require_admin()
    with uow:
        return uow.robots.get(robot_id)


def list_robots(uow: UnitOfWork, *, stage_id: int, actor: Actor) -> list[Robot]:
    """The stage's robots in the order they act."""
    actor.require_admin()
    with uow:
        uow.stages.get(stage_id, field="stage_id")
        return uow.robots.at_stage(stage_id)


def update_robot(
    uow: UnitOfWork, robot_id: int, changes: dict[str, Any], *, actor: Actor, now: datetime
) -> Robot:
    """Change name, enabled, condition, ``timing`` (a ``Timing``) or ``action`` with its
    ``params`` (given together: a new action takes its own parameters). The whole robot is
    checked again; its version grows by one when anything really changed."""
    actor.require_admin()
    if "action" in changes and "params" not in changes:
        raise InvalidValue("A new action comes with its parameters", field="action")
    with uow:
        robot = uow.robots.get(robot_id, for_update=True)
        # Checked on a detached copy first: the checks' own queries could flush a
        # half-changed robot before refusing it.
        draft = replace(robot, params=dict(robot.params))
        draft.change(changes, now=now)
        check_robot(uow, draft)
        changed = robot.change(
            {
                "name": draft.name,
                "enabled": draft.enabled,
                "condition": draft.condition,
                "timing": draft.timing,
                "action": draft.action,
                "params": draft.params,
            },
            now=now,
        )
        if changed:
            uow.flush()
            uow.emit(_event("RobotChanged", robot, now, changed=changed))
            uow.commit()
    return robot


def delete_robot(uow: UnitOfWork, robot_id: int, *, actor: Actor, now: datetime) -> None:
    actor.require_admin()
    with uow:
        robot = uow.robots.get(robot_id)
        uow.stages.get(robot.stage_id, for_update=True)
        uow.robots.delete(robot)
        for position, other in enumerate(uow.robots.at_stage(robot.stage_id)):
            other.position = position
        uow.emit(_event("RobotDeleted", robot, now))
        uow.commit()


def reorder_robots(
    uow: UnitOfWork, stage_id: int, robot_ids: list[int], *, actor: Actor, now: datetime
) -> list[Robot]:
    """Put the stage's robots in the order of ``robot_ids``, which names each exactly once."""
    actor.require_admin()
    with uow:
        uow.stages.get(stage_id, field="stage_id", for_update=True)
        robots = uow.robots.at_stage(stage_id)
        by_id = {r.id: r for r in robots if r.id is not None}
        check_order(list(by_id), robot_ids)
        for position, robot_id in enumerate(robot_ids):
            by_id[robot_id].position = position
        uow.flush()
        uow.emit(_reordered(stage_id, robot_ids, now))
        uow.commit()
        return uow.robots.at_stage(stage_id)


def move_robot(
    uow: UnitOfWork, robot_id: int, step: int, *, actor: Actor, now: datetime
) -> list[Robot]:
    """Move the robot one place earlier (``step`` -1) or later (+1) in its stage's list, and
    give the stage's robots in their new order. The first robot moved up, or the last moved
    down, stays where it is: nothing changes and no event is written."""
    actor.require_admin()
    if step not in (-1, 1):
        raise InvalidValue("A robot moves one place: step -1 (up) or 1 (down)", field="step")
    with uow:
        stage_id = uow.robots.get(robot_id).stage_id
        uow.stages.get(stage_id, for_update=True)
        # Read again under the stage's lock: a concurrent change of the list is settled.
        if uow.robots.reread(robot_id) is None:
            raise NotFound("robot", robot_id)
        robots = uow.robots.at_stage(stage_id)
        here = next(place for place, robot in enumerate(robots) if robot.id == robot_id)
        there = here + step
        if not 0 <= there < len(robots):
            return robots
        robots[here], robots[there] = robots[there], robots[here]
        for position, robot in enumerate(robots):
            robot.position = position
        uow.flush()
        uow.emit(_reordered(stage_id, [_id(robot) for robot in robots], now))
        uow.commit()
        return robots


def _reordered(stage_id: int, robot_ids: list[int], now: datetime) -> DomainEvent:
    return DomainEvent(
        type="RobotsReordered",
        entity="stage",
        entity_id=stage_id,
        occurred_at=now,
        payload={"robot_ids": list(robot_ids)},
    )


def _id(robot: Robot) -> int:
    assert robot.id is not None
    return robot.id


def _event(type_: str, robot: Robot, now: datetime, **extra: Any) -> DomainEvent:
    assert robot.id is not None
    return DomainEvent(
        type=type_,
        entity="robot",
        entity_id=robot.id,
        occurred_at=now,
        payload={**robot.summary(), **extra},
    )
