"""Trigger runs: one trigger, for one event that happened to one item, and how it ended.

A run is recorded for every trigger whose event matched (its kind and parameters) for an
item of its pipeline, tried in order until one moves the item:

- ``moved``: the item went to the trigger's stage;
- ``not_applicable``: the item is not where the trigger may move it from
  (``applicability``), or the trigger is disabled (a webhook call);
- ``condition_false``: the condition did not hold (or could not be evaluated);
- ``refused``: the move was refused (a field required at the target is empty...): the
  item stays, and the event that caused it stands;
- ``stopped_by_depth_limit``: automatic moves had already followed each other too many
  times in this chain (robots and triggers moving the item on and on).

Runs are history: they outlive a deleted trigger (its id, version and name stay readable).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from conveyor.domain.events import DomainEvent
from conveyor.domain.pipelines import Stage

#: A run's detail is cut to this length.
MAX_DETAIL = 2000


class Outcome(enum.StrEnum):
    MOVED = "moved"
    CONDITION_FALSE = "condition_false"
    NOT_APPLICABLE = "not_applicable"
    REFUSED = "refused"
    STOPPED_BY_DEPTH_LIMIT = "stopped_by_depth_limit"


@dataclass(kw_only=True)
class TriggerRun:
    id: int | None = None
    trigger_id: int
    #: The definition the run followed.
    trigger_version: int
    trigger_name: str
    entity_type: str
    item_id: int
    event: str
    #: What happened, as the event's ``data`` (the communication, task, field, payment).
    event_data: dict[str, Any] = field(default_factory=dict)
    outcome: Outcome
    #: The outcome in words: where it moved, why not.
    detail: str
    #: Where the item was when the event happened, and the trigger's stage.
    from_stage_id: int
    to_stage_id: int
    #: Automatic moves (robots', triggers') that led to this event in its transaction.
    depth: int = 0
    created_at: datetime

    def __post_init__(self) -> None:
        self.detail = self.detail[:MAX_DETAIL]

    def recorded(self) -> DomainEvent:
        """``TriggerRunRecorded``, whatever the outcome (the payload says which)."""
        assert self.id is not None, "a run gets its id when it is added"
        return DomainEvent(
            type="TriggerRunRecorded",
            entity="trigger_run",
            entity_id=self.id,
            occurred_at=self.created_at,
            payload={
                "trigger_id": self.trigger_id,
                "trigger_version": self.trigger_version,
                "entity_type": self.entity_type,
                "item_id": self.item_id,
                "event": self.event,
                "outcome": self.outcome.value,
                "detail": self.detail,
                "from_stage_id": self.from_stage_id,
                "to_stage_id": self.to_stage_id,
                "depth": self.depth,
            },
        )


def applicability(current: Stage, target: Stage, *, allow_backwards: bool, what: str) -> str | None:
    """``None`` when a trigger at ``target`` may move an item at ``current``; otherwise why
    not, in words (``what`` names the item: "deal 7").

    Triggers move items forward (Bitrix24's rule): from an open stage before the target in
    the pipeline's order; a closed item (won or lost) stays closed. ``allow_backwards``
    lifts both: the item may be at any other stage of the pipeline, a closed one included
    (a lost client calling back reopens their deal).
    """
    if current.pipeline_id != target.pipeline_id:
        return f"{what} is in another pipeline"
    if current.id == target.id:
        return f"{what} is already at «{target.name}»"
    if allow_backwards:
        return None
    if current.is_final:
        return f"{what} is closed (at «{current.name}»); the trigger does not move items back"
    if _place(current) > _place(target):
        return (
            f"{what} is past «{target.name}» (at «{current.name}»); the trigger moves forward only"
        )
    return None


def _place(stage: Stage) -> tuple[int, int]:
    """A stage's place in its pipeline's order (as ``pipelines.reached`` reads it)."""
    return stage.sort, stage.id or 0
