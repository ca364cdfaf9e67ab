"""Locks are taken item first, then task: completing a task whose deal has a
``task_completed`` trigger never deadlocks with a robot that holds the deal and locks its
tasks (a ``shift_deadline`` action does).

PostgreSQL only: SQLite takes one write lock for the whole database, so nothing there can
wait in a circle. The robot's side is played by hand, in its order (the deal, a pause, the
deal's tasks), so that the task's completion starts while the deal is held: locking the
task before the deal would then deadlock every time.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Engine

from conveyor.domain.actors import SYSTEM
from conveyor.domain.tasks import TaskAction, TaskStatus
from conveyor.domain.triggers import TriggerEvent
from conveyor.services import tasks
from conveyor.storage.database import build_engine, session_factory
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import reread
from tests.integration.robot_office import deal, sales_office
from tests.integration.trigger_setup import trigger

ROUNDS = 3


def test_completing_a_task_waits_for_a_robot_holding_its_deal_instead_of_deadlocking(
    uow: UnitOfWork, clock: FakeClock, database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite takes one write lock for the whole database: no lock circle")
    office = sales_office(uow, clock)
    target = office.stages["Invoice"]
    trigger(uow, clock, target, TriggerEvent.TASK_COMPLETED)
    engine = build_engine(database_url)
    try:
        for _ in range(ROUNDS):
            item = deal(uow, clock, office.stages["Upload copy"], responsible_id=office.mark)
            assert item.id is not None
            command = tasks.CreateTask(
                title="Upload the signed copy",
                creator_id=office.head,
                responsible_id=office.mark,
                item_id=item.id,
            )
            task = tasks.create_task(uow, command, actor=SYSTEM, now=clock()).task
            assert task.id is not None

            errors = robot_and_person_at_once(engine, clock, item.id, task.id)

            assert errors == []
            with uow:
                assert uow.tasks.get(task.id).status is TaskStatus.COMPLETED
            assert reread(uow, item).stage_id == target.id
    finally:
        engine.dispose()


def robot_and_person_at_once(
    engine: Engine, clock: FakeClock, item_id: int, task_id: int
) -> list[BaseException]:
    """A robot holding the deal then locking its task, and a person completing the task
    while the robot holds the deal; what either raised."""
    errors: list[BaseException] = []
    deal_held = threading.Event()

    def robot() -> None:
        robot_uow = UnitOfWork(session_factory(engine))
        try:
            with robot_uow:
                robot_uow.items.get(item_id, for_update=True)
                deal_held.set()
                time.sleep(0.5)  # the completion starts meanwhile
                robot_uow.tasks.get(task_id, for_update=True)
                robot_uow.commit()
        except BaseException as error:
            errors.append(error)
            deal_held.set()

    def person() -> None:
        deal_held.wait(5)
        person_uow = UnitOfWork(session_factory(engine))
        try:
            tasks.act_on_task(person_uow, task_id, TaskAction.COMPLETE, actor=SYSTEM, now=clock())
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=robot), threading.Thread(target=person)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors
