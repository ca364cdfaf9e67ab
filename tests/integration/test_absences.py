"""Absences on both databases: registered, changed, cancelled; never two on one day."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.employees import Employee
from conveyor.domain.errors import Conflict, Forbidden, InvalidValue, NotFound
from conveyor.domain.tokens import Role
from conveyor.services import absences, org
from conveyor.services.absences import RegisterAbsence
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock

MARCH_2, MARCH_6, MARCH_9, MARCH_13 = (date(2026, 3, d) for d in (2, 6, 9, 13))


def _hire(uow: UnitOfWork, clock: FakeClock, name: str) -> Employee:
    employee, _ = org.create_employee(uow, org.CreateEmployee(name=name), actor=SYSTEM, now=clock())
    return employee


def _as(employee: Employee, role: Role = Role.EMPLOYEE) -> Actor:
    assert employee.id is not None
    return Actor(employee_id=employee.id, role=role)


def _vacation(employee: Employee, starts_on: date, ends_on: date) -> RegisterAbsence:
    assert employee.id is not None
    return RegisterAbsence(
        employee_id=employee.id, kind=AbsenceKind.VACATION, starts_on=starts_on, ends_on=ends_on
    )


def _events(uow: UnitOfWork, prefix: str = "Absence") -> list[tuple[str, dict[str, object]]]:
    with uow:
        return [(e.type, dict(e.payload)) for e in uow.events.where() if e.type.startswith(prefix)]


def _stored(uow: UnitOfWork) -> list[tuple[int, date, date]]:
    with uow:
        return [(a.employee_id, a.starts_on, a.ends_on) for a in uow.absences.where()]


def test_an_employee_registers_their_own_vacation_and_the_outbox_tells_the_dates(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    ivan = _hire(uow, clock, "Ivan")
    absence = absences.register_absence(
        uow, _vacation(ivan, MARCH_2, MARCH_6), actor=_as(ivan), now=clock()
    )
    assert absence.id is not None
    assert absences.get_absence(uow, absence.id, actor=SYSTEM).kind is AbsenceKind.VACATION
    with uow:
        event = next(e for e in uow.events.where() if e.type == "AbsenceRegistered")
    assert (event.entity, event.entity_id) == ("employee", ivan.id)
    assert event.payload == {
        "absence_id": absence.id,
        "kind": "vacation",
        "starts_on": "2026-03-02",
        "ends_on": "2026-03-06",
    }


def test_an_overlapping_absence_is_refused_and_nothing_is_stored(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    ivan = _hire(uow, clock, "Ivan")
    absences.register_absence(uow, _vacation(ivan, MARCH_2, MARCH_6), actor=SYSTEM, now=clock())
    with pytest.raises(Conflict) as refusal:
        absences.register_absence(uow, _vacation(ivan, MARCH_6, MARCH_9), actor=SYSTEM, now=clock())
    assert refusal.value.field == "starts_on"
    assert "2026-03-02 to 2026-03-06" in refusal.value.message
    assert _stored(uow) == [(ivan.id, MARCH_2, MARCH_6)]
    assert [t for t, _ in _events(uow)] == ["AbsenceRegistered"]


def test_back_to_back_absences_and_other_peoples_absences_do_not_clash(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    ivan, olga = _hire(uow, clock, "Ivan"), _hire(uow, clock, "Olga")
    absences.register_absence(uow, _vacation(ivan, MARCH_2, MARCH_6), actor=SYSTEM, now=clock())
    absences.register_absence(
        uow, _vacation(ivan, date(2026, 3, 7), MARCH_9), actor=SYSTEM, now=clock()
    )
    absences.register_absence(uow, _vacation(olga, MARCH_2, MARCH_6), actor=SYSTEM, now=clock())
    assert len(_stored(uow)) == 3


def test_an_employee_cannot_register_an_absence_for_a_colleague_but_a_head_can(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    ivan, olga, boris = (_hire(uow, clock, n) for n in ("Ivan", "Olga", "Boris"))
    with pytest.raises(Forbidden):
        absences.register_absence(
            uow, _vacation(olga, MARCH_2, MARCH_6), actor=_as(ivan), now=clock()
        )
    assert _stored(uow) == []
    absences.register_absence(
        uow, _vacation(olga, MARCH_2, MARCH_6), actor=_as(boris, Role.HEAD), now=clock()
    )
    assert _stored(uow) == [(olga.id, MARCH_2, MARCH_6)]


def test_a_dismissed_or_unknown_employee_gets_no_new_absence(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    ivan = _hire(uow, clock, "Ivan")
    assert ivan.id is not None
    org.update_employee(uow, ivan.id, {"status": "dismissed"}, actor=SYSTEM, now=clock())
    with pytest.raises(InvalidValue) as dismissed:
        absences.register_absence(uow, _vacation(ivan, MARCH_2, MARCH_6), actor=SYSTEM, now=clock())
    assert dismissed.value.field == "employee_id"
    unknown = RegisterAbsence(
        employee_id=4242, kind=AbsenceKind.OTHER, starts_on=MARCH_2, ends_on=MARCH_2
    )
    with pytest.raises(NotFound) as missing:
        absences.register_absence(uow, unknown, actor=SYSTEM, now=clock())
    assert missing.value.field == "employee_id"
    assert _stored(uow) == []
    assert _events(uow) == []


def test_an_absence_is_moved_but_not_onto_another_and_not_to_end_before_it_starts(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    ivan = _hire(uow, clock, "Ivan")
    first = absences.register_absence(
        uow, _vacation(ivan, MARCH_2, MARCH_6), actor=SYSTEM, now=clock()
    )
    second = absences.register_absence(
        uow, _vacation(ivan, MARCH_9, MARCH_13), actor=SYSTEM, now=clock()
    )
    assert first.id is not None and second.id is not None
    # Its own old period does not count against it.
    moved = absences.change_absence(
        uow,
        first.id,
        {"ends_on": date(2026, 3, 8), "kind": "sick_leave"},
        actor=_as(ivan),
        now=clock(),
    )
    assert (moved.ends_on, moved.kind) == (date(2026, 3, 8), AbsenceKind.SICK_LEAVE)
    with pytest.raises(Conflict) as clash:
        absences.change_absence(uow, first.id, {"ends_on": MARCH_9}, actor=SYSTEM, now=clock())
    assert clash.value.field == "starts_on"
    with pytest.raises(InvalidValue) as backwards:
        absences.change_absence(uow, first.id, {"starts_on": MARCH_13}, actor=SYSTEM, now=clock())
    assert backwards.value.field == "ends_on"
    kept = absences.get_absence(uow, first.id, actor=SYSTEM)
    assert (kept.starts_on, kept.ends_on, kept.kind) == (
        MARCH_2,
        date(2026, 3, 8),
        AbsenceKind.SICK_LEAVE,
    )
    changed = [p for t, p in _events(uow) if t == "AbsenceChanged"]
    assert changed == [
        {
            "absence_id": first.id,
            "kind": "sick_leave",
            "starts_on": "2026-03-02",
            "ends_on": "2026-03-08",
            "changed": ["ends_on", "kind"],
        }
    ]


def test_a_cancelled_absence_is_gone_and_its_event_keeps_what_it_was(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    ivan, olga = _hire(uow, clock, "Ivan"), _hire(uow, clock, "Olga")
    absence = absences.register_absence(
        uow, _vacation(ivan, MARCH_2, MARCH_6), actor=SYSTEM, now=clock()
    )
    assert absence.id is not None
    with pytest.raises(Forbidden):
        absences.cancel_absence(uow, absence.id, actor=_as(olga), now=clock())
    absences.cancel_absence(uow, absence.id, actor=_as(ivan), now=clock())
    assert _stored(uow) == []
    assert _events(uow)[-1] == (
        "AbsenceCancelled",
        {
            "absence_id": absence.id,
            "kind": "vacation",
            "starts_on": "2026-03-02",
            "ends_on": "2026-03-06",
        },
    )
    with pytest.raises(NotFound):
        absences.cancel_absence(uow, absence.id, actor=SYSTEM, now=clock())


def test_absences_are_listed_by_employee_kind_date_and_period(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    ivan, olga = _hire(uow, clock, "Ivan"), _hire(uow, clock, "Olga")
    absences.register_absence(uow, _vacation(ivan, MARCH_2, MARCH_6), actor=SYSTEM, now=clock())
    absences.register_absence(
        uow,
        RegisterAbsence(
            employee_id=olga.id or 0,
            kind=AbsenceKind.SICK_LEAVE,
            starts_on=MARCH_9,
            ends_on=MARCH_13,
        ),
        actor=SYSTEM,
        now=clock(),
    )

    def starts(**filters: Any) -> list[date]:
        page = absences.list_absences(uow, limit=10, offset=0, **filters, actor=SYSTEM)
        return [a.starts_on for a in page.items]

    assert starts() == [MARCH_2, MARCH_9]
    assert starts(employee_id=olga.id) == [MARCH_9]
    assert starts(kind=AbsenceKind.VACATION) == [MARCH_2]
    assert starts(on=MARCH_6) == [MARCH_2]
    assert starts(on=date(2026, 3, 7)) == []
    assert starts(first=MARCH_6, last=MARCH_9) == [MARCH_2, MARCH_9]
    assert starts(first=date(2026, 3, 7)) == [MARCH_9]
    assert starts(last=date(2026, 3, 8)) == [MARCH_2]
    page = absences.list_absences(uow, limit=1, offset=1, actor=SYSTEM)
    assert (page.total, [a.starts_on for a in page.items]) == (2, [MARCH_9])
    with pytest.raises(InvalidValue) as backwards:
        absences.list_absences(uow, limit=10, offset=0, first=MARCH_9, last=MARCH_2, actor=SYSTEM)
    assert backwards.value.field == "to"
