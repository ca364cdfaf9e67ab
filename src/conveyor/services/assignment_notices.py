"""Who hears about assignment: the assignee of each item, the heads of a long wait, the
admins of a rule that could not be computed for an item.

Each runs inside the transaction that assigns, escalates or records the failure, so the
notification exists exactly when its cause does.
"""

from __future__ import annotations

from datetime import datetime

from conveyor.domain.assignment_decisions import AssignmentDecision
from conveyor.domain.events import DomainEvent
from conveyor.domain.notification_texts import (
    ASSIGNMENT_ESCALATED,
    ASSIGNMENT_FAILED,
    ITEM_ASSIGNED,
    MAX_VALUE,
    shorten,
)
from conveyor.domain.notifications import Link
from conveyor.domain.tokens import Role
from conveyor.services.notifications import notify
from conveyor.storage.unit_of_work import UnitOfWork


def notify_assignee(uow: UnitOfWork, decision: AssignmentDecision, *, now: datetime) -> None:
    """The employee an ``assigned`` decision chose learns what they got, and why. The why
    (the decision's sentence names every candidate, so a large pool makes it long) is cut to
    what a notification holds; the whole sentence stays on the decision."""
    if decision.chosen_id is None:
        return
    notify(
        uow,
        recipient_ids=[decision.chosen_id],
        kind=ITEM_ASSIGNED,
        params={
            "title": item_title(uow, decision.entity_type, decision.item_id),
            "reason": shorten(decision.sentence, MAX_VALUE),
            "decision_id": decision.id or 0,
        },
        link=Link(entity=decision.entity_type, id=decision.item_id),
        now=now,
    )


def notify_escalation(uow: UnitOfWork, escalated: DomainEvent) -> None:
    """The heads an ``AssignmentEscalated`` event names learn what has waited, how long,
    and under which rule."""
    payload = escalated.payload
    notify(
        uow,
        recipient_ids=[int(i) for i in payload["head_ids"]],
        kind=ASSIGNMENT_ESCALATED,
        params={
            "title": item_title(uow, escalated.entity, escalated.entity_id),
            "minutes": int(payload["waited_minutes"]),
            "rule": str(payload["rule_name"]),
            "rule_id": int(payload["rule_id"]),
        },
        link=Link(entity=escalated.entity, id=escalated.entity_id),
        now=escalated.occurred_at,
    )


def notify_rule_failed(uow: UnitOfWork, decision: AssignmentDecision, *, now: datetime) -> None:
    """The admins (only they can fix a rule) learn that a ``rule_failed`` decision left an
    item where it was: which rule, and the failure's first line."""
    failure = decision.data.get("failure") or {}
    rule = decision.data.get("rule") or {}
    first_line = str(failure.get("message") or "").split("\n", 1)[0].rstrip(":")
    notify(
        uow,
        recipient_ids=admin_ids(uow, now=now),
        kind=ASSIGNMENT_FAILED,
        params={
            "title": item_title(uow, decision.entity_type, decision.item_id),
            "rule": str(rule.get("name") or f"#{decision.rule_id}"),
            "reason": f"{failure.get('field') or 'expression'}: {first_line}",
        },
        link=Link(entity=decision.entity_type, id=decision.item_id),
        now=now,
    )


def admin_ids(uow: UnitOfWork, *, now: datetime) -> list[int]:
    """The employees who act as admins: with an admin login, or an admin API token neither
    revoked nor expired (``notify`` leaves out the dismissed)."""
    ids = {login.employee_id for login in uow.logins.where(role=Role.ADMIN)}
    tokens = uow.tokens.where(role=Role.ADMIN)
    ids |= {token.employee_id for token in tokens if token.works_at(now)}
    return sorted(ids)


def item_title(uow: UnitOfWork, entity: str, item_id: int) -> str:
    found = uow.tasks.find(item_id) if entity == "task" else uow.items.find(item_id)
    return f"#{item_id}" if found is None else found.title
