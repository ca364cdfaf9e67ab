"""Repositories of the assignment engine: its definitions (rules) and its runs (decisions)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conveyor.domain.assignment_decisions import AssignmentDecision
from conveyor.domain.assignment_queue import QueueCounts, WaitingEntry
from conveyor.domain.crm_items import CrmItem
from conveyor.domain.distribution_rules import DistributionRule, RuleEntity
from conveyor.domain.pages import Page
from conveyor.storage.repositories.base import Repository
from conveyor.storage.tables.assignment import assignment_decisions as decisions
from conveyor.storage.tables.assignment import assignment_queue as queue
from conveyor.storage.tables.assignment import distribution_rules as rules
from conveyor.storage.tables.assignment import rule_cursors
from conveyor.storage.tables.crm import crm_items


class DistributionRuleRepository(Repository[DistributionRule]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, DistributionRule, "distribution rule")

    def triggered_at(self, entity_type: RuleEntity, stage_id: int | None) -> list[DistributionRule]:
        """The enabled rules an item entering ``stage_id`` meets (``None``: task rules), in the
        order they are tried: highest priority first, then the oldest."""
        stage = (
            rules.c.trigger_stage_id.is_(None)
            if stage_id is None
            else rules.c.trigger_stage_id == stage_id
        )
        query = (
            select(DistributionRule)
            .where(rules.c.entity_type == entity_type, stage, rules.c.enabled.is_(True))
            .order_by(rules.c.priority.desc(), rules.c.id)
        )
        return list(self.session.scalars(query))


#: The advisory lock key of assignment decisions ("conv" in ASCII).
ASSIGNMENT_LOCK = 0x636F6E76


class AssignmentDecisionRepository(Repository[AssignmentDecision]):
    """Recorded decisions, the rules' round-robin cursors, and the items a rule weighs."""

    def __init__(self, session: Session) -> None:
        super().__init__(session, AssignmentDecision, "assignment decision")

    def for_entry(
        self, entity_type: str, item_id: int, stage_id: int | None, entered_at: datetime
    ) -> AssignmentDecision | None:
        """The decision already taken for this stage entry, if any."""
        stage = (
            decisions.c.stage_id.is_(None) if stage_id is None else decisions.c.stage_id == stage_id
        )
        query = select(AssignmentDecision).where(
            decisions.c.entity_type == entity_type,
            decisions.c.item_id == item_id,
            stage,
            decisions.c.stage_entered_at == entered_at,
        )
        return self.session.scalars(query).first()

    def claim(self, decision: AssignmentDecision) -> bool:
        """Insert ``decision`` unless its entry is already decided (then ``False``, and the
        transaction goes on untouched): the unique entry key settles any race."""
        try:
            with self.session.begin_nested():
                self.session.add(decision)
                self.session.flush()
        except IntegrityError:
            return False
        return True

    def latest_for(self, entity_type: str, item_id: int) -> AssignmentDecision | None:
        query = (
            select(AssignmentDecision)
            .where(decisions.c.entity_type == entity_type, decisions.c.item_id == item_id)
            .order_by(decisions.c.decided_at.desc(), decisions.c.id.desc())
        )
        return self.session.scalars(query.limit(1)).first()

    def serialize(self) -> None:
        """Take the assignment lock until this transaction ends: every decision in the
        database runs one at a time, so no two see the same free room, under one rule or
        several sharing people, and rule locks can never be taken in opposite orders.
        PostgreSQL: a transaction-level advisory lock; SQLite's writers are serial anyway."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(select(func.pg_advisory_xact_lock(ASSIGNMENT_LOCK)))

    def cursor(self, rule_id: int) -> int | None:
        """The employee the rule chose last (where round robin continues), if any."""
        query = select(rule_cursors.c.employee_id).where(rule_cursors.c.rule_id == rule_id)
        return self.session.scalar(query)

    def store_cursor(self, rule_id: int, employee_id: int, *, now: datetime) -> None:
        values = {"employee_id": employee_id, "updated_at": now}
        changed = self.session.execute(
            update(rule_cursors).where(rule_cursors.c.rule_id == rule_id).values(**values)
        )
        if not changed.rowcount:  # type: ignore[attr-defined]
            self.session.execute(insert(rule_cursors).values(rule_id=rule_id, **values))

    def items(self, item_ids: Collection[int]) -> list[CrmItem]:
        """The leads and deals with these ids (to weigh the load they stand for)."""
        if not item_ids:
            return []
        query = select(CrmItem).where(crm_items.c.id.in_(list(item_ids)))
        return list(self.session.scalars(query))


#: The order waiting entries are served in: priority (highest first), then age.
_SERVED = (queue.c.priority.desc(), queue.c.queued_at, queue.c.id)


class AssignmentQueueRepository(Repository[WaitingEntry]):
    """The rules' waiting queues."""

    def __init__(self, session: Session) -> None:
        super().__init__(session, WaitingEntry, "waiting entry")

    def enqueue(self, entry: WaitingEntry) -> bool:
        """Add ``entry`` unless its stage entry already waits (then ``False``)."""
        try:
            with self.session.begin_nested():
                self.session.add(entry)
                self.session.flush()
        except IntegrityError:
            return False
        return True

    def rules_waiting(self, rule_ids: Collection[int] | None = None) -> list[int]:
        """The rules (of ``rule_ids`` when given) with at least one entry waiting."""
        query = select(queue.c.rule_id).distinct().order_by(queue.c.rule_id)
        if rule_ids is not None:
            if not rule_ids:
                return []
            query = query.where(queue.c.rule_id.in_(list(rule_ids)))
        return list(self.session.scalars(query))

    def waiting(self, rule_id: int, *, limit: int, lock: bool = False) -> list[WaitingEntry]:
        """The rule's entries in the order they are tried: priority, then age. With ``lock``
        they are locked for this transaction, skipping those another one holds (a user is
        moving that item right now): nothing here ever waits for a user's change."""
        query = (
            select(WaitingEntry).where(queue.c.rule_id == rule_id).order_by(*_SERVED).limit(limit)
        )
        if lock:
            query = query.with_for_update(skip_locked=True)
        return list(self.session.scalars(query))

    def page_of_rule(self, rule_id: int, *, limit: int, offset: int) -> Page[WaitingEntry]:
        """The rule's entries, a page of them, in the order ``waiting`` tries them."""
        return self.page(
            limit=limit, offset=offset, filters={"rule_id": rule_id}, order_by=list(_SERVED)
        )

    def for_item(self, entity_type: str, item_id: int) -> list[WaitingEntry]:
        query = select(WaitingEntry).where(
            queue.c.entity_type == entity_type, queue.c.item_id == item_id
        )
        return list(self.session.scalars(query))

    def counts(self, *, rule_id: int | None = None) -> list[QueueCounts]:
        """Each enabled rule's queue (highest priority first), or rule ``rule_id``'s whether
        enabled or not: how many wait, the oldest, how many were escalated."""
        r, q = rules.c, queue.c
        query = (
            select(
                r.id, r.name, func.count(q.id), func.min(q.queued_at), func.count(q.escalated_at)
            )
            .select_from(rules.outerjoin(queue, q.rule_id == r.id))
            .where(r.enabled.is_(True) if rule_id is None else r.id == rule_id)
            .group_by(r.id, r.name, r.priority)
            .order_by(r.priority.desc(), r.id)
        )
        return [
            QueueCounts(
                rule_id=row[0],
                rule_name=row[1],
                waiting=row[2],
                oldest_queued_at=row[3],
                escalated=row[4],
            )
            for row in self.session.execute(query)
        ]

    def escalation_candidates(self, now: datetime) -> list[tuple[WaitingEntry, int]]:
        """Waiting entries not yet escalated, with their rule's escalation delay, of rules
        that escalate (the caller decides which are due)."""
        query = (
            select(WaitingEntry, rules.c.escalate_after_minutes)
            .join(rules, rules.c.id == queue.c.rule_id)
            .where(
                queue.c.escalated_at.is_(None),
                rules.c.escalate_after_minutes.is_not(None),
                rules.c.enabled.is_(True),
            )
            .order_by(queue.c.queued_at)
            .with_for_update(skip_locked=True, of=queue)
        )
        return [(entry, minutes) for entry, minutes in self.session.execute(query)]
