"""Distribution rules: defined by admins through the API, validated on save.

Each use case is one transaction; every change emits ``DistributionRuleCreated``,
``DistributionRuleChanged`` or ``DistributionRuleDeleted`` with the rule's version, so the
engine (and anyone listening) knows which definition is current.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from conveyor.domain.actors import Actor
from conveyor.domain.distribution_rules import (
    RESPONSIBLE,
    DistributionRule,
    RuleEntity,
    RuleStrategy,
)
from conveyor.domain.events import DomainEvent
from conveyor.domain.pages import Page
from conveyor.services.assignment_queue import retry_after_rule_change
from conveyor.services.distribution_rule_checks import check_references
from conveyor.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class RuleSpec:
    """Everything a new rule says; see ``DistributionRule`` for the meaning of each part."""

    name: str
    entity_type: RuleEntity
    enabled: bool = True
    priority: int = 0
    pipeline_id: int | None = None
    trigger_stage_id: int | None = None
    condition: str | None = None
    target_field: str = RESPONSIBLE
    employee_ids: list[int] = field(default_factory=list)
    department_ids: list[int] = field(default_factory=list)
    include_subdepartments: bool = True
    excluded_ids: list[int] = field(default_factory=list)
    exclude_heads: bool = False
    allow_external: bool = True
    respect_absences: bool = True
    respect_day_status: bool = False
    respect_working_hours: bool = False
    default_capacity_points: Decimal | None = None
    capacity_overrides: dict[int, Decimal] = field(default_factory=dict)
    in_work_stage_ids: list[int] = field(default_factory=list)
    count_open_tasks: bool = False
    weight: str = "1"
    strategy: RuleStrategy = RuleStrategy.LEAST_LOADED
    skill_field: str | None = None
    never_previous_owner: bool = False
    look_ahead_days: int | None = None
    next_stage_id: int | None = None
    escalate_after_minutes: int | None = None
    queue_priority: str | None = None


def create_rule(
    uow: UnitOfWork, spec: RuleSpec, *, actor: Actor, now: datetime
) -> DistributionRule:
    actor.require_admin()
    with uow:
        rule = DistributionRule(**_fresh(asdict(spec)), created_at=now, updated_at=now)
        check_references(uow, rule)
        uow.distribution_rules.add(rule)
        uow.emit(_event("DistributionRuleCreated", rule, now))
        uow.commit()
    return rule


def get_rule(uow: UnitOfWork, rule_id: int, *, actor: Actor) -> DistributionRule:
    actor.require_admin()
    with uow:
        return uow.distribution_rules.get(rule_id)


def list_rules(
    uow: UnitOfWork,
    *,
    actor: Actor,
    limit: int,
    offset: int,
    entity_type: RuleEntity | None = None,
    pipeline_id: int | None = None,
    trigger_stage_id: int | None = None,
    enabled: bool | None = None,
) -> Page[DistributionRule]:
    """Rules matching every filter given, highest priority first, then the oldest."""
    actor.require_admin()
    with uow:
        repository = uow.distribution_rules
        return repository.page(
            limit=limit,
            offset=offset,
            filters={
                "entity_type": entity_type,
                "pipeline_id": pipeline_id,
                "trigger_stage_id": trigger_stage_id,
                "enabled": enabled,
            },
            order_by=[repository.column("priority").desc()],
        )


def update_rule(
    uow: UnitOfWork, rule_id: int, changes: dict[str, Any], *, actor: Actor, now: datetime
) -> DistributionRule:
    """Change the fields in ``changes``; the whole rule is checked again, and its version
    grows by one when anything really changed (nothing changed: no event, same version)."""
    actor.require_admin()
    with uow:
        # Locked so that two concurrent edits cannot both become the same next version.
        rule = uow.distribution_rules.get(rule_id, for_update=True)
        # Checked on a detached copy first: a half-changed rule in the session could be
        # flushed by the checks' own queries before they refuse it.
        draft = replace(rule)
        changed = draft.change(_fresh(changes), now=now)
        if changed:
            check_references(uow, draft)
            rule.change(_fresh(changes), now=now)
            uow.flush()
            uow.emit(_event("DistributionRuleChanged", rule, now, changed=changed))
            retry_after_rule_change(uow, rule_id, now=now)
            uow.commit()
    return rule


def delete_rule(uow: UnitOfWork, rule_id: int, *, actor: Actor, now: datetime) -> None:
    actor.require_admin()
    with uow:
        rule = uow.distribution_rules.get(rule_id, for_update=True)
        # Its waiting entries end with it (the database drops them), each said aloud.
        for entry in uow.assignment_queue.waiting(rule_id, limit=2**31 - 1):
            uow.emit(entry.left("the rule was deleted", now))
        uow.distribution_rules.delete(rule)
        uow.emit(_event("DistributionRuleDeleted", rule, now))
        uow.commit()


def _fresh(values: dict[str, Any]) -> dict[str, Any]:
    """Copies of the lists and dicts in ``values``: the rule never shares them with a caller,
    and storage sees a new value whenever one is set."""
    return {
        k: list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v
        for k, v in values.items()
    }


def _event(type_: str, rule: DistributionRule, now: datetime, **extra: Any) -> DomainEvent:
    assert rule.id is not None
    return DomainEvent(
        type=type_,
        entity="distribution_rule",
        entity_id=rule.id,
        occurred_at=now,
        payload={**rule.summary(), **extra},
    )
