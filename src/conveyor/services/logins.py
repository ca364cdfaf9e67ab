"""Logins to the web interface: set by an admin, changed by their owner, and signing in and
out (a session is an expiring API token, see ``domain/logins.py``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from conveyor.domain.actors import Actor
from conveyor.domain.errors import Forbidden, InvalidValue, NotAuthenticated, NotFound
from conveyor.domain.events import DomainEvent
from conveyor.domain.logins import SESSION_LENGTH, SESSION_TOKEN_NAME, Login, check_password
from conveyor.domain.tokens import ApiToken, Role, hash_token
from conveyor.services.passwords import hash_password, password_matches
from conveyor.services.tokens import PREFIX
from conveyor.storage.unit_of_work import UnitOfWork

WRONG_CREDENTIALS = "The email or the password is wrong"


@dataclass(frozen=True, kw_only=True)
class Session:
    """A signed-in employee: the token secret goes into the browser's cookie."""

    employee_id: int
    role: Role
    secret: str
    expires_at: datetime


def set_login(
    uow: UnitOfWork, employee_id: int, *, role: Role, password: str, actor: Actor, now: datetime
) -> Login:
    """Give an employee a login (or a new password and role): admins only."""
    actor.require_admin()
    check_password(password)
    with uow:
        employee = uow.employees.get(employee_id)
        if not employee.is_active:
            raise InvalidValue(f"Employee {employee_id} is dismissed", field="employee_id")
        if employee.email is None:
            raise InvalidValue(
                f"Employee {employee_id} has no email to sign in with", field="employee_id"
            )
        if employee.is_external and role is not Role.EMPLOYEE:
            raise InvalidValue("An external employee can only have the employee role", field="role")
        login = uow.logins.find(employee_id)
        if login is None:
            login = uow.logins.add(
                Login(employee_id=employee_id, role=role, password_hash="", updated_at=now)
            )
        login.role = role
        login.password_hash = hash_password(password)
        login.updated_at = now
        uow.emit(_event("LoginSet", employee_id, now, role=role.value))
        uow.commit()
        return login


def remove_login(uow: UnitOfWork, employee_id: int, *, actor: Actor, now: datetime) -> None:
    """Take an employee's login away and end their open web sessions."""
    actor.require_admin()
    with uow:
        login = uow.logins.find(employee_id)
        if login is None:
            raise NotFound("login", employee_id)
        uow.logins.delete(login)
        _end_sessions(uow, employee_id, now)
        uow.emit(_event("LoginRemoved", employee_id, now))
        uow.commit()


def change_password(
    uow: UnitOfWork,
    *,
    current: str,
    new: str,
    actor: Actor,
    now: datetime,
    keep_session: str | None = None,
) -> None:
    """An employee's own new password, given the current one. Their web sessions end, but
    for ``keep_session`` (the secret of the one they changed it in)."""
    check_password(new, field="new_password")
    with uow:
        login = uow.logins.find(actor.employee_id)
        if login is None:
            raise Forbidden("You have no login; an admin gives one")
        if not password_matches(login.password_hash, current):
            raise InvalidValue("The current password is wrong", field="current_password")
        login.password_hash = hash_password(new)
        login.updated_at = now
        kept = hash_token(keep_session) if keep_session else None
        _end_sessions(uow, actor.employee_id, now, but=kept)
        uow.emit(_event("PasswordChanged", actor.employee_id, now))
        uow.commit()


def sign_in(uow: UnitOfWork, *, email: str, password: str, now: datetime) -> Session:
    """A new web session for the employee with this email and password. A wrong email and a
    wrong password are refused alike."""
    with uow:
        found = uow.employees.where(email=email.strip()) if email.strip() else []
        employee = found[0] if found else None
        login = uow.logins.find(employee.id) if employee and employee.id else None
        if not password_matches(login.password_hash if login else None, password):
            raise NotAuthenticated(WRONG_CREDENTIALS)
        assert employee is not None and login is not None
        if not employee.is_active:
            raise NotAuthenticated(WRONG_CREDENTIALS)
        role = Role.EMPLOYEE if employee.is_external else login.role
        secret = PREFIX + secrets.token_urlsafe(32)
        expires_at = now + SESSION_LENGTH
        uow.tokens.add(
            ApiToken(
                employee_id=login.employee_id,
                role=role,
                name=SESSION_TOKEN_NAME,
                token_hash=hash_token(secret),
                created_at=now,
                expires_at=expires_at,
            )
        )
        uow.emit(_event("SignedIn", login.employee_id, now))
        uow.commit()
        return Session(
            employee_id=login.employee_id, role=role, secret=secret, expires_at=expires_at
        )


def sign_out(uow: UnitOfWork, secret: str, *, now: datetime) -> None:
    """End the web session of ``secret`` (nothing happens for an unknown one)."""
    with uow:
        token = uow.tokens.by_hash(hash_token(secret))
        if token is not None and token.name == SESSION_TOKEN_NAME and token.is_active:
            token.revoked_at = now
            uow.emit(_event("SignedOut", token.employee_id, now))
            uow.commit()


def has_login(uow: UnitOfWork, employee_id: int) -> Login | None:
    with uow:
        return uow.logins.find(employee_id)


def _end_sessions(
    uow: UnitOfWork, employee_id: int, now: datetime, *, but: str | None = None
) -> None:
    for token in uow.tokens.where(employee_id=employee_id, name=SESSION_TOKEN_NAME):
        if token.is_active and token.token_hash != but:
            token.revoked_at = now


def _event(kind: str, employee_id: int, now: datetime, **payload: object) -> DomainEvent:
    return DomainEvent(
        type=kind, entity="employee", entity_id=employee_id, occurred_at=now, payload=payload
    )
