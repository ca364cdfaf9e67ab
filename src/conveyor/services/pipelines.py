"""Pipelines and their stages: defined by admins, walked by leads and deals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from conveyor.domain import pipelines as rules
from conveyor.domain.actors import Actor
from conveyor.domain.errors import Conflict
from conveyor.domain.events import DomainEvent
from conveyor.domain.pipelines import EntityType, Pipeline, Stage, StageSemantics
from conveyor.storage.unit_of_work import UnitOfWork

#: A pipeline with its stages in order.
PipelineView = tuple[Pipeline, list[Stage]]


@dataclass(frozen=True, kw_only=True)
class StageSpec:
    name: str
    semantics: StageSemantics = StageSemantics.IN_PROGRESS


@dataclass(frozen=True, kw_only=True)
class CreatePipeline:
    entity_type: EntityType
    name: str
    stages: list[StageSpec] = field(default_factory=list)
    #: Where the pipeline goes among its type's; ``None`` puts it last.
    sort: int | None = None


@dataclass(frozen=True, kw_only=True)
class AddStage:
    name: str
    semantics: StageSemantics = StageSemantics.IN_PROGRESS
    #: 0-based place among the stages; ``None`` appends.
    position: int | None = None


def create_pipeline(
    uow: UnitOfWork, command: CreatePipeline, *, actor: Actor, now: datetime
) -> PipelineView:
    actor.require_admin()
    rules.check_pipeline_entity(command.entity_type)
    with uow:
        existing = uow.pipelines.of_type(command.entity_type)
        _check_name_free(existing, command.name)
        sort = command.sort
        if sort is None:
            sort = max((p.sort for p in existing), default=0) + rules.SORT_STEP
        pipeline = uow.pipelines.add(
            Pipeline(entity_type=command.entity_type, name=command.name, sort=sort)
        )
        stages = rules.new_stages(_id(pipeline), [(s.name, s.semantics) for s in command.stages])
        for stage in stages:
            uow.stages.add(stage)
        uow.emit(
            _event(
                "PipelineCreated",
                "pipeline",
                _id(pipeline),
                now,
                entity_type=pipeline.entity_type.value,
                name=pipeline.name,
                stage_ids=[_id(s) for s in stages],
            )
        )
        uow.commit()
    return pipeline, stages


def list_pipelines(uow: UnitOfWork, *, entity_type: EntityType | None = None) -> list[PipelineView]:
    """Every pipeline (of one entity type, when given) in order: leads' first, then deals'."""
    with uow:
        types = [entity_type] if entity_type else [EntityType.LEAD, EntityType.DEAL]
        found = [p for t in types for p in uow.pipelines.of_type(t)]
        stages = uow.stages.of_many([_id(p) for p in found])
    return [(p, stages[_id(p)]) for p in found]


def get_pipeline(uow: UnitOfWork, pipeline_id: int) -> PipelineView:
    with uow:
        return uow.pipelines.get(pipeline_id), uow.stages.of(pipeline_id)


def update_pipeline(
    uow: UnitOfWork, pipeline_id: int, changes: dict[str, object], *, actor: Actor, now: datetime
) -> PipelineView:
    """Rename or re-sort a pipeline; ``changes`` holds only the fields given."""
    actor.require_admin()
    with uow:
        pipeline = uow.pipelines.get(pipeline_id)
        if "name" in changes:
            name = str(changes["name"])
            others = [p for p in uow.pipelines.of_type(pipeline.entity_type) if p is not pipeline]
            _check_name_free(others, name)
            pipeline.name = name
        if "sort" in changes:
            sort = changes["sort"]
            assert isinstance(sort, int)
            pipeline.sort = sort
        uow.flush()
        uow.emit(_event("PipelineChanged", "pipeline", pipeline_id, now, changed=sorted(changes)))
        uow.commit()
        return pipeline, uow.stages.of(pipeline_id)


def delete_pipeline(uow: UnitOfWork, pipeline_id: int, *, actor: Actor, now: datetime) -> None:
    """Refused while items are in the pipeline or fields are required from its stages."""
    actor.require_admin()
    with uow:
        pipeline = uow.pipelines.get(pipeline_id, for_update=True)
        if uow.items.any_in(pipeline_id=pipeline_id):
            raise Conflict("The pipeline still has items; move them to another pipeline first")
        stages = uow.stages.of(pipeline_id)
        _check_not_required_from(uow, stages)
        for stage in stages:
            uow.stages.delete(stage)
        uow.pipelines.delete(pipeline)
        uow.emit(_event("PipelineDeleted", "pipeline", pipeline_id, now, name=pipeline.name))
        uow.commit()


def get_stage(uow: UnitOfWork, stage_id: int) -> Stage:
    with uow:
        return uow.stages.get(stage_id)


def add_stage(
    uow: UnitOfWork, pipeline_id: int, command: AddStage, *, actor: Actor, now: datetime
) -> Stage:
    actor.require_admin()
    with uow:
        uow.pipelines.get(pipeline_id, for_update=True)
        stage = Stage(
            pipeline_id=pipeline_id, name=command.name, sort=0, semantics=command.semantics
        )
        ordered = rules.insert_stage(uow.stages.of(pipeline_id), stage, command.position)
        uow.stages.add(stage)
        uow.emit(
            _stage_event(
                "StageAdded",
                stage,
                now,
                name=stage.name,
                semantics=stage.semantics.value,
                order=[_id(s) for s in ordered],
            )
        )
        uow.commit()
    return stage


def update_stage(
    uow: UnitOfWork, stage_id: int, changes: dict[str, object], *, actor: Actor, now: datetime
) -> Stage:
    """Rename a stage, change its semantics (not while items are in it) or move it."""
    actor.require_admin()
    with uow:
        stage = uow.stages.get(stage_id)
        uow.pipelines.get(stage.pipeline_id, for_update=True)
        ordered = uow.stages.of(stage.pipeline_id)
        semantics = StageSemantics(str(changes.get("semantics", stage.semantics)))
        # Queries first: once the stage changes, a query would autoflush it half-checked.
        if semantics is not stage.semantics:
            _check_semantics_change(uow, stage, semantics)
        if "name" in changes:
            rules.rename_stage(ordered, stage, str(changes["name"]))
        rules.change_semantics(ordered, stage, semantics)
        if "position" in changes:
            position = changes["position"]
            assert isinstance(position, int)
            ordered = rules.move_stage(ordered, stage, position)
        uow.flush()
        uow.emit(
            _stage_event(
                "StageChanged",
                stage,
                now,
                changed=sorted(changes),
                order=[_id(s) for s in ordered],
            )
        )
        uow.commit()
    return stage


def delete_stage(uow: UnitOfWork, stage_id: int, *, actor: Actor, now: datetime) -> None:
    """Refused while items are in the stage or a field is required from it."""
    actor.require_admin()
    with uow:
        stage = uow.stages.get(stage_id)
        uow.pipelines.get(stage.pipeline_id, for_update=True)
        if uow.items.any_in(stage_id=stage_id):
            raise Conflict(f"Items are in stage '{stage.name}'; move them out first")
        _check_not_required_from(uow, [stage])
        ordered = rules.remove_stage(uow.stages.of(stage.pipeline_id), stage)
        uow.stages.delete(stage)
        uow.emit(
            _stage_event(
                "StageRemoved", stage, now, name=stage.name, order=[_id(s) for s in ordered]
            )
        )
        uow.commit()


def _check_semantics_change(uow: UnitOfWork, stage: Stage, semantics: StageSemantics) -> None:
    # Items in the stage would keep a closed_at that no longer matches the stage; moving
    # them out first keeps every item's history a sequence of real moves.
    if uow.items.any_in(stage_id=_id(stage)):
        raise Conflict(
            f"Items are in stage '{stage.name}'; move them out before changing its semantics",
            field="semantics",
        )
    if semantics is StageSemantics.FAILURE:
        _check_not_required_from(uow, [stage], field="semantics")


def _check_not_required_from(
    uow: UnitOfWork, stages: list[Stage], *, field: str | None = None
) -> None:
    requiring = uow.custom_fields.requiring_from([_id(s) for s in stages])
    if requiring:
        codes = ", ".join(f.code for f in requiring)
        raise Conflict(f"Fields are required from this stage: {codes}", field=field)


def _check_name_free(others: list[Pipeline], name: str) -> None:
    key = name.strip().casefold()
    if any(p.name.strip().casefold() == key for p in others):
        raise Conflict(f"A pipeline named '{name}' already exists", field="name")


def _stage_event(kind: str, stage: Stage, now: datetime, **payload: object) -> DomainEvent:
    return _event(kind, "stage", _id(stage), now, pipeline_id=stage.pipeline_id, **payload)


def _event(kind: str, entity: str, entity_id: int, now: datetime, **payload: object) -> DomainEvent:
    return DomainEvent(
        type=kind, entity=entity, entity_id=entity_id, occurred_at=now, payload=payload
    )


def _id(obj: Pipeline | Stage) -> int:
    assert obj.id is not None
    return obj.id
