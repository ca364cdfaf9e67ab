"""Assignment decisions as the API shows them: the data and the readable sentence."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from conveyor.api.schemas.common import Output
from conveyor.domain.assignment_decisions import AssignmentOutcome


class DecisionPublic(Output):
    """One decision. ``verdicts`` holds every candidate's reason (kept or why dropped) with
    their load then; ``data`` is the whole record (strategy, weight, skipped rules, next
    stage); ``sentence`` says it in one line."""

    id: int
    rule_id: int
    rule_version: int
    entity_type: str
    item_id: int
    stage_id: int | None
    stage_entered_at: datetime
    decided_at: datetime
    chosen_id: int | None
    outcome: AssignmentOutcome
    verdicts: list[dict[str, Any]]
    data: dict[str, Any]
    sentence: str


class WaitingPublic(Output):
    """A stage entry waiting in a rule's queue for someone to be free."""

    id: int
    rule_id: int
    entity_type: str
    item_id: int
    stage_id: int | None
    stage_entered_at: datetime
    decision_id: int
    priority: int
    queued_at: datetime
    attempts: int
    last_attempt_at: datetime | None
    escalated_at: datetime | None
