"""/pipelines and /stages: the roads leads and deals travel."""

from __future__ import annotations

from fastapi import APIRouter, status

from conveyor.api.deps import ActorDep, IdPath, NowDep, UowDep
from conveyor.api.render import one
from conveyor.api.schemas.crm import (
    PipelineCreate,
    PipelinePublic,
    PipelineUpdate,
    StageCreate,
    StagePublic,
    StageUpdate,
)
from conveyor.domain.pipelines import EntityType
from conveyor.services import pipelines as service

router = APIRouter(prefix="/pipelines", tags=["crm"])
stages_router = APIRouter(prefix="/stages", tags=["crm"])


def _public(view: service.PipelineView) -> PipelinePublic:
    pipeline, stages = view
    return one(PipelinePublic, pipeline, stages=[one(StagePublic, s) for s in stages])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PipelinePublic)
def create(body: PipelineCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> PipelinePublic:
    command = service.CreatePipeline(
        entity_type=body.entity_type,
        name=body.name,
        sort=body.sort,
        stages=[service.StageSpec(name=s.name, semantics=s.semantics) for s in body.stages],
    )
    return _public(service.create_pipeline(uow, command, actor=actor, now=now))


@router.get("", response_model=list[PipelinePublic])
def list_(uow: UowDep, _: ActorDep, entity_type: EntityType | None = None) -> list[PipelinePublic]:
    """Every pipeline with its stages, in order; the first of a type is its default."""
    return [_public(v) for v in service.list_pipelines(uow, entity_type=entity_type)]


@router.get("/{pipeline_id}", response_model=PipelinePublic)
def get(pipeline_id: IdPath, uow: UowDep, _: ActorDep) -> PipelinePublic:
    return _public(service.get_pipeline(uow, pipeline_id))


@router.patch("/{pipeline_id}", response_model=PipelinePublic)
def update(
    pipeline_id: IdPath, body: PipelineUpdate, uow: UowDep, actor: ActorDep, now: NowDep
) -> PipelinePublic:
    view = service.update_pipeline(uow, pipeline_id, body.changes(), actor=actor, now=now)
    return _public(view)


@router.delete("/{pipeline_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete(pipeline_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> None:
    service.delete_pipeline(uow, pipeline_id, actor=actor, now=now)


@router.post(
    "/{pipeline_id}/stages", status_code=status.HTTP_201_CREATED, response_model=StagePublic
)
def add_stage(
    pipeline_id: IdPath, body: StageCreate, uow: UowDep, actor: ActorDep, now: NowDep
) -> StagePublic:
    command = service.AddStage(**body.model_dump())
    return one(StagePublic, service.add_stage(uow, pipeline_id, command, actor=actor, now=now))


@stages_router.get("/{stage_id}", response_model=StagePublic)
def get_stage(stage_id: IdPath, uow: UowDep, _: ActorDep) -> StagePublic:
    return one(StagePublic, service.get_stage(uow, stage_id))


@stages_router.patch("/{stage_id}", response_model=StagePublic)
def update_stage(
    stage_id: IdPath, body: StageUpdate, uow: UowDep, actor: ActorDep, now: NowDep
) -> StagePublic:
    stage = service.update_stage(uow, stage_id, body.changes(), actor=actor, now=now)
    return one(StagePublic, stage)


@stages_router.delete("/{stage_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_stage(stage_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> None:
    service.delete_stage(uow, stage_id, actor=actor, now=now)
