"""Leads and deals: create, change, list, and move them through their pipelines.

Every function takes the ``entity_type`` (lead or deal) its route serves; an item of the
other type is "not found". External partners see and change only the items they are
responsible for: for them other items do not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from conveyor.domain.actors import Actor
from conveyor.domain.clients import require_client_access
from conveyor.domain.crm_items import CrmItem, ItemQuery, check_currency
from conveyor.domain.custom_fields import (
    CustomField,
    check_required,
    missing_required,
    normalize_fields,
)
from conveyor.domain.errors import (
    Forbidden,
    InvalidValue,
    NotFound,
    RequiredFieldMissing,
    StageNotInPipeline,
)
from conveyor.domain.field_types import parse_amount
from conveyor.domain.pages import Page
from conveyor.domain.pipelines import EntityType, Pipeline, Stage, check_pipeline_entity
from conveyor.services import trigger_firing
from conveyor.services.assignment import assign_on_entry
from conveyor.services.assignment_queue import (
    leave_queue_if_handed_over,
    retry_after_item_handed_over,
    retry_after_item_left,
)
from conveyor.services.references import active_employee, check_links
from conveyor.services.robot_runs import follow_date_fields, start_robots
from conveyor.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class CreateItem:
    title: str
    #: Default: the type's first pipeline (by sort), or the pipeline of ``stage_id``.
    pipeline_id: int | None = None
    #: Default: the pipeline's first stage.
    stage_id: int | None = None
    #: Raw input, checked by ``parse_amount``.
    amount: object = None
    currency: str = "RUB"
    #: Default: the acting employee.
    responsible_id: int | None = None
    contact_id: int | None = None
    company_id: int | None = None
    fields: dict[str, Any] = field(default_factory=dict)


def create_item(
    uow: UnitOfWork, entity_type: EntityType, command: CreateItem, *, actor: Actor, now: datetime
) -> CrmItem:
    with uow:
        item = open_item(uow, entity_type, command, actor=actor, now=now)
        uow.commit()
    return item


def open_item(
    uow: UnitOfWork,
    entity_type: EntityType,
    command: CreateItem,
    *,
    actor: Actor,
    now: datetime,
    depth: int = 0,
) -> CrmItem:
    """Create the item INSIDE the caller's open unit of work (never commits), as a creation by
    hand does: checked, placed, assigned by the rules of its stage, its stage's robots
    started (``depth``: how many automated moves led here, for the robots' cascade limit).
    What the API's ``create_item`` and automation (robots, communication control) share."""
    check_pipeline_entity(entity_type)
    pipeline, stage = _placement(uow, entity_type, command.pipeline_id, command.stage_id)
    responsible_id = command.responsible_id
    if responsible_id is None and actor.employee_id:
        responsible_id = actor.employee_id
    if responsible_id is not None:
        _check_responsible(uow, responsible_id, actor)
    _check_clients(uow, contact_id=command.contact_id, company_id=command.company_id, actor=actor)
    definitions = uow.custom_fields.of(entity_type)
    values = normalize_fields(definitions, {}, command.fields)
    check_links(uow, definitions, values, prefix="fields")
    check_required(definitions, values, stage, _by_id(uow.stages.of(_id(pipeline))))
    item = uow.items.add(
        CrmItem(
            entity_type=entity_type,
            title=command.title,
            pipeline_id=_id(pipeline),
            stage_id=_id(stage),
            amount=_amount(command.amount),
            currency=check_currency(command.currency),
            responsible_id=responsible_id,
            contact_id=command.contact_id,
            company_id=command.company_id,
            fields=values,
            created_by_id=actor.employee_id or None,
            created_at=now,
            updated_at=now,
            stage_entered_at=now,
            closed_at=now if stage.is_final else None,
        )
    )
    uow.emit(item.created(stage))
    # Distribution rules at this stage assign the item in this same transaction.
    assign_on_entry(uow, item, now=now)
    start_robots(uow, item, now=now, depth=depth)
    return item


def get_item(uow: UnitOfWork, entity_type: EntityType, item_id: int, *, actor: Actor) -> CrmItem:
    with uow:
        return _visible(uow, entity_type, item_id, actor)


def list_items(
    uow: UnitOfWork, query: ItemQuery, *, actor: Actor, limit: int, offset: int
) -> Page[CrmItem]:
    """Matching items, newest first; an external partner's list holds only their own."""
    with uow:
        return uow.items.search(visible_query(query, actor), limit=limit, offset=offset)


def visible_query(query: ItemQuery, actor: Actor) -> ItemQuery:
    """``query`` narrowed to the items ``actor`` may see (an external partner: their own);
    what every list and count of items goes through."""
    return replace(query, visible_to_id=actor.employee_id) if actor.is_external else query


def update_item(
    uow: UnitOfWork,
    entity_type: EntityType,
    item_id: int,
    changes: dict[str, Any],
    *,
    actor: Actor,
    now: datetime,
) -> CrmItem:
    """Change title, amount, currency, responsible, contact, company or custom ``fields``
    (only the codes given; ``None`` clears one). Clearing a field the item's current stage
    requires is refused with ``RequiredFieldMissing``."""
    with uow:
        item = _visible(uow, entity_type, item_id, actor, for_update=True)
        checked: dict[str, Any] = {k: changes[k] for k in ("title",) if k in changes}
        if "amount" in changes:
            checked["amount"] = _amount(changes["amount"])
        if "currency" in changes:
            checked["currency"] = check_currency(str(changes["currency"]))
        if "responsible_id" in changes:
            checked["responsible_id"] = _check_responsible(uow, changes["responsible_id"], actor)
        if "contact_id" in changes or "company_id" in changes:
            # Even clearing a client link is work on the client base.
            require_client_access(actor)
        _check_clients(
            uow,
            contact_id=changes.get("contact_id"),
            company_id=changes.get("company_id"),
            actor=actor,
        )
        checked.update({k: changes[k] for k in ("contact_id", "company_id") if k in changes})
        if "fields" in changes:
            checked["fields"] = _changed_fields(uow, item, changes["fields"])
        handed_over = checked.get("responsible_id", item.responsible_id) != item.responsible_id
        fields_before = dict(item.fields)
        uow.emit(*item.change(checked, now=now))
        changed = {"responsible_id"} if handed_over else set()
        changed |= {
            c for c in {*fields_before, *item.fields} if fields_before.get(c) != item.fields.get(c)
        }
        if changed:
            uow.flush()
            leave_queue_if_handed_over(uow, item, changed, now=now)
            follow_date_fields(uow, item, changed, now=now)
        if handed_over:
            retry_after_item_handed_over(uow, item, now=now)
        trigger_firing.fields_changed(uow, item, fields_before, now=now)
        uow.commit()
    return item


def move_item(
    uow: UnitOfWork,
    entity_type: EntityType,
    item_id: int,
    stage_id: int,
    *,
    actor: Actor,
    now: datetime,
) -> CrmItem:
    """Move the item to another stage of its pipeline.

    Refused with ``RequiredFieldMissing`` (naming the field and the stage it is required
    from) when a field required at ``stage_id`` is empty; then nothing changes and no
    event is written. Moving to the current stage changes nothing.
    """
    with uow:
        item = _visible(uow, entity_type, item_id, actor, for_update=True)
        stage = uow.stages.get(stage_id, field="stage_id")
        if stage.pipeline_id != item.pipeline_id:
            raise StageNotInPipeline(
                f"Stage {stage_id} is not in the pipeline of {entity_type.value} {item_id}",
                field="stage_id",
            )
        if stage.id == item.stage_id:
            return item
        definitions = uow.custom_fields.of(entity_type)
        check_required(definitions, item.fields, stage, _by_id(uow.stages.of(item.pipeline_id)))
        left = item.stage_id
        uow.emit(item.move_to(stage, now=now))
        uow.flush()
        retry_after_item_left(uow, item, left, now=now)
        assign_on_entry(uow, item, now=now)
        start_robots(uow, item, now=now)
        uow.commit()
    return item


def change_item_pipeline(
    uow: UnitOfWork,
    entity_type: EntityType,
    item_id: int,
    pipeline_id: int,
    *,
    actor: Actor,
    now: datetime,
) -> CrmItem:
    """Move the item to the first stage of another pipeline of its type, checking the fields
    required there. Its current pipeline changes nothing."""
    with uow:
        item = _visible(uow, entity_type, item_id, actor, for_update=True)
        pipeline = _pipeline(uow, entity_type, pipeline_id)
        if pipeline.id == item.pipeline_id:
            return item
        stages = uow.stages.of(pipeline_id)
        definitions = uow.custom_fields.of(entity_type)
        check_required(definitions, item.fields, stages[0], _by_id(stages))
        left = item.stage_id
        uow.emit(item.change_pipeline(stages[0], now=now))
        uow.flush()
        retry_after_item_left(uow, item, left, now=now)
        assign_on_entry(uow, item, now=now)
        start_robots(uow, item, now=now)
        uow.commit()
    return item


def _visible(
    uow: UnitOfWork,
    entity_type: EntityType,
    item_id: int,
    actor: Actor,
    *,
    for_update: bool = False,
) -> CrmItem:
    item = uow.items.find(item_id, for_update=for_update)
    if item is None or item.entity_type is not entity_type or not item.visible_to(actor):
        raise NotFound(entity_type.value, item_id)
    return item


def _placement(
    uow: UnitOfWork, entity_type: EntityType, pipeline_id: int | None, stage_id: int | None
) -> tuple[Pipeline, Stage]:
    """The pipeline and stage a new item starts in."""
    if stage_id is not None:
        stage = uow.stages.get(stage_id, field="stage_id")
        if pipeline_id is None:
            pipeline = uow.pipelines.get(stage.pipeline_id)
            if pipeline.entity_type is not entity_type:
                raise StageNotInPipeline(
                    f"Stage {stage_id} is in a {pipeline.entity_type.value} pipeline",
                    field="stage_id",
                )
            return pipeline, stage
        pipeline = _pipeline(uow, entity_type, pipeline_id)
        if stage.pipeline_id != pipeline.id:
            raise StageNotInPipeline(
                f"Stage {stage_id} is not in pipeline {pipeline_id}", field="stage_id"
            )
        return pipeline, stage
    if pipeline_id is not None:
        pipeline = _pipeline(uow, entity_type, pipeline_id)
    else:
        pipelines = uow.pipelines.of_type(entity_type)
        if not pipelines:
            raise InvalidValue(
                f"There is no {entity_type.value} pipeline yet; an admin creates one first",
                field="pipeline_id",
            )
        pipeline = pipelines[0]
    return pipeline, uow.stages.of(_id(pipeline))[0]


def _pipeline(uow: UnitOfWork, entity_type: EntityType, pipeline_id: int) -> Pipeline:
    pipeline = uow.pipelines.get(pipeline_id, field="pipeline_id")
    if pipeline.entity_type is not entity_type:
        raise InvalidValue(
            f"Pipeline {pipeline_id} is a {pipeline.entity_type.value} pipeline",
            field="pipeline_id",
        )
    return pipeline


def _check_responsible(uow: UnitOfWork, employee_id: int, actor: Actor) -> int:
    where = "responsible_id"
    if actor.is_external and employee_id != actor.employee_id:
        # Handing an item to someone else would also hide it from its partner for good.
        raise Forbidden("An external partner can only be responsible themselves", field=where)
    active_employee(uow, employee_id, field=where)
    return employee_id


def _check_clients(
    uow: UnitOfWork, *, contact_id: int | None, company_id: int | None, actor: Actor
) -> None:
    if contact_id is not None or company_id is not None:
        # External partners have no access to the client base, so they cannot link it either.
        require_client_access(actor)
    if contact_id is not None:
        uow.contacts.get(contact_id, field="contact_id")
    if company_id is not None:
        uow.companies.get(company_id, field="company_id")


def _changed_fields(uow: UnitOfWork, item: CrmItem, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The item's new custom values; a code the current stage requires cannot be cleared."""
    definitions: dict[str, CustomField] = uow.custom_fields.of(item.entity_type)
    values = normalize_fields(definitions, item.fields, raw)
    check_links(uow, definitions, {code: values.get(code) for code in raw}, prefix="fields")
    stage = uow.stages.get(item.stage_id)
    stages = _by_id(uow.stages.of(item.pipeline_id))
    # Only the codes being changed: a requirement added after the item passed its stage
    # must not block unrelated edits.
    for definition, threshold in missing_required(definitions, values, stage, stages):
        if definition.code in raw:
            raise RequiredFieldMissing(definition.code, definition.name, threshold.name)
    return values


def _amount(raw: object) -> Decimal | None:
    return None if raw is None else parse_amount(raw, where="amount")


def _by_id(stages: list[Stage]) -> dict[int, Stage]:
    return {_id(s): s for s in stages}


def _id(obj: Pipeline | Stage) -> int:
    assert obj.id is not None
    return obj.id
