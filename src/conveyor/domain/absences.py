"""Absences: vacation, sick leave, business trip and other days away."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from conveyor.domain.actors import Actor
from conveyor.domain.errors import Conflict, Forbidden, InvalidValue
from conveyor.domain.events import DomainEvent
from conveyor.domain.tokens import Role


class AbsenceKind(enum.StrEnum):
    VACATION = "vacation"
    SICK_LEAVE = "sick_leave"
    BUSINESS_TRIP = "business_trip"
    OTHER = "other"


@dataclass(kw_only=True)
class Absence:
    """An employee is away from ``starts_on`` to ``ends_on``, both days included."""

    id: int | None = None
    employee_id: int
    kind: AbsenceKind
    starts_on: date
    ends_on: date
    note: str | None = None

    def __post_init__(self) -> None:
        check_period(self.starts_on, self.ends_on)

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def reschedule(self, *, starts_on: date, ends_on: date) -> None:
        """Move the period; refused, leaving it as it was, when it would end before it starts."""
        check_period(starts_on, ends_on)
        self.starts_on, self.ends_on = starts_on, ends_on

    def event(self, kind: str, *, now: datetime, **extra: object) -> DomainEvent:
        """``AbsenceRegistered``/``AbsenceChanged``/``AbsenceCancelled`` about the employee."""
        assert self.id is not None, "an absence has its id once added"
        return DomainEvent(
            type=kind,
            entity="employee",
            entity_id=self.employee_id,
            occurred_at=now,
            payload={
                "absence_id": self.id,
                "kind": self.kind.value,
                "starts_on": self.starts_on.isoformat(),
                "ends_on": self.ends_on.isoformat(),
                **extra,
            },
        )


def check_period(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise InvalidValue("An absence cannot end before it starts", field="ends_on")


def periods_overlap(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    """Whether two periods, both ends included, share at least one day.

    Touching periods (one ends on the 5th, the next starts on the 6th) do not overlap.
    """
    return a_start <= b_end and b_start <= a_end


def first_overlap(
    starts_on: date,
    ends_on: date,
    existing: Iterable[Absence],
    *,
    ignore_id: int | None = None,
) -> Absence | None:
    """The earliest absence of ``existing`` sharing a day with the period, if any.

    ``ignore_id`` is the absence being changed, which may of course overlap itself.
    """
    clashes = [
        a
        for a in existing
        if ignore_id is None or a.id != ignore_id
        if periods_overlap(starts_on, ends_on, a.starts_on, a.ends_on)
    ]
    return min(clashes, key=lambda a: (a.starts_on, a.id or 0), default=None)


def check_no_overlap(
    starts_on: date,
    ends_on: date,
    existing: Iterable[Absence],
    *,
    ignore_id: int | None = None,
) -> None:
    """Refuse a period that shares a day with another absence of the same employee."""
    clash = first_overlap(starts_on, ends_on, existing, ignore_id=ignore_id)
    if clash is not None:
        raise Conflict(
            f"The employee is already away ({clash.kind.value}, absence {clash.id}) "
            f"from {clash.starts_on.isoformat()} to {clash.ends_on.isoformat()}",
            field="starts_on",
        )


def check_may_manage(actor: Actor, employee_id: int) -> None:
    """Admins and heads manage anyone's absences; an employee only their own."""
    if actor.is_admin or actor.role is Role.HEAD or actor.employee_id == employee_id:
        return
    raise Forbidden("An employee may register and change only their own absences")
