"""CRM pipelines: ordered stages with in-progress / success / failure semantics."""

from __future__ import annotations

import enum
from dataclasses import dataclass


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
