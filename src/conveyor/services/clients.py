"""Companies and contacts: create, change, delete, find.

Everyone inside the company works with clients; deleting one takes a head or an admin.
External partners have no access to the client base (``require_client_access``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar, cast

from conveyor.domain.actors import Actor
from conveyor.domain.clients import (
    Client,
    Company,
    Contact,
    check_email,
    check_name,
    check_phone,
    require_client_access,
)
from conveyor.domain.errors import Conflict
from conveyor.domain.pages import Page
from conveyor.domain.pipelines import EntityType
from conveyor.domain.tokens import Role
from conveyor.services.references import active_employee, custom_field_values
from conveyor.storage.repositories.base import Repository
from conveyor.storage.unit_of_work import UnitOfWork

C = TypeVar("C", bound=Client)


@dataclass(frozen=True, kw_only=True)
class CreateCompany:
    name: str
    responsible_id: int | None = None
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class CreateContact:
    name: str
    email: str | None = None
    phone: str | None = None
    company_id: int | None = None
    responsible_id: int | None = None
    fields: dict[str, Any] = field(default_factory=dict)


def create_company(
    uow: UnitOfWork, command: CreateCompany, *, actor: Actor, now: datetime
) -> Company:
    """Add a company (``CompanyCreated``)."""
    return _create(uow, Company, command, actor=actor, now=now)


def create_contact(
    uow: UnitOfWork, command: CreateContact, *, actor: Actor, now: datetime
) -> Contact:
    """Add a contact (``ContactCreated``); ``company_id`` must name a company."""
    return _create(uow, Contact, command, actor=actor, now=now)


def update_company(
    uow: UnitOfWork, company_id: int, changes: Mapping[str, Any], *, actor: Actor, now: datetime
) -> Company:
    """Change the fields given; ``fields`` merges (a code set to ``None`` is cleared).

    Emits ``CompanyChanged`` naming what really changed (``fields.<code>`` for custom
    fields); nothing is written when nothing changed.
    """
    return _update(uow, Company, company_id, changes, actor=actor, now=now)


def update_contact(
    uow: UnitOfWork, contact_id: int, changes: Mapping[str, Any], *, actor: Actor, now: datetime
) -> Contact:
    """Like ``update_company``, for a contact (``ContactChanged``)."""
    return _update(uow, Contact, contact_id, changes, actor=actor, now=now)


def delete_company(uow: UnitOfWork, company_id: int, *, actor: Actor, now: datetime) -> None:
    """Delete a company that no lead or deal names (``Conflict`` otherwise).

    Its contacts stay, without a company (``ContactChanged`` each). Its communications stay
    in the log of their contact or deal; those about the company alone are deleted.
    """
    require_client_access(actor)
    actor.require(Role.HEAD)
    with uow:
        company = uow.companies.get(company_id)
        items = uow.companies.item_count(company_id)
        if items:
            raise Conflict(
                f"Company {company_id} has {items} deal(s) or lead(s); move them to another"
                " company or delete them first"
            )
        detached = []
        for contact in uow.contacts.where(company_id=company_id):
            contact.company_id = None
            contact.updated_at = now
            detached.append(contact.id)
            uow.emit(contact.event("Changed", now, changed=["company_id"], company_id=None))
        uow.companies.delete(company)
        removed = uow.communications.delete_unlinked()
        uow.emit(
            company.event(
                "Deleted",
                now,
                name=company.name,
                contacts_detached=detached,
                communications_deleted=removed,
            )
        )
        uow.commit()


def delete_contact(uow: UnitOfWork, contact_id: int, *, actor: Actor, now: datetime) -> None:
    """Delete a contact that no lead or deal names (``Conflict`` otherwise); its
    communications stay in the log of their company or deal, the rest are deleted."""
    require_client_access(actor)
    actor.require(Role.HEAD)
    with uow:
        contact = uow.contacts.get(contact_id)
        items = uow.contacts.item_count(contact_id)
        if items:
            raise Conflict(
                f"Contact {contact_id} is named by {items} deal(s) or lead(s); change them first"
            )
        uow.contacts.delete(contact)
        removed = uow.communications.delete_unlinked()
        uow.emit(contact.event("Deleted", now, name=contact.name, communications_deleted=removed))
        uow.commit()


def get_company(uow: UnitOfWork, company_id: int, *, actor: Actor) -> Company:
    require_client_access(actor)
    with uow:
        return uow.companies.get(company_id)


def get_contact(uow: UnitOfWork, contact_id: int, *, actor: Actor) -> Contact:
    require_client_access(actor)
    with uow:
        return uow.contacts.get(contact_id)


def list_companies(
    uow: UnitOfWork,
    *,
    actor: Actor,
    limit: int,
    offset: int,
    name: str | None = None,
    responsible_id: int | None = None,
) -> Page[Company]:
    """Companies whose name contains ``name`` (any case), by id."""
    require_client_access(actor)
    with uow:
        return uow.companies.search(
            limit=limit, offset=offset, name=name, responsible_id=responsible_id
        )


def list_contacts(
    uow: UnitOfWork,
    *,
    actor: Actor,
    limit: int,
    offset: int,
    name: str | None = None,
    responsible_id: int | None = None,
    company_id: int | None = None,
) -> Page[Contact]:
    """Contacts whose name contains ``name`` (any case), by id."""
    require_client_access(actor)
    with uow:
        return uow.contacts.search(
            limit=limit,
            offset=offset,
            name=name,
            responsible_id=responsible_id,
            company_id=company_id,
        )


def _repository(uow: UnitOfWork, kind: type[C]) -> Repository[C]:
    """Where clients of ``kind`` are stored; call inside ``with uow``."""
    return cast("Repository[C]", uow.companies if kind is Company else uow.contacts)


def _create(
    uow: UnitOfWork,
    kind: type[C],
    command: CreateCompany | CreateContact,
    *,
    actor: Actor,
    now: datetime,
) -> C:
    require_client_access(actor)
    with uow:
        values = _checked(uow, kind.ENTITY_TYPE, {}, command.__dict__)
        client = _repository(uow, kind).add(kind(**values, created_at=now, updated_at=now))
        uow.emit(client.created(now))
        uow.commit()
    return client


def _update(
    uow: UnitOfWork,
    kind: type[C],
    client_id: int,
    changes: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
) -> C:
    require_client_access(actor)
    with uow:
        client = _repository(uow, kind).get(client_id)
        _apply(uow, client, changes, now)
        uow.commit()
    return client


def _checked(
    uow: UnitOfWork,
    entity_type: EntityType,
    current_fields: Mapping[str, Any],
    given: Mapping[str, Any],
) -> dict[str, Any]:
    """``given`` attributes checked and normalized; ids must name usable objects."""
    values: dict[str, Any] = {}
    for name, value in given.items():
        if name == "name":
            values[name] = check_name(value)
        elif name == "email":
            values[name] = check_email(value)
        elif name == "phone":
            values[name] = check_phone(value)
        elif name == "responsible_id":
            if value is not None:
                active_employee(uow, value, field="responsible_id")
            values[name] = value
        elif name == "company_id":
            if value is not None:
                uow.companies.get(value, field="company_id")
            values[name] = value
        elif name == "fields":
            values[name] = custom_field_values(uow, entity_type, current_fields, value or {})
        else:
            raise ValueError(f"{name} is not an attribute of a {entity_type.value}")
    return values


def _apply(uow: UnitOfWork, client: Client, changes: Mapping[str, Any], now: datetime) -> None:
    values = _checked(uow, client.ENTITY_TYPE, client.fields, changes)
    changed: list[str] = []
    for name, value in values.items():
        if name == "fields":
            codes = set(client.fields) | set(value)
            changed += [f"fields.{c}" for c in codes if client.fields.get(c) != value.get(c)]
        elif getattr(client, name) != value:
            changed.append(name)
    if not changed:
        return
    for name, value in values.items():
        if name == "name":
            client.rename(value)
        elif name == "fields":
            client.fields = dict(value)
        else:
            setattr(client, name, value)
    client.updated_at = now
    uow.emit(client.event("Changed", now, changed=sorted(changed)))
