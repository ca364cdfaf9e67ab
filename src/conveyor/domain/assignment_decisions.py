"""Assignment decisions: what the engine decided for one stage entry of one item, and why.

A decision is a run of a distribution rule (the rule is its definition): it names the rule
and the rule's version, the item and the stage entry it answers (``stage_id`` and
``stage_entered_at``, the entry key), who was chosen, and the whole decision as data (every
candidate's verdict with their load at that moment) and as one readable sentence. An entry
is decided at most once: storage refuses a second decision with the same key.

A rule that cannot be computed for an item (its weight reads a field deleted since, text
times 2...) still decides the entry: ``rule_failed``, nobody chosen, and the failure (which
expression, the message and where) under ``data["failure"]``, so the item never just stays
where it is with nothing said.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from conveyor.domain.events import DomainEvent


class AssignmentOutcome(enum.StrEnum):
    """What happened to the item: given to someone, waiting because nobody fits, or left
    where it was because the rule could not be computed for it."""

    ASSIGNED = "assigned"
    NOBODY_FREE = "nobody_free"
    RULE_FAILED = "rule_failed"


@dataclass(kw_only=True)
class AssignmentDecision:
    """One recorded decision; ``chosen_id`` is ``None`` exactly when nobody was chosen
    (nobody free, or the rule failed)."""

    id: int | None = None
    rule_id: int
    rule_version: int
    entity_type: str
    item_id: int
    stage_id: int | None = None
    stage_entered_at: datetime
    decided_at: datetime
    chosen_id: int | None = None
    outcome: AssignmentOutcome
    data: dict[str, Any] = field(default_factory=dict)
    sentence: str

    def assign_after_waiting(
        self, *, chosen_id: int, data: dict[str, Any], sentence: str, now: datetime
    ) -> None:
        """The entry waited and is now assigned: this same decision (the entry's only one)
        becomes ``assigned``; when and why it had to wait stays in its data."""
        self._settle(AssignmentOutcome.ASSIGNED, chosen_id, data, sentence, now)

    def fail_after_waiting(self, *, data: dict[str, Any], sentence: str, now: datetime) -> None:
        """The entry waited, and now its rule cannot be computed for it: this same decision
        becomes ``rule_failed``; when and why it had waited stays in its data."""
        self._settle(AssignmentOutcome.RULE_FAILED, None, data, sentence, now)

    def _settle(
        self,
        outcome: AssignmentOutcome,
        chosen_id: int | None,
        data: dict[str, Any],
        sentence: str,
        now: datetime,
    ) -> None:
        waited = {
            "since": self.decided_at.isoformat(),
            "seconds": int((now - self.decided_at).total_seconds()),
            "first_rule_version": self.rule_version,
            "first_sentence": self.sentence,
            "first_skipped_rules": self.data.get("skipped_rules", []),
        }
        self.outcome = outcome
        self.chosen_id = chosen_id
        self.rule_version = int(data["rule"]["version"])
        self.data = {**data, "waited": waited}
        self.sentence = sentence
        self.decided_at = now

    def event(self) -> DomainEvent:
        """``ItemAssigned`` (it notifies the assignee), ``AssignmentWaiting`` or
        ``AssignmentFailed`` (with the failure)."""
        payload: dict[str, Any] = {
            "rule_id": self.rule_id,
            "rule_version": self.rule_version,
            "decision_id": self.id,
            "stage_id": self.stage_id,
            "sentence": self.sentence,
        }
        if self.outcome is AssignmentOutcome.ASSIGNED:
            kind = "ItemAssigned"
            payload["employee_id"] = self.chosen_id
        elif self.outcome is AssignmentOutcome.RULE_FAILED:
            kind = "AssignmentFailed"
            payload["failure"] = self.data.get("failure")
        else:
            kind = "AssignmentWaiting"
        assert self.id is not None
        return DomainEvent(
            type=kind,
            entity=self.entity_type,
            entity_id=self.item_id,
            occurred_at=self.decided_at,
            payload=payload,
        )
