"""Custom fields of leads, deals, contacts and companies, defined by admins."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from conveyor.domain.actors import Actor
from conveyor.domain.custom_fields import CustomField, check_definition, check_requirement
from conveyor.domain.errors import Conflict
from conveyor.domain.events import DomainEvent
from conveyor.domain.field_types import FieldType
from conveyor.domain.pages import Page
from conveyor.domain.pipelines import EntityType
from conveyor.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class CreateField:
    entity_type: EntityType
    code: str
    name: str
    type: FieldType
    options: list[str] = field(default_factory=list)
    list_id: int | None = None
    required_from_stage_id: int | None = None
    sort: int = 100


def create_field(
    uow: UnitOfWork, command: CreateField, *, actor: Actor, now: datetime
) -> CustomField:
    actor.require_admin()
    with uow:
        if uow.custom_fields.by_code(command.entity_type, command.code) is not None:
            raise Conflict(
                f"A {command.entity_type.value} field with code '{command.code}' already exists",
                field="code",
            )
        definition = CustomField(
            entity_type=command.entity_type,
            code=command.code,
            name=command.name,
            type=command.type,
            options=list(command.options),
            list_id=command.list_id,
            required_from_stage_id=command.required_from_stage_id,
            sort=command.sort,
        )
        _check(uow, definition)
        uow.custom_fields.add(definition)
        uow.emit(
            _event(
                "CustomFieldCreated",
                definition,
                now,
                entity_type=definition.entity_type.value,
                code=definition.code,
                type=definition.type.value,
            )
        )
        uow.commit()
    return definition


def update_field(
    uow: UnitOfWork, field_id: int, changes: dict[str, Any], *, actor: Actor, now: datetime
) -> CustomField:
    """Change a field's settings; ``changes`` holds only the fields given.

    Values already stored must stay valid, so while the field has values its type and
    list cannot change, and enum options in use cannot be removed (409).
    """
    actor.require_admin()
    with uow:
        definition = uow.custom_fields.get(field_id)
        target = _changed(definition, changes)
        # Every check runs before the stored object changes: a query would autoflush it.
        _check(uow, target)
        _check_values_fit(uow, definition, target)
        for name in _SETTINGS:
            setattr(definition, name, getattr(target, name))
        uow.flush()
        uow.emit(_event("CustomFieldChanged", definition, now, changed=sorted(changes)))
        uow.commit()
    return definition


def delete_field(uow: UnitOfWork, field_id: int, *, actor: Actor, now: datetime) -> None:
    """Delete a field and the values records hold for it."""
    actor.require_admin()
    with uow:
        definition = uow.custom_fields.get(field_id)
        cleared = uow.custom_fields.clear_values(definition)
        uow.custom_fields.delete(definition)
        uow.emit(
            _event("CustomFieldDeleted", definition, now, code=definition.code, cleared=cleared)
        )
        uow.commit()


def get_field(uow: UnitOfWork, field_id: int) -> CustomField:
    with uow:
        return uow.custom_fields.get(field_id)


def list_fields(
    uow: UnitOfWork, *, limit: int, offset: int, entity_type: EntityType | None = None
) -> Page[CustomField]:
    with uow:
        return uow.custom_fields.page(
            limit=limit,
            offset=offset,
            filters={"entity_type": entity_type},
            order_by=[uow.custom_fields.column("sort")],
        )


_SETTINGS = ("name", "type", "options", "list_id", "required_from_stage_id", "sort")


def _changed(definition: CustomField, changes: dict[str, Any]) -> CustomField:
    """A detached copy of ``definition`` with ``changes``; a new type drops the old type's
    options and list unless new ones are given."""
    settings = {name: getattr(definition, name) for name in _SETTINGS}
    if "type" in changes and changes["type"] != definition.type:
        settings.update(options=[], list_id=None)
    settings.update({k: v for k, v in changes.items() if k in _SETTINGS})
    settings["type"] = FieldType(settings["type"])
    return CustomField(
        entity_type=definition.entity_type,
        code=definition.code,
        **{**settings, "options": list(settings["options"])},
    )


def _check_values_fit(uow: UnitOfWork, current: CustomField, target: CustomField) -> None:
    """Values already stored must stay valid under the changed definition."""
    kind_changed = target.type is not current.type or target.list_id != current.list_id
    removed = set(current.options) - set(target.options)
    if not kind_changed and not removed:
        return
    if kind_changed:
        if uow.custom_fields.count_values(current):
            what = "type" if target.type is not current.type else "list_id"
            raise Conflict(
                f"Field '{current.code}' has values; its {what.replace('_id', '')} cannot change",
                field=what,
            )
        return
    used = uow.custom_fields.values_in_use(current) & removed
    if used:
        raise Conflict(
            f"Options still in use cannot be removed: {', '.join(sorted(used))}", field="options"
        )


def _check(uow: UnitOfWork, definition: CustomField) -> None:
    """The definition's own settings, then the objects it refers to."""
    check_definition(definition)
    if definition.list_id is not None:
        uow.lists.get(definition.list_id, field="list_id")
    if definition.required_from_stage_id is not None:
        stage = uow.stages.get(definition.required_from_stage_id, field="required_from_stage_id")
        check_requirement(definition, stage, uow.pipelines.get(stage.pipeline_id))


def _event(kind: str, definition: CustomField, now: datetime, **payload: object) -> DomainEvent:
    assert definition.id is not None
    return DomainEvent(
        type=kind,
        entity="custom_field",
        entity_id=definition.id,
        occurred_at=now,
        payload=payload,
    )
