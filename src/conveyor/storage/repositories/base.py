"""A repository per domain class: get, add, delete and filtered pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, Table, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from conveyor.domain.errors import Conflict, NotFound
from conveyor.domain.pages import Page

T = TypeVar("T")


class Repository(Generic[T]):
    """Objects of one domain class, read and written through the unit of work's session."""

    #: The readable name used in "deal 42 does not exist".
    label: str = "object"

    def __init__(self, session: Session, cls: type[T], label: str | None = None) -> None:
        self.session = session
        self.cls = cls
        if label is not None:
            self.label = label
        self.table: Table = inspect(cls).local_table

    def get(self, object_id: int, *, field: str | None = None, for_update: bool = False) -> T:
        """The object with ``object_id``, or ``NotFound`` naming ``field`` when given."""
        found = self.find(object_id, for_update=for_update)
        if found is None:
            raise NotFound(self.label, object_id, field=field)
        return found

    def find(self, object_id: int, *, for_update: bool = False) -> T | None:
        if not 0 < object_id < 2**63:
            return None
        if for_update:
            # Re-read: an object already in the session would keep values read before the
            # lock, and a decision must see what the lock holder committed.
            flush(self.session)
            return self.session.get(
                self.cls, object_id, with_for_update=True, populate_existing=True
            )
        return self.session.get(self.cls, object_id)

    def reread(self, object_id: int) -> T | None:
        """The object as committed now (READ COMMITTED), even when the session holds an
        older copy; ``None`` when it is gone."""
        return self.session.get(self.cls, object_id, populate_existing=True)

    def try_lock(self, object_id: int) -> T | None:
        """The object locked for this transaction, re-read; ``None`` when it does not exist or
        another transaction holds its lock (PostgreSQL ``SKIP LOCKED``: never waits, so
        background work cannot deadlock with a user's change; SQLite's writers are serial)."""
        key = self.table.primary_key.columns.values()[0]
        query = (
            select(self.cls)
            .where(key == object_id)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        return self.session.scalars(query).first()

    def add(self, obj: T) -> T:
        """Stage ``obj`` for insert and flush, so that it has its id at once."""
        self.session.add(obj)
        flush(self.session)
        return obj

    def delete(self, obj: T) -> None:
        self.session.delete(obj)
        flush(self.session)

    def where(self, **equals: Any) -> list[T]:
        """Every object whose attributes equal ``equals``, by id."""
        return list(self.session.scalars(self.select(**equals).order_by(*self.table.primary_key)))

    def page(
        self,
        *,
        limit: int,
        offset: int,
        filters: dict[str, Any] | None = None,
        conditions: Sequence[ColumnElement[bool]] = (),
        order_by: Sequence[Any] = (),
    ) -> Page[T]:
        """One page of objects matching ``filters`` (attribute == value; ``None`` values are
        ignored) and ``conditions``, with the total count of matches."""
        query = self.select(**{k: v for k, v in (filters or {}).items() if v is not None})
        query = query.where(*conditions)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(
            query.order_by(*order_by, *self.table.primary_key).limit(limit).offset(offset)
        )
        return Page(items=list(rows), total=total, limit=limit, offset=offset)

    def select(self, **equals: Any) -> Select[T]:
        return select(self.cls).where(*(self.column(k) == v for k, v in equals.items()))

    def column(self, name: str) -> Any:
        """A column of the mapped table by attribute name, for conditions inside storage."""
        return self.table.c[name]


def flush(session: Session) -> None:
    """Flush, turning a broken constraint or a lost race into a ``Conflict`` that says
    which kind."""
    try:
        session.flush()
    except IntegrityError as error:
        session.rollback()
        raise Conflict(conflict_message(error)) from None
    except StaleDataError:
        session.rollback()
        raise Conflict(STALE_MESSAGE) from None


#: A versioned row (a lead or deal) was written by another transaction since it was read.
STALE_MESSAGE = "The object was changed by someone else meanwhile; read it again and retry"


def conflict_message(error: IntegrityError) -> str:
    text = str(error.orig).lower()
    if "unique" in text or "duplicate" in text:
        return "An object with the same unique value already exists"
    if "foreign key" in text:
        return "The change refers to an object that does not exist or is still in use"
    return "The change conflicts with the stored data"
