"""Triggers at the service level: helpers over the robots' sales office (its agency deal
pipeline, Hanna heading Mark and Olga, a VIP flag on contacts, the equipment type and a paid
flag on deals)."""

from __future__ import annotations

from typing import Any

from conveyor.domain.actors import SYSTEM
from conveyor.domain.communications import CommunicationKind, Direction
from conveyor.domain.crm_items import CrmItem
from conveyor.domain.payments import Payment
from conveyor.domain.pipelines import Stage
from conveyor.domain.trigger_runs import TriggerRun
from conveyor.domain.triggers import Trigger, TriggerEvent
from conveyor.services import communications, crm_items, payments, triggers
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import DEAL


def trigger(
    uow: UnitOfWork,
    clock: FakeClock,
    stage: Stage,
    event: TriggerEvent,
    params: dict[str, Any] | None = None,
    *,
    name: str = "Trigger",
    condition: str | None = None,
    allow_backwards: bool = False,
    enabled: bool = True,
) -> Trigger:
    assert stage.id is not None
    spec = triggers.TriggerSpec(
        name=name,
        stage_id=stage.id,
        event=event,
        params=params or {},
        condition=condition,
        allow_backwards=allow_backwards,
        enabled=enabled,
    )
    return triggers.create_trigger(uow, spec, actor=SYSTEM, now=clock())


def trigger_runs(uow: UnitOfWork, item: CrmItem) -> list[TriggerRun]:
    """The item's trigger runs, oldest first."""
    with uow:
        return uow.trigger_runs.where(item_id=item.id)


def set_fields(uow: UnitOfWork, clock: FakeClock, item: CrmItem, **values: Any) -> CrmItem:
    assert item.id is not None
    changes = {"fields": values}
    return crm_items.update_item(uow, DEAL, item.id, changes, actor=SYSTEM, now=clock())


def talk(
    uow: UnitOfWork,
    clock: FakeClock,
    *,
    kind: CommunicationKind = CommunicationKind.CALL,
    direction: Direction = Direction.INCOMING,
    **links: Any,
) -> None:
    command = communications.LogCommunication(kind=kind, direction=direction, **links)
    communications.log_communication(uow, command, actor=SYSTEM, now=clock())


def pay(uow: UnitOfWork, clock: FakeClock, item: CrmItem, amount: str, **more: Any) -> Payment:
    assert item.id is not None
    command = payments.RegisterPayment(amount=amount, **more)
    return payments.register_payment(uow, DEAL, item.id, command, actor=SYSTEM, now=clock())
