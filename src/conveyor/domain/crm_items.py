"""Leads and deals: items that move through a pipeline's stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from conveyor.domain.errors import StageNotInPipeline
from conveyor.domain.events import DomainEvent
from conveyor.domain.pipelines import EntityType, Stage


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

    def _id(self) -> int:
        assert self.id is not None, "an item gets its id when it is added"
        return self.id
