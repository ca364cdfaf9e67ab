"""The communications log: log a call, email, meeting, message or note; read the log.

The log is append-only: a communication is a fact that happened, so there is no update.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from conveyor.domain.actors import Actor
from conveyor.domain.clients import require_client_access
from conveyor.domain.communications import (
    MAX_BODY,
    MAX_SUBJECT,
    Communication,
    CommunicationKind,
    Direction,
    Links,
    check_occurred_at,
    check_text,
)
from conveyor.domain.errors import InvalidValue
from conveyor.domain.moments import check_moment
from conveyor.domain.pages import Page
from conveyor.services import trigger_firing
from conveyor.storage.unit_of_work import UnitOfWork

E = TypeVar("E", bound=enum.StrEnum)


@dataclass(frozen=True, kw_only=True)
class LogCommunication:
    kind: CommunicationKind
    direction: Direction = Direction.NONE
    #: When it happened; ``None`` is now.
    occurred_at: datetime | None = None
    subject: str | None = None
    body: str | None = None
    #: Who talked; ``None`` is the acting employee.
    employee_id: int | None = None
    contact_id: int | None = None
    company_id: int | None = None
    item_id: int | None = None


def log_communication(
    uow: UnitOfWork, command: LogCommunication, *, actor: Actor, now: datetime
) -> Communication:
    """Log a communication about a contact, a company and/or a lead or deal.

    Logged on a deal, it also gets the deal's contact and company (unless others are
    given); logged on a contact, the contact's company — so the company's log and its
    "last communication" see it. Emits ``CommunicationLogged``.
    """
    require_client_access(actor)
    kind = _member(CommunicationKind, command.kind, field="kind")
    direction = _member(Direction, command.direction, field="direction")
    occurred_at = check_occurred_at(command.occurred_at or now, now=now)
    subject = check_text(command.subject, limit=MAX_SUBJECT, field="subject")
    body = check_text(command.body, limit=MAX_BODY, field="body")
    links = Links(
        contact_id=command.contact_id, company_id=command.company_id, item_id=command.item_id
    ).require_any()
    with uow:
        employee_id = command.employee_id
        if employee_id is not None:
            uow.employees.get(employee_id, field="employee_id")
        elif uow.employees.find(actor.employee_id) is not None:
            employee_id = actor.employee_id
        item_entity = None
        if links.item_id is not None:
            item = uow.items.get(links.item_id, field="item_id")
            item_entity = item.entity_type.value
            links = links.filled_from_item(item.contact_id, item.company_id)
        if links.contact_id is not None:
            contact = uow.contacts.get(links.contact_id, field="contact_id")
            links = links.filled_from_contact(contact.company_id)
        if links.company_id is not None:
            uow.companies.get(links.company_id, field="company_id")
        communication = uow.communications.add(
            Communication(
                kind=kind,
                direction=direction,
                occurred_at=occurred_at,
                subject=subject,
                body=body,
                employee_id=employee_id,
                contact_id=links.contact_id,
                company_id=links.company_id,
                item_id=links.item_id,
                created_at=now,
            )
        )
        uow.emit(communication.logged(item_entity=item_entity))
        trigger_firing.communication_logged(uow, communication, now=now)
        uow.commit()
    return communication


def get_communication(uow: UnitOfWork, communication_id: int, *, actor: Actor) -> Communication:
    require_client_access(actor)
    with uow:
        return uow.communications.get(communication_id)


def list_communications(
    uow: UnitOfWork,
    *,
    actor: Actor,
    limit: int,
    offset: int,
    company_id: int | None = None,
    contact_id: int | None = None,
    item_id: int | None = None,
    employee_id: int | None = None,
    kind: CommunicationKind | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[Communication]:
    """The log, newest first; ``since`` is inclusive and ``until`` exclusive."""
    require_client_access(actor)
    if since is not None:
        check_moment(since, field="from")
    if until is not None:
        check_moment(until, field="to")
    if since is not None and until is not None and until < since:
        raise InvalidValue("'to' is before 'from'", field="to")
    with uow:
        return uow.communications.search(
            limit=limit,
            offset=offset,
            company_id=company_id,
            contact_id=contact_id,
            item_id=item_id,
            employee_id=employee_id,
            kind=kind,
            since=since,
            until=until,
        )


def last_communication(
    uow: UnitOfWork,
    *,
    actor: Actor,
    company_id: int | None = None,
    contact_id: int | None = None,
) -> Communication | None:
    """The newest communication with the company (or contact), ``None`` when there is none.

    One indexed query; only when it finds nothing does a second one tell "no
    communication yet" from "no such company" (``NotFound``).
    """
    require_client_access(actor)
    with uow:
        found = uow.communications.last(company_id=company_id, contact_id=contact_id)
        if found is None:
            if company_id is not None:
                uow.companies.get(company_id)
            if contact_id is not None:
                uow.contacts.get(contact_id)
        return found


def _member(cls: type[E], value: str, *, field: str) -> E:
    """``value`` as a member of ``cls``: service callers may pass the plain string."""
    try:
        return cls(value)
    except ValueError:
        raise InvalidValue(f"Expected one of: {', '.join(cls)}", field=field) from None
