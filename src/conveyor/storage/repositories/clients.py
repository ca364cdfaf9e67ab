"""Repositories of contacts, companies and communications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, func, select
from sqlalchemy.orm import Session

from conveyor.domain.clients import Company, Contact, name_key
from conveyor.domain.communications import Communication, CommunicationKind
from conveyor.domain.pages import Page
from conveyor.storage.repositories.base import Repository
from conveyor.storage.tables.clients import communications, companies, contacts
from conveyor.storage.tables.crm import crm_items


def _name_contains(column: Any, text: str | None) -> list[ColumnElement[bool]]:
    if not text:
        return []
    # autoescape: a % or _ typed by the user is a literal character, not a wildcard.
    return [column.contains(name_key(text), autoescape=True)]


class CompanyRepository(Repository[Company]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Company, "company")

    def search(
        self, *, limit: int, offset: int, name: str | None, responsible_id: int | None
    ) -> Page[Company]:
        """Companies whose name contains ``name`` (any case), by id."""
        return self.page(
            limit=limit,
            offset=offset,
            filters={"responsible_id": responsible_id},
            conditions=_name_contains(companies.c.name_key, name),
        )

    def item_count(self, company_id: int) -> int:
        """How many leads and deals name the company."""
        query = select(func.count()).where(crm_items.c.company_id == company_id)
        return self.session.scalar(query) or 0


class ContactRepository(Repository[Contact]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Contact, "contact")

    def search(
        self,
        *,
        limit: int,
        offset: int,
        name: str | None,
        responsible_id: int | None,
        company_id: int | None,
    ) -> Page[Contact]:
        """Contacts whose name contains ``name`` (any case), by id."""
        return self.page(
            limit=limit,
            offset=offset,
            filters={"responsible_id": responsible_id, "company_id": company_id},
            conditions=_name_contains(contacts.c.name_key, name),
        )

    def item_count(self, contact_id: int) -> int:
        """How many leads and deals name the contact."""
        query = select(func.count()).where(crm_items.c.contact_id == contact_id)
        return self.session.scalar(query) or 0

    def ids_in(self, company_id: int) -> list[int]:
        query = select(contacts.c.id).where(contacts.c.company_id == company_id)
        return list(self.session.scalars(query.order_by(contacts.c.id)))


class ClientRepositories:
    def __init__(self, session: Session) -> None:
        self.companies = CompanyRepository(session)
        self.contacts = ContactRepository(session)


class CommunicationRepository(Repository[Communication]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Communication, "communication")

    def last_query(
        self, *, company_id: int | None = None, contact_id: int | None = None
    ) -> Select[Communication]:
        """The newest communication with a company or a contact: one backward step in
        ``ix_communications_company_at`` (or ``_contact_at``)."""
        if (company_id is None) == (contact_id is None):
            raise ValueError("give exactly one of company_id and contact_id")
        column = (
            communications.c.company_id if company_id is not None else communications.c.contact_id
        )
        return (
            select(Communication)
            .where(column == (company_id if company_id is not None else contact_id))
            .order_by(communications.c.occurred_at.desc(), communications.c.id.desc())
            .limit(1)
        )

    def last(
        self, *, company_id: int | None = None, contact_id: int | None = None
    ) -> Communication | None:
        query = self.last_query(company_id=company_id, contact_id=contact_id)
        return self.session.scalars(query).first()

    def search(
        self,
        *,
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
        """Matching communications, newest first; ``since`` inclusive, ``until`` exclusive."""
        at = communications.c.occurred_at
        conditions = []
        if since is not None:
            conditions.append(at >= since)
        if until is not None:
            conditions.append(at < until)
        return self.page(
            limit=limit,
            offset=offset,
            filters={
                "company_id": company_id,
                "contact_id": contact_id,
                "item_id": item_id,
                "employee_id": employee_id,
                "kind": kind,
            },
            conditions=conditions,
            order_by=[at.desc(), communications.c.id.desc()],
        )

    def delete_unlinked(self) -> int:
        """Delete the communications that deleting a company, contact or item left about
        nobody (their links are cleared by the foreign keys); returns how many."""
        self.session.flush()
        c = communications.c
        result = self.session.execute(
            delete(communications).where(
                c.company_id.is_(None), c.contact_id.is_(None), c.item_id.is_(None)
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
