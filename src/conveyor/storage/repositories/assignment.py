"""Repositories of the assignment engine's definitions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.domain.distribution_rules import DistributionRule, RuleEntity
from conveyor.storage.repositories.base import Repository
from conveyor.storage.tables.assignment import distribution_rules as rules


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
