"""Employees: internal staff and external partners, and their department memberships."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import available_timezones

from conveyor.domain.errors import Conflict, InvalidValue
from conveyor.domain.languages import DEFAULT_LANGUAGE, Language


class EmployeeStatus(enum.StrEnum):
    ACTIVE = "active"
    DISMISSED = "dismissed"


@dataclass(kw_only=True)
class Employee:
    id: int | None = None
    name: str
    email: str | None = None
    position: str | None = None
    timezone: str = "Europe/Moscow"
    is_external: bool = False
    status: EmployeeStatus = EmployeeStatus.ACTIVE
    skills: list[str] = field(default_factory=list)
    schedule_id: int | None = None
    created_at: datetime | None = None
    dismissed_at: datetime | None = None
    #: For SMS notifications, in international form: "+79161234567".
    phone: str | None = None
    #: The language notifications are written to them in.
    language: Language = DEFAULT_LANGUAGE

    @property
    def is_active(self) -> bool:
        return self.status is EmployeeStatus.ACTIVE

    def dismiss(self, *, now: datetime) -> None:
        if not self.is_active:
            raise Conflict(f"Employee {self.id} is already dismissed")
        self.status = EmployeeStatus.DISMISSED
        self.dismissed_at = now

    def rehire(self) -> None:
        self.status = EmployeeStatus.ACTIVE
        self.dismissed_at = None


@dataclass(kw_only=True)
class Membership:
    """An employee belongs to a department (an employee may belong to several)."""

    employee_id: int
    department_id: int


def check_timezone(name: str, *, field_name: str = "timezone") -> str:
    if name not in _TIMEZONES:
        raise InvalidValue(f"Unknown timezone '{name}'", field=field_name)
    return name


def normalize_skills(skills: list[str]) -> list[str]:
    """Skill tags are trimmed, case-folded for comparison and kept unique, in order."""
    seen: set[str] = set()
    result: list[str] = []
    for raw in skills:
        tag = raw.strip()
        if not tag:
            raise InvalidValue("A skill tag cannot be empty", field="skills")
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            result.append(tag)
    return result


_TIMEZONES = frozenset(available_timezones())
