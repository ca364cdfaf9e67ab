"""A sales office for robot tests at the service level: the agency's deal pipeline, a Sales
department headed by Hanna with managers Mark and Olga, a VIP flag on contacts, the
equipment type on deals, and a job worker driven by the fake clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conveyor.domain.actors import SYSTEM
from conveyor.domain.crm_items import CrmItem
from conveyor.domain.field_types import FieldType
from conveyor.domain.notifications import Notification
from conveyor.domain.pipelines import EntityType, Stage
from conveyor.domain.robot_params import ActionKind
from conveyor.domain.robot_runs import RobotRun
from conveyor.domain.robots import Robot, TimeUnit, Timing, TimingKind
from conveyor.services import clients, crm_items, custom_fields, job_kinds, org, robots
from conveyor.services.jobs import JobHandlers
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from conveyor.workers.job_worker import JobWorker
from tests.integration.crm_setup import DEAL, agency_pipeline


@dataclass(frozen=True, kw_only=True)
class Office:
    stages: dict[str, Stage]
    head: int
    mark: int
    olga: int
    department: int


def sales_office(uow: UnitOfWork, clock: FakeClock) -> Office:
    stages = agency_pipeline(uow, clock)
    now = clock()
    department = org.create_department(
        uow, org.CreateDepartment(name="Sales"), actor=SYSTEM, now=now
    )
    assert department.id is not None
    ids = {}
    for name in ("Hanna Head", "Mark Manager", "Olga Manager"):
        employee, _ = org.create_employee(
            uow,
            org.CreateEmployee(name=name, department_ids=[department.id]),
            actor=SYSTEM,
            now=now,
        )
        assert employee.id is not None
        ids[name] = employee.id
    org.update_department(uow, department.id, {"head_id": ids["Hanna Head"]}, actor=SYSTEM, now=now)
    for entity, code, kind in (
        (EntityType.CONTACT, "vip", FieldType.BOOLEAN),
        (EntityType.DEAL, "equipment_type", FieldType.STRING),
        (EntityType.DEAL, "paid", FieldType.BOOLEAN),
    ):
        custom_fields.create_field(
            uow,
            custom_fields.CreateField(entity_type=entity, code=code, name=code, type=kind),
            actor=SYSTEM,
            now=now,
        )
    return Office(
        stages=stages,
        head=ids["Hanna Head"],
        mark=ids["Mark Manager"],
        olga=ids["Olga Manager"],
        department=department.id,
    )


def contact(uow: UnitOfWork, clock: FakeClock, name: str, *, vip: bool) -> int:
    created = clients.create_contact(
        uow, clients.CreateContact(name=name, fields={"vip": vip}), actor=SYSTEM, now=clock()
    )
    assert created.id is not None
    return created.id


def robot(
    uow: UnitOfWork,
    clock: FakeClock,
    stage: Stage,
    action: ActionKind,
    params: dict[str, Any],
    *,
    name: str = "Robot",
    condition: str | None = None,
    after: tuple[int, TimeUnit] | None = None,
    working: bool = False,
    working_hours_only: bool = False,
    timing: Timing | None = None,
) -> Robot:
    """A robot at ``stage``: immediate, or ``after`` (amount, unit), in working time when
    ``working``; or with the ``timing`` given."""
    if timing is None and after is None:
        timing = Timing(working_hours_only=working_hours_only)
    elif timing is None and after is not None:
        kind = TimingKind.AFTER_WORKING if working else TimingKind.AFTER
        timing = Timing(
            kind=kind, amount=after[0], unit=after[1], working_hours_only=working_hours_only
        )
    assert stage.id is not None and timing is not None
    spec = robots.RobotSpec(
        name=name,
        stage_id=stage.id,
        action=action,
        params=params,
        condition=condition,
        timing=timing,
    )
    return robots.create_robot(uow, spec, actor=SYSTEM, now=clock())


def deal(uow: UnitOfWork, clock: FakeClock, stage: Stage, **kwargs: Any) -> CrmItem:
    command = crm_items.CreateItem(
        title=kwargs.pop("title", "Kitchen"), stage_id=stage.id, **kwargs
    )
    return crm_items.create_item(uow, DEAL, command, actor=SYSTEM, now=clock())


def move(uow: UnitOfWork, clock: FakeClock, item: CrmItem, stage: Stage) -> CrmItem:
    assert item.id is not None and stage.id is not None
    return crm_items.move_item(uow, DEAL, item.id, stage.id, actor=SYSTEM, now=clock())


def run_worker(uow: UnitOfWork, clock: FakeClock, handlers: JobHandlers | None = None) -> int:
    """Run every job due at the fake clock's now, as ``conveyor worker`` would (with the
    kinds it knows, ``services/job_kinds.py``, unless ``handlers`` says otherwise); how
    many ran. (A unit of work is reusable one transaction after another: the worker's steps
    take turns with the test's own.)"""
    worker = JobWorker(lambda: uow, handlers or job_kinds.handlers(), clock=clock)
    try:
        while True:
            full, _ = worker.run_batch()
            if not full:
                break
    finally:
        worker.close()
    return sum(worker.outcomes.values())


def runs(uow: UnitOfWork, item: CrmItem) -> list[RobotRun]:
    assert item.id is not None
    with uow:
        return uow.robot_runs.of_item(item.id)


def feed(uow: UnitOfWork, employee_id: int) -> list[Notification]:
    with uow:
        return uow.notifications.where(recipient_id=employee_id)
