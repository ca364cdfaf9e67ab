"""The company's own demand of the last days, as a scenario to replay: a dry-run of a rule
(or of the policies in general) on real deals and leads before it is switched on.

What is read, and how it becomes demand:

- **which items**: with a rule, the items of its entity type that entered its trigger stage
  in the period (each counted once, at its first such entry) and for which its condition
  holds; without a rule, the ``entity_type`` items created in the period;
- **arrival**: that first entry into the trigger stage, or the creation;
- **weight**: the rule's weight expression on the item (as assignment would weigh it);
  without a rule, 1 point each. An item whose condition or weight cannot be evaluated is
  passed over, as the rule itself would pass it over;
- **effort**: the company's working time the item spent in work: with a rule that names
  in-work stages, from its first entry into one of them to its next entry into a stage
  outside them; otherwise from arrival to closing (reaching a final stage). It is the work
  as it was lived, shared with the person's other items, so it overstates the effort a
  little. Items still in work get ``default_effort_hours``;
- **deadline**: the effort plus ``slack_hours`` of the company's working time (deals carry
  no deadline of their own);
- **team**: the rule's pool (its capacity and overrides, heads, external partners, skills),
  or without a rule the employees who were responsible for the items, capped at
  ``capacity``; dismissed employees are left out; absences are the recorded ones.

The replay starts with everyone free: load carried into the period is not counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from conveyor.domain.actors import Actor
from conveyor.domain.crm_items import CrmItem
from conveyor.domain.distribution_rules import DistributionRule, RuleEntity
from conveyor.domain.errors import ExpressionFailed, InvalidValue
from conveyor.domain.pipelines import EntityType
from conveyor.domain.working_time import WorkingTime
from conveyor.engines.assignment import RuleSettings
from conveyor.engines.simulation import Away, Demand, Policy, Scenario, Teammate
from conveyor.services.assignment import rule_settings
from conveyor.services.assignment_context import compiled, item_context, weigh
from conveyor.services.candidates import resolve_pool
from conveyor.services.working_time import EmployeeWorkingTime, check_instant
from conveyor.storage.repositories.demand_history import StageEntry
from conveyor.storage.unit_of_work import UnitOfWork

MAX_DAYS = 366


@dataclass(frozen=True, kw_only=True)
class HistoryRequest:
    """What to replay: the last ``days`` days, for ``rule_id`` or for ``entity_type``."""

    days: int
    rule_id: int | None = None
    entity_type: EntityType = EntityType.DEAL
    capacity: Decimal | None = None
    slack_hours: float = 8.0
    default_effort_hours: float = 4.0
    timezone: str = "Europe/Moscow"


@dataclass(frozen=True, kw_only=True)
class DemandHistory:
    """The scenario, the rule's own policy (``None`` without a rule) and what was read:
    ``items_read`` in the period, ``passed_over`` by the rule's condition or weight,
    ``effort_estimated``: items that never left work, given the default effort."""

    scenario: Scenario
    rule_policy: Policy | None
    items_read: int
    passed_over: int
    effort_estimated: int


def read_demand_history(
    uow: UnitOfWork, request: HistoryRequest, *, actor: Actor, now: datetime
) -> DemandHistory:
    """Build the scenario of ``request`` from the database; reads only, changes nothing.

    Raises ``InvalidValue`` (field "days", "rule", "entity_type" or "team") when the
    request cannot be replayed, ``NotFound`` (field "rule") for an unknown rule.
    """
    actor.require_admin()
    check_instant(now, field="now")
    if not 1 <= request.days <= MAX_DAYS:
        raise InvalidValue(f"History covers 1 to {MAX_DAYS} days", field="days")
    if request.entity_type not in (EntityType.DEAL, EntityType.LEAD):
        raise InvalidValue("History replays deals or leads", field="entity_type")
    since = now - timedelta(days=request.days)
    with uow:
        rule = None if request.rule_id is None else _rule(uow, request.rule_id)
        company = EmployeeWorkingTime(
            employee_id=0,
            timezone=request.timezone,
            schedule=None,
            overrides=tuple(uow.calendar_overrides.all()),
        ).around(since, now)
        if rule is None:
            arrivals = _created(uow, request.entity_type, since, now)
            entries: dict[int, list[StageEntry]] = {}
        else:
            arrivals, entries = _entered(uow, rule, since, now)
        if not arrivals:
            what = "deals" if rule is None else f"items reaching rule {rule.id}'s trigger stage"
            raise InvalidValue(
                f"No {what} in the last {request.days} days: nothing to replay", field="days"
            )
        demand, passed_over, estimated = _demand(uow, rule, request, arrivals, entries, company)
        team = _team(uow, rule, request, arrivals, since)
    tz = ZoneInfo(request.timezone)
    settings = _settings(rule, request)
    scenario = Scenario(
        starts_at=since.astimezone(tz),
        ends_at=now.astimezone(tz),
        timezone=tz,
        team=team,
        demand=tuple(demand),
        settings=settings,
    )
    rule_policy = None
    if rule is not None:
        ahead = "" if rule.look_ahead_days is None else f" + look-ahead {rule.look_ahead_days}d"
        name = f"rule {rule.id} as saved ({rule.strategy.value.replace('_', ' ')}{ahead})"
        rule_policy = Policy(name=name, settings=settings)
    return DemandHistory(
        scenario=scenario,
        rule_policy=rule_policy,
        items_read=len(arrivals),
        passed_over=passed_over,
        effort_estimated=estimated,
    )


def _rule(uow: UnitOfWork, rule_id: int) -> DistributionRule:
    rule = uow.distribution_rules.get(rule_id, field="rule")
    if rule.entity_type is RuleEntity.TASK:
        raise InvalidValue("Task rules cannot be replayed from history yet", field="rule")
    return rule


def _created(
    uow: UnitOfWork, entity_type: EntityType, since: datetime, now: datetime
) -> dict[int, tuple[CrmItem, datetime]]:
    """Items created in the period, each arriving at its creation."""
    arrivals = {}
    for item in uow.demand_history.created_between(entity_type, since, now):
        assert item.id is not None
        arrivals[item.id] = (item, item.created_at)
    return arrivals


def _entered(
    uow: UnitOfWork, rule: DistributionRule, since: datetime, now: datetime
) -> tuple[dict[int, tuple[CrmItem, datetime]], dict[int, list[StageEntry]]]:
    """Items that entered the rule's trigger stage in the period, each at its first entry
    there (from the outbox, or from the item itself when it still sits there), and every
    stage entry of theirs."""
    entity = EntityType(rule.entity_type.value)
    entries: dict[int, list[StageEntry]] = defaultdict(list)
    for entry in uow.demand_history.stage_entries(entity, since):
        entries[entry.item_id].append(entry)
    first: dict[int, datetime] = {}
    for item_id, seen in entries.items():
        at = next((e.at for e in seen if e.stage_id == rule.trigger_stage_id and e.at < now), None)
        if at is not None:
            first[item_id] = at
    assert rule.trigger_stage_id is not None
    for item in uow.demand_history.entered_between(rule.trigger_stage_id, since, now):
        assert item.id is not None
        first.setdefault(item.id, item.stage_entered_at)
    arrivals = {}
    for item in uow.demand_history.items(first):
        assert item.id is not None
        arrivals[item.id] = (item, first[item.id])
    return arrivals, entries


def _demand(
    uow: UnitOfWork,
    rule: DistributionRule | None,
    request: HistoryRequest,
    arrivals: dict[int, tuple[CrmItem, datetime]],
    entries: dict[int, list[StageEntry]],
    company: WorkingTime,
) -> tuple[list[Demand], int, int]:
    """The items the rule takes, weighed, with their effort and deadline."""
    in_work = set(rule.in_work_stage_ids) if rule is not None else set()
    passed_over = estimated = 0
    demand = []
    for item_id, (item, arrival) in sorted(arrivals.items(), key=lambda a: (a[1][1], a[0])):
        weight = _weight(uow, rule, item)
        if weight is None:
            passed_over += 1
            continue
        span = _span_in_work(item, arrival, entries.get(item_id, []), in_work)
        effort = None if span is None else company.working_time_between(*span)
        if effort is None or effort <= timedelta(0):
            estimated += 1
            effort = timedelta(hours=request.default_effort_hours)
        due = company.add_working_hours(arrival, effort + timedelta(hours=request.slack_hours))
        demand.append(
            Demand(
                item_id=item_id,
                arrives_at=arrival,
                weight=weight,
                effort=effort,
                deadline=due,
                skill=_skill(rule, item),
            )
        )
    return demand, passed_over, estimated


def _weight(uow: UnitOfWork, rule: DistributionRule | None, item: CrmItem) -> Decimal | None:
    """The item's weight under the rule, or ``None`` when the rule would not take it."""
    if rule is None:
        return Decimal(1)
    try:
        if rule.condition is not None:
            condition = compiled(rule.condition, rule.entity_type, "condition")
            if not condition.test(item_context(uow, item, condition.names)):
                return None
        weight = compiled(rule.weight, rule.entity_type, "weight")
        return weigh(weight, item_context(uow, item, weight.names))
    except ExpressionFailed:
        return None


def _span_in_work(
    item: CrmItem, arrival: datetime, seen: list[StageEntry], in_work: set[int]
) -> tuple[datetime, datetime] | None:
    """When the item was in work: between entering an in-work stage and leaving them all;
    without in-work stages, from arrival to closing. ``None`` when it never left."""
    if not in_work:
        return None if item.closed_at is None else (arrival, item.closed_at)
    later = [e for e in seen if e.at >= arrival]
    start = next((e.at for e in later if e.stage_id in in_work), None)
    if start is None:
        return None
    end = next((e.at for e in later if e.at > start and e.stage_id not in in_work), None)
    return None if end is None else (start, end)


def _skill(rule: DistributionRule | None, item: CrmItem) -> str | None:
    if rule is None or rule.skill_field is None:
        return None
    value = item.fields.get(rule.skill_field)
    return None if value is None or str(value).strip() == "" else str(value)


def _team(
    uow: UnitOfWork,
    rule: DistributionRule | None,
    request: HistoryRequest,
    arrivals: dict[int, tuple[CrmItem, datetime]],
    since: datetime,
) -> tuple[Teammate, ...]:
    if rule is None:
        pool = sorted({i.responsible_id for i, _ in arrivals.values() if i.responsible_id})
    else:
        pool = resolve_pool(
            uow,
            employee_ids=rule.employee_ids,
            department_ids=rule.department_ids,
            include_subdepartments=rule.include_subdepartments,
        )
    people = [p for p in uow.workload.staff(pool) if p.active]
    if not people:
        whose = "the items' responsibles" if rule is None else f"rule {rule.id}'s pool"
        raise InvalidValue(f"Nobody active in {whose}: nobody to assign to", field="team")
    ids = [p.id for p in people]
    heads = uow.workload.heads_among(ids)
    away: dict[int, list[Away]] = defaultdict(list)
    for absence in uow.workload.absences_ending_from(ids, since.date() - timedelta(days=1)):
        away[absence.employee_id].append(
            Away(first=absence.starts_on, last=absence.ends_on, kind=absence.kind)
        )
    overrides = {} if rule is None else rule.capacity_overrides
    return tuple(
        Teammate(
            employee_id=p.id,
            name=p.name,
            capacity_points=overrides.get(p.id),
            skills=frozenset(p.skills),
            away=tuple(away.get(p.id, [])),
            is_head=p.id in heads,
            is_external=p.is_external,
        )
        for p in people
    )


def _settings(rule: DistributionRule | None, request: HistoryRequest) -> RuleSettings:
    """The rule's own filters, capacity and strategy (the day status and working hours are
    not replayed); without a rule, least loaded under ``request.capacity``."""
    if rule is None:
        return RuleSettings(default_capacity_points=request.capacity)
    return replace(
        rule_settings(rule),
        respect_day_status=False,
        respect_working_hours=False,
        never_previous_owner=False,
    )
