"""Absences: the period queries the org services need."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from conveyor.domain.absences import Absence, AbsenceKind
from conveyor.domain.pages import Page
from conveyor.storage.repositories.base import Repository
from conveyor.storage.tables.org import absences


class AbsenceRepository(Repository[Absence]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Absence, "absence")

    def of_employee_between(self, employee_id: int, first: date, last: date) -> list[Absence]:
        """The employee's absences sharing a day with ``first``..``last``, earliest first.

        This narrows the rows with the index; the domain (``first_overlap``) decides.
        """
        query = self.select(employee_id=employee_id).where(*_overlapping(first, last))
        return list(self.session.scalars(query.order_by(absences.c.starts_on, absences.c.id)))

    def page_matching(
        self,
        *,
        limit: int,
        offset: int,
        employee_id: int | None = None,
        kind: AbsenceKind | None = None,
        on: date | None = None,
        first: date | None = None,
        last: date | None = None,
    ) -> Page[Absence]:
        """A page of absences, earliest first: covering ``on``, overlapping ``first``..``last``
        (either end may be open)."""
        conditions: list[ColumnElement[bool]] = []
        if on is not None:
            conditions += _overlapping(on, on)
        if first is not None:
            conditions.append(absences.c.ends_on >= first)
        if last is not None:
            conditions.append(absences.c.starts_on <= last)
        filters: dict[str, Any] = {"employee_id": employee_id, "kind": kind}
        return self.page(
            limit=limit,
            offset=offset,
            filters=filters,
            conditions=conditions,
            order_by=[absences.c.starts_on],
        )


def _overlapping(first: date, last: date) -> list[ColumnElement[bool]]:
    return [absences.c.starts_on <= last, absences.c.ends_on >= first]
