"""What the workload board page shows around the board itself: the departments a viewer may
filter by, and each rule's queue with the first items waiting in it.

The board's figures come from ``services.workload_board``; these read in one transaction
each and apply the same visibility: admins every department and queue, heads the
departments they head and those below them (and every queue, as ``rule_queues`` allows),
employees neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from conveyor.domain.actors import Actor
from conveyor.domain.departments import Department, subtree_ids
from conveyor.domain.tokens import Role
from conveyor.domain.workload_board import QueueLine, queue_line
from conveyor.services.working_time import check_instant
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = ["RuleQueue", "WaitingItem", "filter_departments", "queues_with_items"]

#: Waiting items listed per rule (the count says how many there are in all).
ITEMS_PER_RULE = 10


@dataclass(frozen=True, kw_only=True)
class WaitingItem:
    """One item waiting in a rule's queue, in the order the rule will serve it."""

    entity_type: str
    item_id: int
    #: ``None`` when the item is gone or the viewer may not read it.
    title: str | None
    queued_at: datetime
    escalated: bool


@dataclass(frozen=True, kw_only=True)
class RuleQueue:
    line: QueueLine
    #: The first ``ITEMS_PER_RULE`` waiting, by priority then age.
    first: tuple[WaitingItem, ...]


def filter_departments(uow: UnitOfWork, *, actor: Actor) -> list[Department]:
    """The departments ``actor`` may narrow the board to, by name: every one for an admin,
    a head's own and those below them, none for an employee."""
    if actor.role is Role.EMPLOYEE:
        return []
    with uow:
        every = uow.departments.where()
        if actor.is_admin:
            chosen = every
        else:
            parents = uow.departments.parents()
            own: set[int] = set()
            for root in uow.workload_board.headed_by(actor.employee_id):
                own |= subtree_ids(root, parents)
            chosen = [d for d in every if d.id in own]
    return sorted(chosen, key=lambda d: (d.name.casefold(), d.id or 0))


def queues_with_items(
    uow: UnitOfWork, *, actor: Actor, now: datetime, per_rule: int = ITEMS_PER_RULE
) -> list[RuleQueue]:
    """Every enabled rule's queue (highest priority first) with its first ``per_rule``
    waiting items (admins and heads; ``Forbidden`` for employees)."""
    actor.require(Role.HEAD)
    check_instant(now, field="now")
    found = []
    with uow:
        for counts in uow.assignment_queue.counts():
            entries = []
            if counts.waiting:
                entries = uow.assignment_queue.page_of_rule(
                    counts.rule_id, limit=per_rule, offset=0
                ).items
            first = []
            for entry in entries:
                item = uow.items.find(entry.item_id)
                readable = (
                    item is not None
                    and item.entity_type.value == entry.entity_type
                    and item.visible_to(actor)
                )
                first.append(
                    WaitingItem(
                        entity_type=entry.entity_type,
                        item_id=entry.item_id,
                        title=item.title if readable and item is not None else None,
                        queued_at=entry.queued_at,
                        escalated=entry.escalated_at is not None,
                    )
                )
            line = queue_line(
                rule_id=counts.rule_id,
                rule_name=counts.rule_name,
                waiting=counts.waiting,
                oldest_queued_at=counts.oldest_queued_at,
                escalated=counts.escalated,
                now=now,
            )
            found.append(RuleQueue(line=line, first=tuple(first)))
    return found
