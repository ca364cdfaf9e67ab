"""Call distributions, their runs, and the set-based reads and bulk write of one round.

A round may hand out a million companies, so its reads and writes never go through mapped
objects: companies are read as (id, name) rows a page at a time by id (keyset, on the primary
key), and the call tasks are written in bulk, many rows per statement (``insert_tasks``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Dialect, exists, select
from sqlalchemy.orm import Session

from conveyor.domain.call_distribution_runs import CallDistributionRun
from conveyor.domain.call_distributions import CallDistribution
from conveyor.domain.pages import Page
from conveyor.storage.repositories.base import Repository
from conveyor.storage.repositories.lists import json_value_is
from conveyor.storage.tables.call_distributions import call_distribution_runs, call_distributions
from conveyor.storage.tables.clients import communications, companies
from conveyor.storage.tables.lists import list_elements
from conveyor.storage.tables.tasks import tasks

#: What differs from one call task to the next, in this order.
PER_TASK = ("title", "responsible_id", "deadline", "company_id")
#: What every call task of one write shares.
SHARED = (
    "description",
    "creator_id",
    "status",
    "requires_acceptance",
    "created_at",
    "updated_at",
    "status_changed_at",
)
#: One call task: title, responsible, deadline, company.
CallTaskRow = tuple[str, int, datetime | None, int]


class CallDistributionRepository(Repository[CallDistribution]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, CallDistribution, "call distribution")

    def due_ids(self, now: datetime) -> list[int]:
        """Ids of the enabled distributions whose next occurrence is at or before ``now``,
        the longest overdue first: one range read of ``ix_call_distributions_next_run_at``."""
        at = call_distributions.c.next_run_at
        query = (
            select(call_distributions.c.id).where(at <= now).order_by(at, call_distributions.c.id)
        )
        return list(self.session.scalars(query))


class CallDistributionRunRepository(Repository[CallDistributionRun]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, CallDistributionRun, "call distribution run")

    def exists_for(self, distribution_id: int, occurrence: datetime) -> bool:
        r = call_distribution_runs.c
        query = select(r.id).where(r.distribution_id == distribution_id, r.occurrence == occurrence)
        return self.session.scalars(query.limit(1)).first() is not None

    def page_of(
        self, distribution_id: int, *, limit: int, offset: int
    ) -> Page[CallDistributionRun]:
        """The distribution's runs, the latest occurrence first."""
        return self.page(
            limit=limit,
            offset=offset,
            filters={"distribution_id": distribution_id},
            order_by=[call_distribution_runs.c.occurrence.desc()],
        )


class CallRoundRepository:
    """The reads and the write of one round, as plain rows."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def list_employees(
        self, list_id: int, column: str, where: Mapping[str, Any]
    ) -> list[tuple[int, object]]:
        """(element id, value of ``column``) of the list's elements matching ``where``
        (column code -> JSON value, ``None`` for "no value"), in the list's order."""
        values = list_elements.c["values"]
        query = (
            select(list_elements.c.id, values)
            .where(
                list_elements.c.list_id == list_id,
                *(json_value_is(self.session, values, k, v) for k, v in where.items()),
            )
            .order_by(list_elements.c.id)
        )
        return [(row[0], (row[1] or {}).get(column)) for row in self.session.execute(query)]

    def companies(
        self,
        *,
        after: int | None,
        through: int | None,
        limit: int,
        responsible_id: int | None = None,
        quiet_since: datetime | None = None,
    ) -> Sequence[tuple[int, str]]:
        """Up to ``limit`` (id, name) of companies with ``after < id <= through`` (``None``:
        unbounded), by id; only those of ``responsible_id`` and with no communication at or
        after ``quiet_since`` when given."""
        c = companies.c
        conditions: list[ColumnElement[bool]] = []
        if after is not None:
            conditions.append(c.id > after)
        if through is not None:
            conditions.append(c.id <= through)
        if responsible_id is not None:
            conditions.append(c.responsible_id == responsible_id)
        if quiet_since is not None:
            # One probe of ix_communications_company_at per company.
            heard = communications.c
            conditions.append(
                ~exists().where(heard.company_id == c.id, heard.occurred_at >= quiet_since)
            )
        query = select(c.id, c.name).where(*conditions).order_by(c.id).limit(limit)
        return [(row[0], row[1]) for row in self.session.execute(query)]

    def insert_tasks(self, shared: Mapping[str, Any], rows: Iterable[CallTaskRow]) -> None:
        """Insert call tasks, no ids returned: per task ``PER_TASK`` values, and ``shared``
        (``SHARED`` columns) for all of them.

        Values are converted to what the driver stores once per distinct value (there are a
        handful: the moment, and one deadline per manager), by the columns' own bind
        processors, exactly as for any insert. Then, without SQLAlchemy's per-row work: on
        SQLite one ``INSERT`` executed for all rows as plain tuples (the driver's
        ``executemany``); on PostgreSQL ``COPY ... FROM STDIN`` with the rows written as text
        lines, several times faster than any ``INSERT`` there (see docs/decisions.md).
        """
        connection = self.session.connection()
        dialect = connection.dialect
        common = tuple(_bound(dialect, name, shared[name]) for name in SHARED)
        deadlines: dict[datetime | None, Any] = {}

        def deadline(moment: datetime | None) -> Any:
            if moment not in deadlines:
                deadlines[moment] = _bound(dialect, "deadline", moment)
            return deadlines[moment]

        columns = ", ".join((*PER_TASK, *SHARED))
        if dialect.name == "postgresql":
            driver = connection.connection.driver_connection
            assert driver is not None
            tail = "\t".join(_copy_text(value) for value in common)
            due_texts: dict[datetime | None, str] = {}

            def due_text(moment: datetime | None) -> str:
                if moment not in due_texts:
                    due_texts[moment] = _copy_text(deadline(moment))
                return due_texts[moment]

            lines = "".join(
                f"{_copy_text(title)}\t{responsible}\t{due_text(due)}\t{company}\t{tail}\n"
                for title, responsible, due, company in rows
            )
            if lines:
                with (
                    driver.cursor() as cursor,
                    cursor.copy(f"COPY tasks ({columns}) FROM STDIN") as copy,
                ):
                    copy.write(lines)
            return
        prepared = [
            (title, responsible, deadline(due), company, *common)
            for title, responsible, due, company in rows
        ]
        if prepared:
            # SQLite's driver binds "?" by position, in the order of ``columns``.
            marks = ", ".join("?" * len((*PER_TASK, *SHARED)))
            connection.exec_driver_sql(f"INSERT INTO tasks ({columns}) VALUES ({marks})", prepared)


#: COPY's text format: a backslash, tab, newline or carriage return inside a value is escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """A value as one field of a ``COPY`` text line (``\\N`` is NULL)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _bound(dialect: Dialect, column: str, value: Any) -> Any:
    """``value`` as the driver receives it for ``tasks.<column>``."""
    if value is None:
        return None
    processor = tasks.c[column].type.dialect_impl(dialect).bind_processor(dialect)
    return value if processor is None else processor(value)
