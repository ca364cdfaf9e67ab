"""Pipelines, stages and custom fields."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from conveyor.api.schemas.common import Id, Input, Name, Output, Update
from conveyor.domain.field_types import FieldType
from conveyor.domain.pipelines import MAX_STAGES, EntityType, StageSemantics

Sort = Annotated[int, Field(ge=-1_000_000, le=1_000_000)]
Position = Annotated[int, Field(ge=0, le=MAX_STAGES, description="0-based place among stages")]
Code = Annotated[str, StringConstraints(min_length=1, max_length=63)]
Option = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class StageIn(Input):
    name: Name
    semantics: StageSemantics = StageSemantics.IN_PROGRESS


class PipelineCreate(Input):
    entity_type: EntityType = Field(description="lead or deal")
    name: Name
    sort: Sort | None = Field(default=None, description="Order among pipelines; default: last")
    stages: list[StageIn] = Field(
        max_length=MAX_STAGES, description="In order; the first in progress"
    )


class PipelineUpdate(Update):
    NOT_NULL = ("name", "sort")

    name: Name | None = None
    sort: Sort | None = None


class StageCreate(Input):
    name: Name
    semantics: StageSemantics = StageSemantics.IN_PROGRESS
    position: Position | None = Field(default=None, description="Default: after the last stage")


class StageUpdate(Update):
    NOT_NULL = ("name", "semantics", "position")

    name: Name | None = None
    semantics: StageSemantics | None = None
    position: Position | None = None


class StagePublic(Output):
    id: int
    pipeline_id: int
    name: str
    sort: int
    semantics: StageSemantics


class PipelinePublic(Output):
    id: int
    entity_type: EntityType
    name: str
    sort: int
    stages: list[StagePublic]


class FieldCreate(Input):
    entity_type: EntityType
    code: Code = Field(description="Key of the value in a record's `fields`: a-z, 0-9, _")
    name: Name
    type: FieldType
    options: list[Option] = Field(default_factory=list, max_length=200)
    list_id: Id | None = None
    required_from_stage_id: Id | None = Field(
        default=None, description="Lead/deal fields: required at this stage and later ones"
    )
    sort: Sort = 100


class FieldUpdate(Update):
    NOT_NULL = ("name", "type", "options", "sort")

    name: Name | None = None
    type: FieldType | None = None
    options: list[Option] | None = Field(default=None, max_length=200)
    list_id: Id | None = None
    required_from_stage_id: Id | None = None
    sort: Sort | None = None


class FieldPublic(Output):
    id: int
    entity_type: EntityType
    code: str
    name: str
    type: FieldType
    options: list[str]
    list_id: int | None
    required_from_stage_id: int | None
    sort: int
