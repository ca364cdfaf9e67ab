"""Logins to the web interface: set by an admin, changed by their owner, and signing in and
out (a session is an expiring API token, see ``domain/logins.py``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from conveyor.domain.actors import Actor
from conveyor.domain.errors import Forbidden, InvalidValue, NotAuthenticated, NotFound
from conveyor.domain.events import DomainEvent
from conveyor.domain.logins import (
    MAX_FAILED_SIGN_INS,
    SESSION_LENGTH,
    SESSION_TOKEN_NAME,
    SIGN_IN_WINDOW,
    Login,
    TooManySignIns,
    check_password,
    minutes_until,
    sign_in_key,
    sign_ins_paused_until,
)
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
    """Give an employee a login (or a new password and role): admins only. Their open web
    sessions end."""
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
        # A session keeps the role it began with: a demoted employee or a reset (perhaps
        # stolen) password must not leave one open.
        _end_sessions(uow, employee_id, now)
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
    """A new web session for the employee with this email (in any letter case, spaces
    trimmed) and password. A wrong email and a wrong password are refused alike, and both
    count towards the email's limit: past ``MAX_FAILED_SIGN_INS`` failures within
    ``SIGN_IN_WINDOW`` the email is refused with ``TooManySignIns``, its password unchecked."""
    typed = email.strip()
    key = sign_in_key(typed)
    with uow:
        # The attempt is counted before the (slow) check, and forgotten if it succeeds, so
        # that many at once cannot slip past the limit while their passwords are hashed.
        latest = uow.sign_ins.latest(key, since=now - SIGN_IN_WINDOW, limit=MAX_FAILED_SIGN_INS)
        paused_until = sign_ins_paused_until(latest, now=now)
        if paused_until is not None:
            raise TooManySignIns(minutes_until(paused_until, now=now))
        attempt = uow.sign_ins.record(key, at=now)
        employee = uow.employees.with_email(typed) if typed else None
        login = uow.logins.find(employee.id) if employee and employee.id else None
        uow.commit()
    checked = login.password_hash if login else None
    if not password_matches(checked, password):
        raise NotAuthenticated(WRONG_CREDENTIALS)
    assert login is not None
    with uow:
        employee = uow.employees.find(login.employee_id)
        login = uow.logins.find(login.employee_id)
        # Changed or taken away while the password was checked: that check is void.
        if login is None or login.password_hash != checked:
            raise NotAuthenticated(WRONG_CREDENTIALS)
        if employee is None or not employee.is_active:
            raise NotAuthenticated(WRONG_CREDENTIALS)
        uow.sign_ins.forget(attempt)
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


#: How long ended web sessions stay listed (``GET /tokens``) before ``purge_sign_ins``.
KEEP_ENDED_SESSIONS = timedelta(days=7)


def purge_sign_ins(uow: UnitOfWork, *, now: datetime) -> int:
    """Delete the sign-in attempts out of the window and the web sessions that expired or
    were revoked over ``KEEP_ENDED_SESSIONS`` ago (API tokens are never touched); how many
    rows went. Run hourly with ``services.jobs.purge_jobs``."""
    with uow:
        gone = uow.sign_ins.purge_before(now - SIGN_IN_WINDOW)
        gone += uow.tokens.purge_ended_sessions(
            name=SESSION_TOKEN_NAME, before=now - KEEP_ENDED_SESSIONS
        )
        uow.commit()
    return gone


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
