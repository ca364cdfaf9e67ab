"""Departments, employees and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from conveyor.api.schemas.common import Email, Id, Input, Name, Output, Update
from conveyor.domain.employees import EmployeeStatus
from conveyor.domain.languages import DEFAULT_LANGUAGE, Language
from conveyor.domain.tokens import Role

Skill = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Timezone = Annotated[str, StringConstraints(min_length=1, max_length=64)]
#: International form: a plus and 7 to 15 digits ("+79161234567").
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+[1-9][0-9]{6,14}$")]


class DepartmentCreate(Input):
    name: Name
    parent_id: Id | None = None
    head_id: Id | None = None


class DepartmentUpdate(Update):
    NOT_NULL = ("name",)

    name: Name | None = None
    parent_id: Id | None = None
    head_id: Id | None = None


class DepartmentPublic(Output):
    id: int
    name: str
    parent_id: int | None
    head_id: int | None


class EmployeeCreate(Input):
    name: Name
    email: Email | None = None
    position: Name | None = None
    timezone: Timezone = "Europe/Moscow"
    is_external: bool = False
    skills: list[Skill] = Field(default_factory=list, max_length=50)
    schedule_id: Id | None = None
    department_ids: list[Id] = Field(default_factory=list, max_length=50)
    phone: Phone | None = None
    language: Language = DEFAULT_LANGUAGE


class EmployeeUpdate(Update):
    NOT_NULL = (
        "name",
        "timezone",
        "is_external",
        "skills",
        "department_ids",
        "status",
        "language",
    )

    name: Name | None = None
    email: Email | None = None
    position: Name | None = None
    timezone: Timezone | None = None
    is_external: bool | None = None
    skills: list[Skill] | None = Field(default=None, max_length=50)
    schedule_id: Id | None = None
    department_ids: list[Id] | None = Field(default=None, max_length=50)
    status: EmployeeStatus | None = None
    phone: Phone | None = None
    language: Language | None = None


class EmployeePublic(Output):
    id: int
    name: str
    email: str | None
    position: str | None
    timezone: str
    is_external: bool
    status: EmployeeStatus
    skills: list[str]
    schedule_id: int | None
    department_ids: list[int]
    created_at: datetime
    dismissed_at: datetime | None
    phone: str | None
    language: Language


class TokenCreate(Input):
    employee_id: Id
    role: Role = Role.EMPLOYEE
    name: Name = "API"


class TokenPublic(Output):
    id: int
    employee_id: int
    role: Role
    name: str
    created_at: datetime
    revoked_at: datetime | None
    expires_at: datetime | None = Field(
        default=None, description="When a web session's token stops working"
    )


class TokenIssued(TokenPublic):
    token: str = Field(description="The secret; shown once, only its hash is stored")


class LoginSet(Input):
    role: Role = Role.EMPLOYEE
    password: str = Field(min_length=1, max_length=1000, description="At least 8 characters")


class LoginPublic(Output):
    employee_id: int
    role: Role
    updated_at: datetime


class PasswordChange(Input):
    current_password: str = Field(max_length=1000)
    new_password: str = Field(max_length=1000)
