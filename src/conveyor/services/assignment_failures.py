"""When a rule cannot be computed for an item: said in the decision, the log and to admins.

A rule's expressions are checked on save, but data changes after: a custom field its weight
reads is deleted, a value of the wrong kind is stored (``deal.title * 2``). Then the rule
still decides the entry — outcome ``rule_failed``, nobody chosen, the item left with whoever
held it — and that is never silent:

- the decision says which expression failed and why (``data["failure"]``: ``field``,
  ``message`` with the position and an excerpt, ``line``, ``column``) and its sentence says
  it in one line, so ``GET /deals/{id}/assignment`` explains it;
- ``AssignmentFailed`` is emitted and a WARNING logged (``conveyor.assignment``);
- the admins (who alone can fix rules) are notified (``assignment_failed``), in the same
  transaction, linked to the item.

Nothing here raises: the move that triggered the rule goes on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from conveyor.domain.assignment_decisions import AssignmentDecision, AssignmentOutcome
from conveyor.domain.distribution_rules import DistributionRule
from conveyor.domain.errors import ConveyorError, ExpressionFailed
from conveyor.engines.assignment.explain import explain_failure
from conveyor.services.assignment_notices import notify_rule_failed
from conveyor.storage.unit_of_work import UnitOfWork

log = logging.getLogger("conveyor.assignment")

#: The longest failure message kept in a decision.
MAX_MESSAGE = 2000


@dataclass(frozen=True, kw_only=True)
class RuleFailure:
    """A rule's expression failed on one item: which one (``condition``, ``weight``,
    ``queue_priority``), the message, and where in its text."""

    field: str
    message: str
    line: int | None = None
    column: int | None = None

    @classmethod
    def of(cls, error: ConveyorError, *, field: str) -> RuleFailure:
        """From the evaluator's ``ExpressionFailed`` (or a stored expression that no longer
        compiles); ``field`` when the error names none."""
        at = error if isinstance(error, ExpressionFailed) else None
        return cls(
            field=error.field or field,
            message=error.message[:MAX_MESSAGE],
            line=getattr(at, "line", None),
            column=getattr(at, "column", None),
        )

    @property
    def reason(self) -> str:
        """The message's first line (the excerpt under it is for a monospaced display)."""
        return self.message.split("\n", 1)[0].rstrip(":")

    def as_data(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "message": self.message,
            "line": self.line,
            "column": self.column,
        }


def failed_decision(
    rule: DistributionRule,
    *,
    entity: str,
    item_id: int,
    stage_id: int | None,
    entered_at: datetime,
    failure: RuleFailure,
    skipped: list[dict[str, Any]],
    now: datetime,
) -> AssignmentDecision:
    """The ``rule_failed`` decision of one entry (not stored yet)."""
    assert rule.id is not None
    return AssignmentDecision(
        rule_id=rule.id,
        rule_version=rule.version,
        entity_type=entity,
        item_id=item_id,
        stage_id=stage_id,
        stage_entered_at=entered_at,
        decided_at=now,
        chosen_id=None,
        outcome=AssignmentOutcome.RULE_FAILED,
        data=failure_data(rule, failure, skipped),
        sentence=failure_sentence(rule, entity, item_id, failure),
    )


def failure_data(
    rule: DistributionRule, failure: RuleFailure, skipped: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "rule": {"id": rule.id, "version": rule.version, "name": rule.name},
        "failure": failure.as_data(),
        "verdicts": [],
        "skipped_rules": skipped,
        "next_stage": None,
    }


def failure_sentence(
    rule: DistributionRule, entity: str, item_id: int, failure: RuleFailure
) -> str:
    return explain_failure(
        entity=entity, item_id=item_id, rule=rule.name, part=failure.field, reason=failure.reason
    )


def announce_failure(uow: UnitOfWork, record: AssignmentDecision, *, now: datetime) -> None:
    """A stored ``rule_failed`` decision said aloud: ``AssignmentFailed``, a WARNING, and a
    notification to every active admin."""
    uow.emit(record.event())
    failure = record.data.get("failure") or {}
    log.warning(
        "assignment rule %s could not decide for %s %s: %s failed: %s",
        record.rule_id,
        record.entity_type,
        record.item_id,
        failure.get("field"),
        failure.get("message"),
    )
    notify_rule_failed(uow, record, now=now)


def note_failure(failure: RuleFailure, rule: DistributionRule, entity: str, item_id: int) -> None:
    """A WARNING for a failure that does not stop the decision (a queue priority that
    cannot be computed: the entry waits by age alone)."""
    log.warning(
        "assignment rule %s: %s failed for %s %s: %s",
        rule.id,
        failure.field,
        entity,
        item_id,
        failure.message,
    )
