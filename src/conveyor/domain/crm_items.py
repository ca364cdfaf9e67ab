"""Leads and deals: items that move through a pipeline's stages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from conveyor.domain.actors import Actor
from conveyor.domain.errors import InvalidValue, StageNotInPipeline
from conveyor.domain.events import DomainEvent
from conveyor.domain.pipelines import EntityType, Stage

_CURRENCY = re.compile(r"^[A-Z]{3}$")
#: What ``CrmItem.change`` may set; everything else changes through moves.
CHANGEABLE = ("title", "amount", "currency", "responsible_id", "contact_id", "company_id", "fields")


@dataclass(kw_only=True)
class CrmItem:
    """A lead or a deal. ``entity_type`` says which."""

    id: int | None = None
    entity_type: EntityType
    title: str
    pipeline_id: int
    stage_id: int
    amount: Decimal | None = None
    currency: str = "RUB"
    responsible_id: int | None = None
    contact_id: int | None = None
    company_id: int | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    created_by_id: int | None = None
    created_at: datetime
    updated_at: datetime
    stage_entered_at: datetime
    closed_at: datetime | None = None
    #: How many times the stored item has been written; storage bumps it on every write, so
    #: anything derived from the item (a rule's weight of it) knows when it went stale.
    revision: int = 0

    def visible_to(self, actor: Actor) -> bool:
        """External partners see only the items they are responsible for."""
        return not actor.is_external or self.responsible_id == actor.employee_id

    def created(self, stage: Stage) -> DomainEvent:
        """The ``<Type>Created`` event of a new item, placed in ``stage``."""
        return self._event(
            "Created",
            self.created_at,
            title=self.title,
            pipeline_id=self.pipeline_id,
            stage_id=self.stage_id,
            semantics=stage.semantics.value,
            responsible_id=self.responsible_id,
        )

    def change(self, changes: Mapping[str, Any], *, now: datetime) -> list[DomainEvent]:
        """Apply already-checked ``changes`` (``fields`` is the whole new dict of values).

        Returns ``<Type>Changed`` naming what really changed (``fields.<code>`` for custom
        fields), plus ``<Type>ResponsibleChanged`` when the responsible changes; no event
        and no new ``updated_at`` when nothing changed.
        """
        changed: list[str] = []
        for name, value in changes.items():
            if name not in CHANGEABLE:
                raise ValueError(f"{name} is not changed through CrmItem.change")
            if name == "fields":
                codes = set(self.fields) | set(value)
                changed += [f"fields.{c}" for c in codes if self.fields.get(c) != value.get(c)]
            elif getattr(self, name) != value:
                changed.append(name)
        if not changed:
            return []
        previous_responsible = self.responsible_id
        for name, value in changes.items():
            setattr(self, name, dict(value) if name == "fields" else value)
        self.updated_at = now
        payload: dict[str, Any] = {"changed": sorted(changed)}
        if self.responsible_id == previous_responsible:
            return [self._event("Changed", now, **payload)]
        handover = {
            "from_responsible_id": previous_responsible,
            "responsible_id": self.responsible_id,
        }
        return [
            self._event("Changed", now, **payload, **handover),
            self._event("ResponsibleChanged", now, **handover),
        ]

    def move_to(self, stage: Stage, *, now: datetime) -> DomainEvent | None:
        """Put the item into ``stage``; returns the event, or None when it is already there.

        Required fields are checked by the caller with ``check_required`` first.
        """
        if stage.pipeline_id != self.pipeline_id:
            raise StageNotInPipeline(
                f"Stage {stage.id} is not in pipeline {self.pipeline_id}", field="stage_id"
            )
        if stage.id == self.stage_id:
            return None
        previous = self.stage_id
        assert stage.id is not None
        self.stage_id = stage.id
        self.stage_entered_at = now
        self.updated_at = now
        self.closed_at = now if stage.is_final else None
        return DomainEvent(
            type=f"{self.entity_type.value.capitalize()}EnteredStage",
            entity=self.entity_type.value,
            entity_id=self._id(),
            occurred_at=now,
            payload={
                "pipeline_id": self.pipeline_id,
                "from_stage_id": previous,
                "stage_id": stage.id,
                "semantics": stage.semantics.value,
            },
        )

    def change_pipeline(self, first_stage: Stage, *, now: datetime) -> DomainEvent:
        """Move the item to another pipeline, at ``first_stage`` of it."""
        previous_pipeline, previous_stage = self.pipeline_id, self.stage_id
        assert first_stage.id is not None
        self.pipeline_id = first_stage.pipeline_id
        self.stage_id = first_stage.id
        self.stage_entered_at = now
        self.updated_at = now
        self.closed_at = now if first_stage.is_final else None
        return DomainEvent(
            type=f"{self.entity_type.value.capitalize()}EnteredStage",
            entity=self.entity_type.value,
            entity_id=self._id(),
            occurred_at=now,
            payload={
                "pipeline_id": self.pipeline_id,
                "from_pipeline_id": previous_pipeline,
                "from_stage_id": previous_stage,
                "stage_id": first_stage.id,
                "semantics": first_stage.semantics.value,
            },
        )

    def _event(self, kind: str, now: datetime, **payload: Any) -> DomainEvent:
        return DomainEvent(
            type=f"{self.entity_type.value.capitalize()}{kind}",
            entity=self.entity_type.value,
            entity_id=self._id(),
            occurred_at=now,
            payload=payload,
        )

    def _id(self) -> int:
        assert self.id is not None, "an item gets its id when it is added"
        return self.id


def check_currency(code: str, *, field: str = "currency") -> str:
    """An ISO 4217 code: three capital letters (RUB, USD, EUR)."""
    if not _CURRENCY.match(code):
        raise InvalidValue("Currency must be a three-letter ISO 4217 code", field=field)
    return code


@dataclass(frozen=True, kw_only=True)
class ItemQuery:
    """Which items a list shows; ``None`` means "any". Time ranges are ``[from, to)``."""

    entity_type: EntityType
    pipeline_id: int | None = None
    stage_id: int | None = None
    responsible_id: int | None = None
    contact_id: int | None = None
    company_id: int | None = None
    closed: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    updated_from: datetime | None = None
    updated_to: datetime | None = None
    #: Set for external partners: only their own items.
    visible_to_id: int | None = None
    #: Whose work a page shows: items whose responsible is one of these (``None``: anyone's);
    #: with ``or_unassigned``, also the items nobody is responsible for.
    responsible_in: frozenset[int] | None = None
    or_unassigned: bool = False
