"""API tokens: issue, authenticate, revoke."""

from __future__ import annotations

import secrets
from datetime import datetime

from conveyor.domain.actors import Actor
from conveyor.domain.errors import InvalidValue, NotAuthenticated
from conveyor.domain.events import DomainEvent
from conveyor.domain.pages import Page
from conveyor.domain.tokens import ApiToken, Role, hash_token
from conveyor.storage.unit_of_work import UnitOfWork

PREFIX = "cv_"


def issue_token(
    uow: UnitOfWork, *, employee_id: int, role: Role, name: str, actor: Actor, now: datetime
) -> tuple[ApiToken, str]:
    """A new token for ``employee_id``; the secret is returned once and only its hash is kept."""
    actor.require_admin()
    secret = PREFIX + secrets.token_urlsafe(32)
    with uow:
        employee = uow.employees.get(employee_id, field="employee_id")
        if not employee.is_active:
            raise InvalidValue(f"Employee {employee_id} is dismissed", field="employee_id")
        if employee.is_external and role is not Role.EMPLOYEE:
            raise InvalidValue("An external employee can only have the employee role", field="role")
        token = uow.tokens.add(
            ApiToken(
                employee_id=employee_id,
                role=role,
                name=name,
                token_hash=hash_token(secret),
                created_at=now,
            )
        )
        assert token.id is not None
        uow.emit(
            DomainEvent(
                type="TokenIssued",
                entity="employee",
                entity_id=employee_id,
                occurred_at=now,
                payload={"token_id": token.id, "role": role.value},
            )
        )
        uow.commit()
    return token, secret


def authenticate(uow: UnitOfWork, secret: str, *, now: datetime) -> Actor:
    """The actor behind ``secret``; refused when unknown, revoked, expired (a web session's
    token), or the employee left."""
    with uow:
        token = uow.tokens.by_hash(hash_token(secret))
        if token is None or not token.works_at(now):
            raise NotAuthenticated("The API token is unknown, revoked or expired")
        employee = uow.employees.get(token.employee_id)
        if not employee.is_active:
            raise NotAuthenticated("The token's employee is dismissed")
        # A partner keeps only the employee role, even on a token issued before they
        # became external: rights follow who the person is now, not what the token says.
        role = Role.EMPLOYEE if employee.is_external else token.role
        return Actor(employee_id=token.employee_id, role=role, is_external=employee.is_external)


def revoke_token(uow: UnitOfWork, token_id: int, *, actor: Actor, now: datetime) -> ApiToken:
    actor.require_admin()
    with uow:
        token = uow.tokens.get(token_id)
        if token.revoked_at is None:
            token.revoked_at = now
            uow.emit(
                DomainEvent(
                    type="TokenRevoked",
                    entity="employee",
                    entity_id=token.employee_id,
                    occurred_at=now,
                    payload={"token_id": token_id},
                )
            )
        uow.commit()
    return token


def list_tokens(
    uow: UnitOfWork, *, actor: Actor, limit: int, offset: int, employee_id: int | None = None
) -> Page[ApiToken]:
    actor.require_admin()
    with uow:
        return uow.tokens.page(limit=limit, offset=offset, filters={"employee_id": employee_id})
