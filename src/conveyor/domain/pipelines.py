"""CRM pipelines: ordered stages with in-progress / success / failure semantics."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from conveyor.domain.errors import Conflict, InvalidValue


class EntityType(enum.StrEnum):
    """Kinds of CRM records."""

    LEAD = "lead"
    DEAL = "deal"
    CONTACT = "contact"
    COMPANY = "company"


PIPELINE_ENTITIES = frozenset({EntityType.LEAD, EntityType.DEAL})


class StageSemantics(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUCCESS = "success"
    FAILURE = "failure"


@dataclass(kw_only=True)
class Pipeline:
    id: int | None = None
    entity_type: EntityType
    name: str
    sort: int = 100


@dataclass(kw_only=True)
class Stage:
    id: int | None = None
    pipeline_id: int
    name: str
    sort: int
    semantics: StageSemantics = StageSemantics.IN_PROGRESS

    @property
    def is_final(self) -> bool:
        return self.semantics is not StageSemantics.IN_PROGRESS


def reached(stage: Stage, threshold: Stage) -> bool:
    """Whether an item at ``stage`` has reached ``threshold`` ("S or later").

    Failure stages never count: losing a deal must always be possible, whatever
    fields the later stages require.
    """
    if stage.pipeline_id != threshold.pipeline_id:
        return False
    if stage.semantics is StageSemantics.FAILURE:
        return False
    return (stage.sort, stage.id or 0) >= (threshold.sort, threshold.id or 0)


#: Sort numbers are renumbered in steps of this after every change of order.
SORT_STEP = 10
#: A pipeline is a business process, not a log: a long one is a modelling mistake.
MAX_STAGES = 50


def check_pipeline_entity(entity_type: EntityType, *, field: str = "entity_type") -> EntityType:
    if entity_type not in PIPELINE_ENTITIES:
        raise InvalidValue("Only leads and deals have pipelines", field=field)
    return entity_type


def new_stages(pipeline_id: int, specs: Sequence[tuple[str, StageSemantics]]) -> list[Stage]:
    """The stages of a new pipeline, in the order given.

    Refuses an empty list, a repeated name (``stages.<i>.name``) and a first stage that
    is not in progress (``stages.0.semantics``): every item starts its life in progress.
    """
    if not specs:
        raise InvalidValue("A pipeline needs at least one stage", field="stages")
    if len(specs) > MAX_STAGES:
        raise InvalidValue(f"A pipeline has at most {MAX_STAGES} stages", field="stages")
    stages: list[Stage] = []
    for index, (name, semantics) in enumerate(specs):
        _check_name_free(stages, name, field=f"stages.{index}.name")
        stages.append(Stage(pipeline_id=pipeline_id, name=name, sort=0, semantics=semantics))
    _check_first(stages, field="stages.0.semantics")
    renumber(stages)
    return stages


def insert_stage(ordered: Sequence[Stage], stage: Stage, position: int | None) -> list[Stage]:
    """``ordered`` with ``stage`` inserted at ``position`` (0-based; ``None`` is the end)."""
    if len(ordered) >= MAX_STAGES:
        raise InvalidValue(f"A pipeline has at most {MAX_STAGES} stages", field="position")
    _check_name_free(ordered, stage.name, field="name")
    result = list(ordered)
    result.insert(_position(result, position, last=len(result)), stage)
    _check_first(result, field="position")
    renumber(result)
    return result


def move_stage(ordered: Sequence[Stage], stage: Stage, position: int) -> list[Stage]:
    """``ordered`` with ``stage`` moved to ``position`` (0-based, among the stages)."""
    result = [s for s in ordered if s is not stage]
    result.insert(_position(result, position, last=len(result)), stage)
    _check_first(result, field="position")
    renumber(result)
    return result


def rename_stage(ordered: Sequence[Stage], stage: Stage, name: str) -> None:
    _check_name_free([s for s in ordered if s is not stage], name, field="name")
    stage.name = name


def change_semantics(ordered: Sequence[Stage], stage: Stage, semantics: StageSemantics) -> None:
    if ordered and ordered[0] is stage and semantics is not StageSemantics.IN_PROGRESS:
        raise InvalidValue("The first stage must be in progress", field="semantics")
    stage.semantics = semantics


def remove_stage(ordered: Sequence[Stage], stage: Stage) -> list[Stage]:
    """``ordered`` without ``stage``; refused when the pipeline would be left broken."""
    result = [s for s in ordered if s is not stage]
    if not result:
        raise Conflict("The last stage of a pipeline cannot be removed; delete the pipeline")
    if result[0].semantics is not StageSemantics.IN_PROGRESS:
        raise Conflict("Removing this stage would leave a closed stage first")
    renumber(result)
    return result


def renumber(ordered: Sequence[Stage]) -> None:
    """Give the stages sort numbers in their list order, so ``reached`` follows it."""
    for index, stage in enumerate(ordered):
        stage.sort = (index + 1) * SORT_STEP


def _position(ordered: Sequence[Stage], position: int | None, *, last: int) -> int:
    if position is None:
        return last
    if not 0 <= position <= last:
        raise InvalidValue(f"The position must be between 0 and {last}", field="position")
    return position


def _check_name_free(others: Sequence[Stage], name: str, *, field: str) -> None:
    # Case and surrounding blanks do not make two stages tell apart on a board.
    key = name.strip().casefold()
    if any(s.name.strip().casefold() == key for s in others):
        raise InvalidValue(f"The pipeline already has a stage named '{name}'", field=field)


def _check_first(ordered: Sequence[Stage], *, field: str) -> None:
    if ordered and ordered[0].semantics is not StageSemantics.IN_PROGRESS:
        raise InvalidValue("The first stage must be in progress", field=field)
