"""What the demo's live view shows, read from the database in one transaction: each person
of the rule's pool with their load against their cap and whether the rule can count on
them now, the rule's queue, and the rule's latest decisions with their sentences.

Loads are weighed with the rule's own weight expression, as the rule weighs them when it
decides, so "8/10 points" on the board is the figure the decision's sentence quotes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from conveyor.domain.actors import Actor
from conveyor.domain.assignment_decisions import AssignmentDecision, AssignmentOutcome
from conveyor.domain.distribution_rules import DistributionRule
from conveyor.domain.tokens import Role
from conveyor.domain.workdays import DayState
from conveyor.engines.assignment import CandidateSnapshot
from conveyor.services.candidates import rule_snapshots
from conveyor.storage.unit_of_work import UnitOfWork

#: How many of the rule's latest decisions one read returns.
LATEST_DECISIONS = 30

_AWAY = {
    "vacation": "on vacation",
    "sick_leave": "on sick leave",
    "business_trip": "on a business trip",
    "other": "away",
}


@dataclass(frozen=True, kw_only=True)
class PersonLoad:
    """One person of the rule's pool as the rule sees them now."""

    employee_id: int
    name: str
    load_count: int
    load_points: Decimal
    #: Their cap in points (their own, else the rule's default); ``None``: uncapped.
    capacity_points: Decimal | None
    #: Why the rule cannot count on them now (absent, day not open, ...); ``None``: present.
    away: str | None
    #: Their working day: "open", "paused", "closed" or "not opened".
    day: str
    #: Why the rule never picks them whatever their presence ("department head", ...).
    never: str | None


@dataclass(frozen=True, kw_only=True)
class LoggedDecision:
    """One of the rule's decisions, as the log line shows it."""

    decision_id: int
    decided_at: datetime
    deal_id: int
    deal_title: str
    assigned: bool
    chosen_name: str | None
    sentence: str
    #: How long the entry waited before it was assigned; ``None``: it never waited.
    waited_seconds: int | None


@dataclass(frozen=True, kw_only=True)
class DemoBoard:
    rule_name: str
    read_at: datetime
    people: tuple[PersonLoad, ...]
    queue_length: int
    oldest_wait_seconds: int | None
    #: Newest first.
    decisions: tuple[LoggedDecision, ...]


def read_board(
    uow: UnitOfWork,
    rule_id: int,
    *,
    actor: Actor,
    now: datetime,
    decisions: int = LATEST_DECISIONS,
) -> DemoBoard:
    """The rule's board at ``now`` (admins and heads)."""
    actor.require(Role.HEAD)
    with uow:
        rule = uow.distribution_rules.get(rule_id)
        snapshots = rule_snapshots(uow, rule, now=now, store=False)
        counts = next(iter(uow.assignment_queue.counts(rule_id=rule_id)), None)
        oldest = None if counts is None else counts.oldest_queued_at
        latest = _latest_decisions(uow, rule_id, decisions)
        return DemoBoard(
            rule_name=rule.name,
            read_at=now,
            people=tuple(_person(rule, snapshot) for snapshot in snapshots),
            queue_length=0 if counts is None else counts.waiting,
            oldest_wait_seconds=None
            if oldest is None
            else max(0, int((now - oldest).total_seconds())),
            decisions=latest,
        )


def _latest_decisions(uow: UnitOfWork, rule_id: int, limit: int) -> tuple[LoggedDecision, ...]:
    repository = uow.assignment_decisions
    page = repository.page(
        limit=limit,
        offset=0,
        filters={"rule_id": rule_id},
        order_by=[repository.column("decided_at").desc(), repository.column("id").desc()],
    )
    titles = {i.id: i.title for i in repository.items([d.item_id for d in page.items])}
    chosen_ids = {d.chosen_id for d in page.items if d.chosen_id is not None}
    names = {e.id: e.name for e in uow.employees.where() if e.id in chosen_ids}
    return tuple(_logged(d, titles, names) for d in page.items)


def _logged(
    decision: AssignmentDecision, titles: Mapping[int | None, str], names: Mapping[int, str]
) -> LoggedDecision:
    assert decision.id is not None
    waited = decision.data.get("waited")
    return LoggedDecision(
        decision_id=decision.id,
        decided_at=decision.decided_at,
        deal_id=decision.item_id,
        deal_title=titles.get(decision.item_id, f"#{decision.item_id}"),
        assigned=decision.outcome is AssignmentOutcome.ASSIGNED,
        chosen_name=None if decision.chosen_id is None else names.get(decision.chosen_id),
        sentence=decision.sentence,
        waited_seconds=int(waited["seconds"]) if isinstance(waited, dict) else None,
    )


def _person(rule: DistributionRule, snapshot: CandidateSnapshot) -> PersonLoad:
    cap = snapshot.capacity_points
    return PersonLoad(
        employee_id=snapshot.employee_id,
        name=snapshot.name,
        load_count=snapshot.load_count,
        load_points=snapshot.load_points,
        capacity_points=rule.default_capacity_points if cap is None else cap,
        away=_away(rule, snapshot),
        day=_day(snapshot),
        never=_never(rule, snapshot),
    )


def _away(rule: DistributionRule, snapshot: CandidateSnapshot) -> str | None:
    """Why the rule cannot count on them right now, under the rule's own switches."""
    absence = snapshot.absence
    if rule.respect_absences and absence is not None:
        return f"{_AWAY[absence.kind.value]} until {absence.until:%d.%m}"
    if rule.respect_day_status and snapshot.day_state is not DayState.OPEN:
        return f"day {_day(snapshot)}"
    if rule.respect_working_hours and not snapshot.in_working_hours:
        return "outside working hours"
    return None


def _day(snapshot: CandidateSnapshot) -> str:
    return "not opened" if snapshot.day_state is None else snapshot.day_state.value


def _never(rule: DistributionRule, snapshot: CandidateSnapshot) -> str | None:
    """Why the rule never picks them, whatever their load or presence."""
    if not snapshot.active:
        return "no longer active"
    if snapshot.employee_id in rule.excluded_ids:
        return "excluded by the rule"
    if rule.exclude_heads and snapshot.is_head:
        return "department head"
    if not rule.allow_external and snapshot.is_external:
        return "external employee"
    return None
