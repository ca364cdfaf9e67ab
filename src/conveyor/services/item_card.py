"""The card of one lead or deal: everything its page shows, read for whoever may see it.

Visibility is the item services': ``crm_items.get_item`` first (``NotFound`` for an item the
actor may not see), then the same services the API uses for robot runs, trigger runs, the
assignment decision and communications. What the actor may not see is left out, never
refused: an external partner's card has no communications and no client names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conveyor.domain.actors import Actor
from conveyor.domain.assignment_decisions import AssignmentDecision
from conveyor.domain.assignment_queue import WaitingEntry
from conveyor.domain.clients import Company, Contact
from conveyor.domain.communications import Communication
from conveyor.domain.crm_items import CrmItem
from conveyor.domain.custom_fields import CustomField
from conveyor.domain.distribution_rules import DistributionRule
from conveyor.domain.errors import Forbidden, NotFound
from conveyor.domain.events import StoredEvent
from conveyor.domain.field_types import FieldType
from conveyor.domain.pipelines import EntityType, Pipeline, Stage
from conveyor.domain.robot_runs import RobotRun
from conveyor.domain.trigger_runs import TriggerRun
from conveyor.services import (
    assignment_decisions,
    communications,
    crm_items,
    robot_runs,
    trigger_runs,
)
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = ["FieldValue", "ItemCard", "item_card"]

#: How much of each history the card reads.
LIMIT = 100
#: The robot-run events the timeline tells (scheduling and cancelling are in the robots
#: section only).
RUN_EVENTS = ("RobotRunFired", "RobotRunSkipped", "RobotRunFailed")
#: Payload keys of item events that name employees.
_PEOPLE_KEYS = ("responsible_id", "from_responsible_id", "employee_id", "registered_by_id")


@dataclass(frozen=True, kw_only=True)
class FieldValue:
    """A custom field of the item: its definition and value (``None``: empty); ``shown`` is
    the value's name where it is a link (an employee, a list element)."""

    definition: CustomField
    value: Any
    shown: str | None = None


@dataclass(frozen=True, kw_only=True)
class ItemCard:
    item: CrmItem
    pipeline: Pipeline
    stage: Stage
    fields: list[FieldValue]
    #: ``None`` for whoever has no access to the client base.
    company: Company | None
    contact: Contact | None
    #: The item's own events and its robot runs' endings, newest first.
    events: list[StoredEvent]
    robot_runs: list[RobotRun]
    #: The action of each run's robot (a deleted robot has none).
    robot_actions: dict[int, str]
    trigger_runs: list[TriggerRun]
    decision: AssignmentDecision | None
    #: The decision's rule as it is now (``None``: deleted).
    rule: DistributionRule | None
    waiting: list[WaitingEntry]
    #: The item's and its client's communications, newest first; ``None`` when the actor
    #: may not see them.
    communications: list[Communication] | None
    #: Names of the employees, stages and pipelines the card mentions.
    people: dict[int, str]
    stages: dict[int, str]
    pipelines: dict[int, str]


def item_card(uow: UnitOfWork, entity_type: EntityType, item_id: int, *, actor: Actor) -> ItemCard:
    """The card of the lead or deal; ``NotFound`` when the actor may not see it."""
    item = crm_items.get_item(uow, entity_type, item_id, actor=actor)
    runs = robot_runs.runs_of_item(
        uow, entity_type, item_id, actor=actor, limit=LIMIT, offset=0
    ).items
    triggers = trigger_runs.runs_of_item(
        uow, entity_type, item_id, actor=actor, limit=LIMIT, offset=0
    ).items
    try:
        decision: AssignmentDecision | None = assignment_decisions.latest_decision(
            uow, entity_type, item_id, actor=actor
        )
    except NotFound:
        decision = None
    talks = _communications(uow, item, actor)
    with uow:
        pipeline = uow.pipelines.get(item.pipeline_id)
        stage = uow.stages.get(item.stage_id)
        events = _events(uow, item, runs)
        people = _people(uow, item, events, runs, talks)
        fields = _fields(uow, item, people)
        clients = not actor.is_external
        return ItemCard(
            item=item,
            pipeline=pipeline,
            stage=stage,
            fields=fields,
            company=_found(uow.companies, item.company_id) if clients else None,
            contact=_found(uow.contacts, item.contact_id) if clients else None,
            events=events,
            robot_runs=runs,
            robot_actions=_actions(uow, runs),
            trigger_runs=triggers,
            decision=decision,
            rule=None if decision is None else uow.distribution_rules.find(decision.rule_id),
            waiting=uow.assignment_queue.for_item(entity_type.value, item_id),
            communications=talks,
            people=people,
            stages=_stage_names(uow, item, events, triggers),
            pipelines=_pipeline_names(uow, item, events),
        )


def _communications(uow: UnitOfWork, item: CrmItem, actor: Actor) -> list[Communication] | None:
    """The item's communications and its client's (the company's, else the contact's)."""
    found: dict[int, Communication] = {}
    company_id = item.company_id
    contact_id = item.contact_id if company_id is None else None
    try:
        own = communications.list_communications(
            uow, actor=actor, limit=LIMIT, offset=0, item_id=_id(item)
        )
        found.update({_id(c): c for c in own.items})
        if company_id is not None or contact_id is not None:
            theirs = communications.list_communications(
                uow,
                actor=actor,
                limit=LIMIT,
                offset=0,
                company_id=company_id,
                contact_id=contact_id,
            )
            found.update({_id(c): c for c in theirs.items})
    except Forbidden:
        return None
    newest = sorted(found.values(), key=lambda c: (c.occurred_at, _id(c)), reverse=True)
    return newest[:LIMIT]


def _events(uow: UnitOfWork, item: CrmItem, runs: list[RobotRun]) -> list[StoredEvent]:
    own = uow.events.of_entity(item.entity_type.value, _id(item), limit=LIMIT)
    ended = uow.events.of_entities("robot_run", [_id(r) for r in runs], limit=LIMIT)
    ended = [e for e in ended if e.type in RUN_EVENTS]
    # Event ids are the order things happened in, across entities.
    return sorted([*own, *ended], key=lambda e: e.id or 0, reverse=True)[:LIMIT]


def _people(
    uow: UnitOfWork,
    item: CrmItem,
    events: list[StoredEvent],
    runs: list[RobotRun],
    talks: list[Communication] | None,
) -> dict[int, str]:
    ids = {item.responsible_id, item.created_by_id}
    for event in events:
        ids.update(_int(event.payload.get(key)) for key in _PEOPLE_KEYS)
        ids.update(_int(i) for i in event.payload.get("head_ids") or [])
    ids.update(c.employee_id for c in talks or [])
    definitions = uow.custom_fields.of(item.entity_type)
    for code, value in item.fields.items():
        definition = definitions.get(code)
        if definition is not None and definition.type is FieldType.EMPLOYEE:
            ids.add(_int(value))
    names = {}
    for employee_id in sorted(i for i in ids if i):
        employee = uow.employees.find(employee_id)
        if employee is not None:
            names[employee_id] = employee.name
    return names


def _fields(uow: UnitOfWork, item: CrmItem, people: dict[int, str]) -> list[FieldValue]:
    """Every custom field of the item's type, in the admin's order, empty ones too."""
    definitions = sorted(
        uow.custom_fields.of(item.entity_type).values(), key=lambda d: (d.sort, d.code)
    )
    result = []
    for definition in definitions:
        value = item.fields.get(definition.code)
        shown = None
        if value is not None and definition.type is FieldType.EMPLOYEE:
            shown = people.get(_int(value) or 0)
        elif value is not None and definition.type is FieldType.LIST_ELEMENT:
            element = _found(uow.list_elements, _int(value))
            shown = None if element is None else element.name
        result.append(FieldValue(definition=definition, value=value, shown=shown))
    return result


def _actions(uow: UnitOfWork, runs: list[RobotRun]) -> dict[int, str]:
    actions = {}
    for robot_id in {r.robot_id for r in runs}:
        robot = uow.robots.find(robot_id)
        if robot is not None:
            actions[robot_id] = robot.action.value
    return actions


def _stage_names(
    uow: UnitOfWork, item: CrmItem, events: list[StoredEvent], triggers: list[TriggerRun]
) -> dict[int, str]:
    """The item's pipeline's stages, and any other stage its history names."""
    names = {_id(s): s.name for s in uow.stages.of(item.pipeline_id)}
    wanted = {_int(e.payload.get(k)) for e in events for k in ("stage_id", "from_stage_id")}
    wanted |= {t.to_stage_id for t in triggers} | {t.from_stage_id for t in triggers}
    for stage_id in sorted(i for i in wanted if i and i not in names):
        stage = uow.stages.find(stage_id)
        if stage is not None:
            names[stage_id] = stage.name
    return names


def _pipeline_names(uow: UnitOfWork, item: CrmItem, events: list[StoredEvent]) -> dict[int, str]:
    wanted = {_int(e.payload.get(k)) for e in events for k in ("pipeline_id", "from_pipeline_id")}
    names = {}
    for pipeline_id in sorted({item.pipeline_id, *(i for i in wanted if i)}):
        pipeline = uow.pipelines.find(pipeline_id)
        if pipeline is not None:
            names[pipeline_id] = pipeline.name
    return names


def _found(repository: Any, object_id: int | None) -> Any:
    return None if object_id is None else repository.find(object_id)


def _int(value: object) -> int | None:
    """An id from an event's JSON payload (``None`` for anything else)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _id(obj: Any) -> int:
    assert obj.id is not None
    return int(obj.id)
