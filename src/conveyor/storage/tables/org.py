"""Org structure: departments, employees, memberships, absences, day status, schedules."""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.employees import EmployeeStatus
from conveyor.domain.languages import Language
from conveyor.domain.tokens import Role
from conveyor.domain.work_schedules import OverrideKind
from conveyor.domain.workdays import DayAction, DayState
from conveyor.storage.tables.base import Id, metadata
from conveyor.storage.types import JsonDict, JsonList, UtcDateTime, enum_of

schedules = Table(
    "schedules",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("country", String(2), nullable=False, server_default="RU"),
    Column("week", JsonDict, nullable=False),
    Column("rotation", JsonDict),
)

# One row at most (id 1): the organization's own settings (``domain/organization.py``).
organization = Table(
    "organization",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("schedule_id", Id, ForeignKey("schedules.id", ondelete="SET NULL")),
    Column("task_remind_hours", Integer, nullable=False),
    Column("updated_at", UtcDateTime),
)

calendar_overrides = Table(
    "calendar_overrides",
    metadata,
    Column("id", Id, primary_key=True),
    Column("day", Date, nullable=False, unique=True),
    Column("kind", enum_of(OverrideKind), nullable=False),
    Column("note", String(500)),
)

employees = Table(
    "employees",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), unique=True),
    Column("position", String(200)),
    Column("timezone", String(64), nullable=False),
    Column("is_external", Boolean, nullable=False, server_default="0"),
    Column("status", enum_of(EmployeeStatus), nullable=False, index=True),
    Column("skills", JsonList, nullable=False),
    Column("schedule_id", Id, ForeignKey("schedules.id", ondelete="SET NULL")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("dismissed_at", UtcDateTime),
    Column("phone", String(20)),
    Column("language", enum_of(Language, 5), nullable=False, server_default="ru"),
)

departments = Table(
    "departments",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("parent_id", Id, ForeignKey("departments.id", ondelete="RESTRICT"), index=True),
    Column("head_id", Id, ForeignKey("employees.id", ondelete="SET NULL"), index=True),
)

memberships = Table(
    "memberships",
    metadata,
    Column("employee_id", Id, ForeignKey("employees.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "department_id",
        Id,
        ForeignKey("departments.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)

absences = Table(
    "absences",
    metadata,
    Column("id", Id, primary_key=True),
    Column("employee_id", Id, ForeignKey("employees.id", ondelete="CASCADE"), nullable=False),
    Column("kind", enum_of(AbsenceKind), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("note", String(500)),
    Index("ix_absences_employee_period", "employee_id", "starts_on", "ends_on"),
    Index("ix_absences_period", "starts_on", "ends_on"),
)

workdays = Table(
    "workdays",
    metadata,
    Column("id", Id, primary_key=True),
    Column("employee_id", Id, ForeignKey("employees.id", ondelete="CASCADE"), nullable=False),
    Column("day", Date, nullable=False),
    Column("state", enum_of(DayState)),
    Column("opened_at", UtcDateTime),
    Column("closed_at", UtcDateTime),
    Column("updated_at", UtcDateTime),
    UniqueConstraint("employee_id", "day", name="uq_workdays_employee_day"),
)

workday_entries = Table(
    "workday_entries",
    metadata,
    Column("id", Id, primary_key=True),
    Column("employee_id", Id, ForeignKey("employees.id", ondelete="CASCADE"), nullable=False),
    Column("day", Date, nullable=False),
    Column("action", enum_of(DayAction), nullable=False),
    Column("state", enum_of(DayState), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_workday_entries_employee_at", "employee_id", "at"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True),
    Column("employee_id", Id, ForeignKey("employees.id", ondelete="CASCADE"), nullable=False),
    Column("role", enum_of(Role), nullable=False),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    Column("expires_at", UtcDateTime),
)

logins = Table(
    "logins",
    metadata,
    Column("employee_id", Id, ForeignKey("employees.id", ondelete="CASCADE"), primary_key=True),
    Column("role", enum_of(Role), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Sign-in attempts not (yet) successful, kept a short while to pause guessing (see
# ``domain/logins.py``): keyed by a hash of the typed email, known or not.
sign_in_attempts = Table(
    "sign_in_attempts",
    metadata,
    Column("id", Id, primary_key=True),
    Column("email_key", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False, index=True),
    Index("ix_sign_in_attempts_email_key_at", "email_key", "at"),
)
