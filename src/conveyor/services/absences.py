"""Absences: register, change, cancel and list days away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from conveyor.domain.absences import (
    Absence,
    AbsenceKind,
    check_may_manage,
    check_no_overlap,
    check_period,
)
from conveyor.domain.actors import Actor
from conveyor.domain.errors import InvalidValue, NotFound
from conveyor.domain.pages import Page
from conveyor.services.assignment_queue import retry_after_absence_change
from conveyor.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class RegisterAbsence:
    employee_id: int
    kind: AbsenceKind
    starts_on: date
    ends_on: date
    note: str | None = None


def register_absence(
    uow: UnitOfWork, command: RegisterAbsence, *, actor: Actor, now: datetime
) -> Absence:
    """Record that an employee will be (or was) away; refused when it overlaps another absence
    of theirs or when the employee is dismissed."""
    check_may_manage(actor, command.employee_id)
    check_period(command.starts_on, command.ends_on)
    with uow:
        # The row lock makes concurrent registrations for one employee take turns, so two
        # overlapping absences cannot both pass the check (SQLite serializes writers anyway).
        employee = uow.employees.get(command.employee_id, field="employee_id", for_update=True)
        if not employee.is_active:
            raise InvalidValue(
                f"Employee {command.employee_id} is dismissed and cannot get new absences",
                field="employee_id",
            )
        nearby = uow.absences.of_employee_between(
            command.employee_id, command.starts_on, command.ends_on
        )
        check_no_overlap(command.starts_on, command.ends_on, nearby)
        absence = uow.absences.add(
            Absence(
                employee_id=command.employee_id,
                kind=command.kind,
                starts_on=command.starts_on,
                ends_on=command.ends_on,
                note=command.note,
            )
        )
        uow.emit(absence.event("AbsenceRegistered", now=now))
        uow.commit()
    return absence


def change_absence(
    uow: UnitOfWork, absence_id: int, changes: dict[str, object], *, actor: Actor, now: datetime
) -> Absence:
    """Change kind, dates or note; ``changes`` holds only the fields given.

    The changed period must still not overlap the employee's other absences. Changing an
    absence of a dismissed employee is allowed: it corrects the record, it grants nothing.
    """
    with uow:
        absence = _visible(uow, absence_id, actor)
        check_may_manage(actor, absence.employee_id)
        uow.employees.get(absence.employee_id, for_update=True)
        starts_on = _date(changes.get("starts_on", absence.starts_on))
        ends_on = _date(changes.get("ends_on", absence.ends_on))
        check_period(starts_on, ends_on)
        nearby = uow.absences.of_employee_between(absence.employee_id, starts_on, ends_on)
        check_no_overlap(starts_on, ends_on, nearby, ignore_id=absence_id)
        absence.reschedule(starts_on=starts_on, ends_on=ends_on)
        if "kind" in changes:
            absence.kind = AbsenceKind(str(changes["kind"]))
        if "note" in changes:
            note = changes["note"]
            absence.note = None if note is None else str(note)
        uow.emit(absence.event("AbsenceChanged", now=now, changed=sorted(changes)))
        uow.flush()
        retry_after_absence_change(uow, now=now)
        uow.commit()
    return absence


def cancel_absence(uow: UnitOfWork, absence_id: int, *, actor: Actor, now: datetime) -> None:
    """Remove an absence (planned or past); the event keeps what it was."""
    with uow:
        absence = _visible(uow, absence_id, actor)
        check_may_manage(actor, absence.employee_id)
        event = absence.event("AbsenceCancelled", now=now)
        uow.absences.delete(absence)
        uow.emit(event)
        retry_after_absence_change(uow, now=now)
        uow.commit()


def get_absence(uow: UnitOfWork, absence_id: int, *, actor: Actor) -> Absence:
    """The absence; an external partner sees only their own (another's is ``NotFound``)."""
    with uow:
        return _visible(uow, absence_id, actor)


def list_absences(
    uow: UnitOfWork,
    *,
    limit: int,
    offset: int,
    employee_id: int | None = None,
    kind: AbsenceKind | None = None,
    on: date | None = None,
    first: date | None = None,
    last: date | None = None,
    actor: Actor,
) -> Page[Absence]:
    """Absences, earliest first: of one employee, of one kind, covering the date ``on``,
    overlapping the period ``first``..``last`` (either end may be left open).

    An external partner sees only their own absences, whatever ``employee_id`` says.
    """
    if first is not None and last is not None and last < first:
        raise InvalidValue("The period cannot end before it starts", field="to")
    if actor.is_external:
        if employee_id not in (None, actor.employee_id):
            return Page(items=[], total=0, limit=limit, offset=offset)
        employee_id = actor.employee_id
    with uow:
        return uow.absences.page_matching(
            limit=limit,
            offset=offset,
            employee_id=employee_id,
            kind=kind,
            on=on,
            first=first,
            last=last,
        )


def _visible(uow: UnitOfWork, absence_id: int, actor: Actor) -> Absence:
    absence = uow.absences.find(absence_id)
    if absence is None or (actor.is_external and absence.employee_id != actor.employee_id):
        # Another's absence answers like a missing one, so its id cannot be probed.
        raise NotFound(uow.absences.label, absence_id)
    return absence


def _date(value: object) -> date:
    assert isinstance(value, date), "the API parses dates"
    return value
