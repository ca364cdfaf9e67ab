"""Stored weights: a rule's points of each item in work, summed by the database.

A decision needs each candidate's load in the rule's points. Weighing every item in work
again for every decision costs more than everything else the decision reads, and almost
none of them changed since the last one. So the weights are stored per (rule, item) with
the rule's version and the item's revision they were computed for: ``loads`` sums the fresh
ones in one statement and names the items whose weight is missing or stale, which the
caller weighs (``values_of`` reads what their weight needs) and ``store``s.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from typing import cast as cast_as

from sqlalchemy import Text, and_, case, cast, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from conveyor.storage.repositories.workload import in_work_where, latest
from conveyor.storage.tables.assignment import assignment_weights
from conveyor.storage.tables.crm import crm_items

_MILLI = Decimal(1000)


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredLoad:
    """One employee's items in work: how many, the latest moment one was given to them, the
    points of those with a fresh stored weight, and the ids of the others."""

    count: int
    last_at: datetime | None
    points: Decimal
    unweighed: tuple[int, ...]


class AssignmentWeightRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def loads(
        self,
        rule_id: int,
        rule_version: int,
        employee_ids: Collection[int],
        stage_ids: Collection[int],
    ) -> dict[int, StoredLoad]:
        """Per responsible of ``employee_ids``: their items in ``stage_ids``, in ONE
        aggregate statement (the unweighed ids come back joined in a string)."""
        if not employee_ids or not stage_ids:
            return {}
        c, w = crm_items.c, assignment_weights.c
        fresh = and_(w.rule_version == rule_version, w.item_revision == c.revision)
        query = (
            select(
                c.responsible_id,
                func.count(),
                func.max(c.stage_entered_at),
                func.max(c.created_at),
                func.sum(case((fresh, w.milli_points), else_=0)),
                # NULLs are skipped: only the ids without a fresh weight are joined.
                func.aggregate_strings(case((fresh, None), else_=cast(c.id, Text)), ","),
            )
            .select_from(
                crm_items.outerjoin(
                    assignment_weights, and_(w.rule_id == rule_id, w.item_id == c.id)
                )
            )
            .where(*in_work_where(employee_ids, stage_ids))
            .group_by(c.responsible_id)
        )
        loads = {}
        for holder, count, entered, created, milli, unweighed in self.session.execute(query):
            loads[holder] = StoredLoad(
                count=count,
                last_at=latest(entered, created),
                points=Decimal(int(milli or 0)) / _MILLI,
                unweighed=tuple(int(i) for i in unweighed.split(",")) if unweighed else (),
            )
        return loads

    def values_of(
        self, item_ids: Collection[int], columns: Sequence[str], *, fields_text: bool
    ) -> list[tuple[Any, ...]]:
        """Per item of ``item_ids``: its id, revision, the values of ``columns`` (names of
        ``crm_items`` columns), then with ``fields_text`` its custom values as JSON text."""
        if not item_ids:
            return []
        c = crm_items.c
        selected: list[Any] = [c.id, c.revision, *(c[name] for name in columns)]
        if fields_text:
            selected.append(cast(c.fields, Text))
        query = select(*selected).where(c.id.in_(list(item_ids)))
        return cast_as(list[tuple[Any, ...]], self.session.execute(query).all())

    def store(
        self, rule_id: int, rule_version: int, weights: Iterable[tuple[int, int, Decimal]]
    ) -> None:
        """Keep ``(item_id, item_revision, points)`` as the rule's weights of those items,
        replacing what was stored for them. Points are kept to the thousandth."""
        rows = [
            {
                "rule_id": rule_id,
                "item_id": item_id,
                "rule_version": rule_version,
                "item_revision": revision,
                "milli_points": int((points * _MILLI).to_integral_value()),
            }
            for item_id, revision, points in sorted(weights)
        ]
        if not rows:
            return
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(assignment_weights)
        # Sorted by item, so two writers meeting on the same rows lock them in one order.
        self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["rule_id", "item_id"],
                set_={
                    "rule_version": statement.excluded.rule_version,
                    "item_revision": statement.excluded.item_revision,
                    "milli_points": statement.excluded.milli_points,
                },
            ),
            rows,
        )

    def count(self, rule_id: int) -> int:
        """How many weights are stored for the rule."""
        query = select(func.count()).where(assignment_weights.c.rule_id == rule_id)
        return int(self.session.execute(query).scalar_one())
