"""Every change writes its event in the same transaction; a rolled-back change writes none."""

from __future__ import annotations

import pytest

from conveyor.domain.actors import SYSTEM
from conveyor.domain.errors import NotFound
from conveyor.services import org
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock


def _events(uow: UnitOfWork) -> list[tuple[str, str, int]]:
    with uow:
        return [(e.type, e.entity, e.entity_id) for e in uow.events.where()]


def test_a_committed_change_leaves_its_event_in_the_outbox(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    employee, _ = org.create_employee(
        uow, org.CreateEmployee(name="Olga Operator"), actor=SYSTEM, now=clock()
    )
    assert _events(uow) == [("EmployeeHired", "employee", employee.id)]
    with uow:
        stored = uow.events.where()[0]
    assert stored.occurred_at == clock()
    assert stored.payload == {"name": "Olga Operator", "departments": []}


def test_a_change_that_fails_half_way_leaves_neither_the_row_nor_the_event(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    # The employee row is inserted and flushed, then an unknown department aborts the unit.
    with pytest.raises(NotFound):
        org.create_employee(
            uow,
            org.CreateEmployee(name="Ghost", department_ids=[4242]),
            actor=SYSTEM,
            now=clock(),
        )
    assert _events(uow) == []
    with uow:
        assert uow.employees.where() == []


def test_a_unit_left_without_commit_keeps_nothing(uow: UnitOfWork, clock: FakeClock) -> None:
    from conveyor.domain.events import DomainEvent

    with uow:
        uow.emit(DomainEvent(type="Probe", entity="employee", entity_id=1, occurred_at=clock()))
        uow.flush()
    assert _events(uow) == []
