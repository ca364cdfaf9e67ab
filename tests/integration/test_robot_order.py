"""A stage's robots are moved one place up or down in one transaction: the list stays
numbered from 0, a ``RobotsReordered`` event says the new order, and a move off either end,
a step of another size or a non-admin changes nothing."""

from __future__ import annotations

import pytest

from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.errors import Forbidden, InvalidValue, NotFound
from conveyor.domain.robot_params import ActionKind
from conveyor.domain.tokens import Role
from conveyor.services import robots
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import agency_pipeline


@pytest.fixture
def invoice(uow: UnitOfWork, clock: FakeClock) -> int:
    """The Invoice stage with three robots, First, Second and Third in that order."""
    stage = agency_pipeline(uow, clock)["Invoice"]
    assert stage.id is not None
    for name in ("First", "Second", "Third"):
        spec = robots.RobotSpec(
            name=name,
            stage_id=stage.id,
            action=ActionKind.NOTIFY,
            params={"to": ["responsible"], "text": "Invoice {deal.title}"},
        )
        robots.create_robot(uow, spec, actor=SYSTEM, now=clock())
    return stage.id


def order(uow: UnitOfWork, stage_id: int) -> list[tuple[str, int]]:
    return [(r.name, r.position) for r in robots.list_robots(uow, stage_id=stage_id, actor=SYSTEM)]


def ids(uow: UnitOfWork, stage_id: int) -> dict[str, int]:
    found = robots.list_robots(uow, stage_id=stage_id, actor=SYSTEM)
    return {r.name: r.id for r in found if r.id is not None}


def reorderings(uow: UnitOfWork, stage_id: int) -> list[list[int]]:
    with uow:
        found = uow.events.where(type="RobotsReordered", entity="stage", entity_id=stage_id)
        return [list(e.payload["robot_ids"]) for e in found]


def test_a_robot_moves_one_place_up_or_down_and_the_order_is_told(
    uow: UnitOfWork, clock: FakeClock, invoice: int
) -> None:
    robot = ids(uow, invoice)
    moved = robots.move_robot(uow, robot["Third"], -1, actor=SYSTEM, now=clock())
    assert [(r.name, r.position) for r in moved] == [("First", 0), ("Third", 1), ("Second", 2)]
    robots.move_robot(uow, robot["First"], 1, actor=SYSTEM, now=clock())
    assert order(uow, invoice) == [("Third", 0), ("First", 1), ("Second", 2)]
    assert reorderings(uow, invoice) == [
        [robot["First"], robot["Third"], robot["Second"]],
        [robot["Third"], robot["First"], robot["Second"]],
    ]


def test_the_first_moved_up_or_the_last_moved_down_stays_and_nothing_is_written(
    uow: UnitOfWork, clock: FakeClock, invoice: int
) -> None:
    robot = ids(uow, invoice)
    before = order(uow, invoice)
    up = robots.move_robot(uow, robot["First"], -1, actor=SYSTEM, now=clock())
    down = robots.move_robot(uow, robot["Third"], 1, actor=SYSTEM, now=clock())
    assert [(r.name, r.position) for r in up] == before
    assert [(r.name, r.position) for r in down] == before
    assert order(uow, invoice) == before
    assert reorderings(uow, invoice) == []


def test_a_bad_step_an_unknown_robot_or_a_non_admin_changes_nothing(
    uow: UnitOfWork, clock: FakeClock, invoice: int
) -> None:
    robot = ids(uow, invoice)
    before = order(uow, invoice)
    for step in (0, 2, -2):
        with pytest.raises(InvalidValue) as refused:
            robots.move_robot(uow, robot["Second"], step, actor=SYSTEM, now=clock())
        assert refused.value.field == "step"
    with pytest.raises(NotFound):
        robots.move_robot(uow, 999_999, 1, actor=SYSTEM, now=clock())
    head = Actor(employee_id=7, role=Role.HEAD)
    with pytest.raises(Forbidden):
        robots.move_robot(uow, robot["Second"], -1, actor=head, now=clock())
    assert order(uow, invoice) == before
    assert reorderings(uow, invoice) == []
