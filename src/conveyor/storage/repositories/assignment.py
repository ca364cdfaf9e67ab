"""Repositories of the assignment engine: its definitions (rules) and its runs (decisions)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conveyor.domain.assignment_decisions import AssignmentDecision
from conveyor.domain.crm_items import CrmItem
from conveyor.domain.distribution_rules import DistributionRule, RuleEntity
from conveyor.storage.repositories.base import Repository
from conveyor.storage.tables.assignment import assignment_decisions as decisions
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
