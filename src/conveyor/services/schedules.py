"""Work schedules and the company's calendar overrides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from conveyor.domain.actors import Actor
from conveyor.domain.errors import Conflict, InvalidValue, NotFound
from conveyor.domain.events import DomainEvent
from conveyor.domain.pages import Page
from conveyor.domain.work_schedules import (
    DEFAULT_COUNTRY,
    DEFAULT_WEEK,
    CalendarOverride,
    OverrideKind,
    Rotation,
    Schedule,
    check_week,
)
from conveyor.services.working_time import FIRST_YEAR, LAST_YEAR, check_country
from conveyor.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class CreateSchedule:
    name: str
    country: str = DEFAULT_COUNTRY
    #: The `week` part of `WorkSchedule.to_dict()`; the company default when left out.
    week: Mapping[str, Any] | None = None
    #: A `Rotation.to_dict()` for shift work, or None for a weekly schedule.
    rotation: Mapping[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class SetOverride:
    day: date
    kind: OverrideKind
    note: str | None = None


# -- schedules -------------------------------------------------------------------


def create_schedule(
    uow: UnitOfWork, command: CreateSchedule, *, actor: Actor, now: datetime
) -> Schedule:
    actor.require_admin()
    schedule = Schedule(
        name=command.name,
        country=check_country(command.country, year=now.year),
        week=check_week(DEFAULT_WEEK if command.week is None else command.week),
        rotation=_rotation(command.rotation),
    )
    schedule.check()
    with uow:
        _refuse_taken_name(uow, schedule.name)
        uow.schedules.add(schedule)
        uow.emit(_event("ScheduleCreated", schedule, now, **_payload(schedule)))
        uow.commit()
    return schedule


def update_schedule(
    uow: UnitOfWork, schedule_id: int, changes: Mapping[str, object], *, actor: Actor, now: datetime
) -> Schedule:
    """Change name, country, week or rotation; ``changes`` holds only the fields given.

    A ``None`` rotation turns a rotation schedule back into a weekly one.
    """
    actor.require_admin()
    with uow:
        schedule = uow.schedules.get(schedule_id)
        if "name" in changes and changes["name"] != schedule.name:
            name = str(changes["name"])
            _refuse_taken_name(uow, name)
            schedule.name = name
        if "country" in changes:
            schedule.country = check_country(str(changes["country"]), year=now.year)
        if "week" in changes:
            schedule.week = check_week(changes["week"])
        if "rotation" in changes:
            rotation = changes["rotation"]
            assert rotation is None or isinstance(rotation, Mapping)
            schedule.rotation = _rotation(rotation)
        schedule.check()
        uow.emit(
            _event("ScheduleChanged", schedule, now, changed=sorted(changes), **_payload(schedule))
        )
        uow.commit()
    return schedule


def delete_schedule(uow: UnitOfWork, schedule_id: int, *, actor: Actor, now: datetime) -> None:
    """Delete a schedule nobody active follows; dismissed followers are let go of it."""
    actor.require_admin()
    with uow:
        schedule = uow.schedules.get(schedule_id)
        if users := uow.schedules.active_users(schedule_id):
            raise Conflict(
                f"{users} active employee(s) follow schedule '{schedule.name}'; "
                "move them to another schedule first"
            )
        uow.schedules.delete(schedule)
        uow.emit(_event("ScheduleDeleted", schedule, now, name=schedule.name))
        uow.commit()


def get_schedule(uow: UnitOfWork, schedule_id: int) -> Schedule:
    with uow:
        return uow.schedules.get(schedule_id)


def list_schedules(uow: UnitOfWork, *, limit: int, offset: int) -> Page[Schedule]:
    with uow:
        return uow.schedules.page(limit=limit, offset=offset)


def _refuse_taken_name(uow: UnitOfWork, name: str) -> None:
    if uow.schedules.named(name) is not None:
        raise Conflict(f"A schedule named '{name}' already exists", field="name")


def _rotation(data: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if data is None else Rotation.from_dict(data).to_dict()


def _payload(schedule: Schedule) -> dict[str, Any]:
    return {
        "name": schedule.name,
        "country": schedule.country,
        "week": dict(schedule.week),
        "rotation": None if schedule.rotation is None else dict(schedule.rotation),
    }


def _event(kind: str, schedule: Schedule, now: datetime, **payload: object) -> DomainEvent:
    assert schedule.id is not None
    return DomainEvent(
        type=kind, entity="schedule", entity_id=schedule.id, occurred_at=now, payload=payload
    )


# -- calendar overrides ----------------------------------------------------------


def set_override(
    uow: UnitOfWork, command: SetOverride, *, actor: Actor, now: datetime
) -> CalendarOverride:
    """Record the company's decision for a date; refused if the date already has one."""
    actor.require_admin()
    if not FIRST_YEAR <= command.day.year <= LAST_YEAR:
        raise InvalidValue(f"The date must be within {FIRST_YEAR}-{LAST_YEAR}", field="day")
    with uow:
        if (existing := uow.calendar_overrides.on(command.day)) is not None:
            raise Conflict(
                f"{command.day.isoformat()} already has an override ({existing.kind.value}); "
                "delete it first to change it",
                field="day",
            )
        override = uow.calendar_overrides.add(
            CalendarOverride(day=command.day, kind=command.kind, note=command.note)
        )
        uow.emit(_override_event("CalendarOverrideSet", override, now))
        uow.commit()
    return override


def remove_override(uow: UnitOfWork, day: date, *, actor: Actor, now: datetime) -> None:
    actor.require_admin()
    with uow:
        override = _override_on(uow, day)
        uow.calendar_overrides.delete(override)
        uow.emit(_override_event("CalendarOverrideRemoved", override, now))
        uow.commit()


def get_override(uow: UnitOfWork, day: date) -> CalendarOverride:
    with uow:
        return _override_on(uow, day)


def list_overrides(
    uow: UnitOfWork, *, limit: int, offset: int, year: int | None = None
) -> Page[CalendarOverride]:
    """The overrides by date, of one year or of all."""
    first = last = None
    if year is not None:
        first, last = date(year, 1, 1), date(year, 12, 31)
    with uow:
        return uow.calendar_overrides.page_between(
            limit=limit, offset=offset, first=first, last=last
        )


def _override_on(uow: UnitOfWork, day: date) -> CalendarOverride:
    override = uow.calendar_overrides.on(day)
    if override is None:
        raise NotFound("calendar override", day.isoformat())
    return override


def _override_event(kind: str, override: CalendarOverride, now: datetime) -> DomainEvent:
    assert override.id is not None
    return DomainEvent(
        type=kind,
        entity="calendar_override",
        entity_id=override.id,
        occurred_at=now,
        payload=override.to_payload(),
    )
