"""Repositories of contacts, companies and communications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conveyor.domain.clients import Company, Contact
from conveyor.domain.communications import Communication
from conveyor.storage.repositories.base import Repository
from conveyor.storage.tables.clients import communications


class ClientRepositories:
    def __init__(self, session: Session) -> None:
        self.companies: Repository[Company] = Repository(session, Company, "company")
        self.contacts: Repository[Contact] = Repository(session, Contact, "contact")


class CommunicationRepository(Repository[Communication]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Communication, "communication")

    def last_with_company(self, company_id: int) -> datetime | None:
        """When the company was last talked to: one lookup in (company_id, occurred_at)."""
        query = select(func.max(communications.c.occurred_at)).where(
            communications.c.company_id == company_id
        )
        # max() keeps the column's type, so the value comes back timezone-aware.
        found: datetime | None = self.session.scalar(query)
        return found
