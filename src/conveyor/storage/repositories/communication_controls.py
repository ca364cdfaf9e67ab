"""Communication controls, their checks, and the read of the companies silent since a moment.

``silent_companies`` is the one set-based read of a control's run: companies by id after a
cursor, each tested with two indexed probes (``ix_communications_company_at`` for a
communication since the cutoff, ``ix_communication_checks_company`` for a deal of this
control still open or opened since the cutoff), and its last communication read from the
head of the same index.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from conveyor.domain.communication_controls import (
    CommunicationControl,
    ControlCheck,
    SilentCompany,
)
from conveyor.domain.pages import Page
from conveyor.storage.repositories.base import Repository
from conveyor.storage.tables.clients import communications, companies
from conveyor.storage.tables.communication_controls import control_checks
from conveyor.storage.tables.crm import crm_items


class CommunicationControlRepository(Repository[CommunicationControl]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, CommunicationControl, "communication control")

    def silent_companies(
        self, control_id: int, *, cutoff: datetime, after: int | None, limit: int
    ) -> list[SilentCompany]:
        """Up to ``limit`` companies with id > ``after`` (``None``: from the first), by id,
        that existed at ``cutoff``, had no communication at or after it, and have no deal
        opened by control ``control_id`` that is still open or was opened at or after it
        (a service deal closed without a logged call holds the company back as a call
        would: the silence counts from the later of the two)."""
        c = companies.c
        heard = communications.c
        check = control_checks.c
        item = crm_items.c
        spoken_since = exists().where(heard.company_id == c.id, heard.occurred_at >= cutoff)
        deal_holds = exists().where(
            check.control_id == control_id,
            check.company_id == c.id,
            item.id == check.item_id,
            or_(item.closed_at.is_(None), item.created_at >= cutoff),
        )
        last_heard = (
            select(func.max(heard.occurred_at)).where(heard.company_id == c.id).scalar_subquery()
        )
        query = (
            select(c.id, c.name, c.responsible_id, last_heard)
            .where(c.created_at <= cutoff, ~spoken_since, ~deal_holds)
            .order_by(c.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(c.id > after)
        return [
            SilentCompany(
                id=row[0], name=row[1], responsible_id=row[2], last_communication_at=row[3]
            )
            for row in self.session.execute(query)
        ]

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """What is written inside is undone if it raises (the transaction goes on)."""
        with self.session.begin_nested():
            yield


class ControlCheckRepository(Repository[ControlCheck]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, ControlCheck, "control check")

    def page_of(
        self, control_id: int, *, limit: int, offset: int, company_id: int | None = None
    ) -> Page[ControlCheck]:
        """The control's checks, the latest first (only one company's when given)."""
        return self.page(
            limit=limit,
            offset=offset,
            filters={"control_id": control_id, "company_id": company_id},
            order_by=[control_checks.c.checked_at.desc(), control_checks.c.id.desc()],
        )
