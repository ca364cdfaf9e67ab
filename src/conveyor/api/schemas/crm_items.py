"""Leads and deals."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from conveyor.api.schemas.common import Id, Input, Output, Title, Update
from conveyor.api.schemas.crm import Code
from conveyor.domain.pipelines import EntityType

Amount = Annotated[Decimal, Field(allow_inf_nan=False, description="At most 2 decimal places")]
Currency = Annotated[
    str, StringConstraints(min_length=1, max_length=3), Field(description="ISO 4217, e.g. RUB")
]
Fields = Annotated[
    dict[Code, Any],
    Field(max_length=200, description="Custom field values by code; null clears one"),
]


class ItemCreate(Input):
    title: Title
    pipeline_id: Id | None = Field(default=None, description="Default: the first pipeline")
    stage_id: Id | None = Field(default=None, description="Default: the pipeline's first stage")
    amount: Amount | None = None
    currency: Currency = "RUB"
    responsible_id: Id | None = Field(default=None, description="Default: you")
    contact_id: Id | None = None
    company_id: Id | None = None
    fields: Fields = Field(default_factory=dict)


class ItemUpdate(Update):
    NOT_NULL = ("title", "currency", "responsible_id", "fields")

    title: Title | None = None
    amount: Amount | None = None
    currency: Currency | None = None
    responsible_id: Id | None = None
    contact_id: Id | None = None
    company_id: Id | None = None
    fields: Fields | None = None


class MoveToStage(Input):
    stage_id: Id


class MoveToPipeline(Input):
    pipeline_id: Id


class ItemPublic(Output):
    id: int
    entity_type: EntityType
    title: str
    pipeline_id: int
    stage_id: int
    amount: Decimal | None
    currency: str
    responsible_id: int | None
    contact_id: int | None
    company_id: int | None
    fields: dict[str, Any]
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime
    stage_entered_at: datetime
    closed_at: datetime | None
