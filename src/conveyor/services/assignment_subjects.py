"""What a distribution rule hands to someone: a lead or deal at a stage, or a new task.

The assignment service works on ``Subject``s so that one path decides, queues, retries and
records for both. A subject knows its entry key (entity, id, stage, entered at), the data
its rule's expressions read, the values skills and "never the previous owner" look at, how
to give it to the chosen employee, and whether a queue entry still stands for it.

A task's entry is its creation (no stage, ``created_at``). A task waiting for someone is held
by its creator meanwhile; it stops waiting when it is closed or handed to someone by hand.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from conveyor.domain.assignment_queue import WaitingEntry
from conveyor.domain.crm_items import CrmItem
from conveyor.domain.distribution_rules import RESPONSIBLE, DistributionRule, RuleEntity
from conveyor.domain.events import DomainEvent
from conveyor.domain.tasks import Task, TaskStatus
from conveyor.services.assignment_context import (
    client_record,
    employee_record,
    item_context,
    plain_record,
)
from conveyor.storage.unit_of_work import UnitOfWork

_NOT_CLOSED = frozenset({TaskStatus.PENDING, TaskStatus.IN_PROGRESS, TaskStatus.DEFERRED})


class Subject(Protocol):
    """A lead, deal or task as the assignment service sees it."""

    @property
    def id(self) -> int: ...
    @property
    def entity(self) -> RuleEntity: ...
    @property
    def stage_id(self) -> int | None: ...
    @property
    def entered_at(self) -> datetime: ...
    @property
    def fields(self) -> dict[str, Any]: ...

    def context(self, uow: UnitOfWork, names: Collection[str]) -> dict[str, Any]: ...
    def holder(self, rule: DistributionRule) -> int | None: ...
    def hand_to(
        self, rule: DistributionRule, employee_id: int, *, now: datetime
    ) -> list[DomainEvent]: ...
    def still_waits(self, entry: WaitingEntry) -> bool: ...


@dataclass(frozen=True)
class DealOrLead:
    item: CrmItem

    @property
    def id(self) -> int:
        assert self.item.id is not None
        return self.item.id

    @property
    def entity(self) -> RuleEntity:
        return RuleEntity(self.item.entity_type.value)

    @property
    def stage_id(self) -> int | None:
        return self.item.stage_id

    @property
    def entered_at(self) -> datetime:
        return self.item.stage_entered_at

    @property
    def fields(self) -> dict[str, Any]:
        return self.item.fields

    def context(self, uow: UnitOfWork, names: Collection[str]) -> dict[str, Any]:
        return item_context(uow, self.item, names)

    def holder(self, rule: DistributionRule) -> int | None:
        if rule.target_field == RESPONSIBLE:
            return self.item.responsible_id
        value = self.item.fields.get(rule.target_field)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def hand_to(
        self, rule: DistributionRule, employee_id: int, *, now: datetime
    ) -> list[DomainEvent]:
        if rule.target_field == RESPONSIBLE:
            change: dict[str, Any] = {"responsible_id": employee_id}
        else:
            change = {"fields": {**self.item.fields, rule.target_field: employee_id}}
        return self.item.change(change, now=now)

    def still_waits(self, entry: WaitingEntry) -> bool:
        return (self.item.stage_id, self.item.stage_entered_at) == (
            entry.stage_id,
            entry.stage_entered_at,
        )


@dataclass(frozen=True)
class NewTask:
    task: Task

    @property
    def id(self) -> int:
        assert self.task.id is not None
        return self.task.id

    @property
    def entity(self) -> RuleEntity:
        return RuleEntity.TASK

    @property
    def stage_id(self) -> int | None:
        return None

    @property
    def entered_at(self) -> datetime:
        return self.task.created_at

    @property
    def fields(self) -> dict[str, Any]:
        return {}

    def context(self, uow: UnitOfWork, names: Collection[str]) -> dict[str, Any]:
        context: dict[str, Any] = {"task": plain_record(self.task), "contact": None}
        if "company" in names:
            company_id = self.task.company_id
            company = None if company_id is None else uow.companies.find(company_id)
            context["company"] = None if company is None else client_record(company)
        if "responsible" in names:
            person = uow.employees.find(self.task.responsible_id)
            context["responsible"] = None if person is None else employee_record(person)
        return context

    def holder(self, rule: DistributionRule) -> int | None:
        """Nobody while the creator only holds it for the rule."""
        task = self.task
        return None if task.responsible_id == task.creator_id else task.responsible_id

    def hand_to(
        self, rule: DistributionRule, employee_id: int, *, now: datetime
    ) -> list[DomainEvent]:
        event = self.task.hand_over(employee_id, actor_id=0, now=now)
        return [] if event is None else [event]

    def still_waits(self, entry: WaitingEntry) -> bool:
        """Still open and still with its creator (nobody took it by hand)."""
        task = self.task
        return task.status in _NOT_CLOSED and task.responsible_id == task.creator_id


def subjects(uow: UnitOfWork, entity: str, ids: Collection[int]) -> dict[int, Subject]:
    """The subjects with these ids, in one read."""
    found: dict[int, Subject] = {}
    if entity == RuleEntity.TASK:
        for task in uow.tasks.with_ids(ids):
            found[task.id or 0] = NewTask(task)
    else:
        for item in uow.assignment_decisions.items(ids):
            found[item.id or 0] = DealOrLead(item)
    return found


def locked(uow: UnitOfWork, entity: str, subject_id: int) -> Subject | None:
    """The subject locked for this transaction (``None`` when gone or being changed)."""
    if entity == RuleEntity.TASK:
        task = uow.tasks.try_lock(subject_id)
        return None if task is None else NewTask(task)
    item = uow.items.try_lock(subject_id)
    return None if item is None else DealOrLead(item)


def exists(uow: UnitOfWork, entity: str, subject_id: int) -> bool:
    repository = uow.tasks if entity == RuleEntity.TASK else uow.items
    return repository.find(subject_id) is not None
