"""Who hears about assignment: the assignee of each item, the heads of a long wait.

Both run inside the transaction that assigns or escalates, so the notification exists
exactly when the assignment (or the escalation) does.
"""

from __future__ import annotations

from datetime import datetime

from conveyor.domain.assignment_decisions import AssignmentDecision
from conveyor.domain.events import DomainEvent
from conveyor.domain.notification_texts import (
    ASSIGNMENT_ESCALATED,
    ITEM_ASSIGNED,
    MAX_VALUE,
    shorten,
)
from conveyor.domain.notifications import Link
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
            "title": _title(uow, decision.entity_type, decision.item_id),
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
            "title": _title(uow, escalated.entity, escalated.entity_id),
            "minutes": int(payload["waited_minutes"]),
            "rule": str(payload["rule_name"]),
            "rule_id": int(payload["rule_id"]),
        },
        link=Link(entity=escalated.entity, id=escalated.entity_id),
        now=escalated.occurred_at,
    )


def _title(uow: UnitOfWork, entity: str, item_id: int) -> str:
    found = uow.tasks.find(item_id) if entity == "task" else uow.items.find(item_id)
    return f"#{item_id}" if found is None else found.title
