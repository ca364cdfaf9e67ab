"""A pipeline as a kanban board: its stages in order as columns, each with the newest items
its reader may see, and the count and worth of all of them.

The cards come from ``crm_items.list_items``, so a reader sees on the board exactly the
items the API lists for them (an external partner: only their own). The totals go through
the same ``crm_items.visible_query``, counted by one grouped query however many items a
stage holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from conveyor.domain.actors import Actor
from conveyor.domain.crm_items import CrmItem, ItemQuery
from conveyor.domain.pipelines import EntityType, Pipeline, Stage, check_pipeline_entity
from conveyor.domain.stage_totals import StageSummary, summarize
from conveyor.services.crm_items import list_items, visible_query
from conveyor.services.pipelines import PipelineView, get_pipeline, list_pipelines
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = ["PER_COLUMN", "Board", "Card", "Column", "board", "pipelines", "stage_summaries"]

#: Cards shown per column, newest first; the column's count and sums cover all its items.
PER_COLUMN = 50


@dataclass(frozen=True, kw_only=True)
class Card:
    item: CrmItem
    #: ``None``: nobody is responsible.
    responsible_name: str | None
    #: Waiting in an assignment rule's queue for someone to be free.
    waiting: bool


@dataclass(frozen=True, kw_only=True)
class Column:
    stage: Stage
    cards: list[Card]
    summary: StageSummary

    @property
    def hidden(self) -> int:
        """How many of the stage's items are counted but not shown."""
        return max(0, self.summary.count - len(self.cards))


@dataclass(frozen=True, kw_only=True)
class Board:
    pipeline: Pipeline
    columns: list[Column]


def pipelines(uow: UnitOfWork) -> list[PipelineView]:
    """The boards there are: the lead pipelines, then the deal pipelines, each in order.
    Every signed-in reader may open any of them; what they see in it depends on who they
    are."""
    return list_pipelines(uow)


def board(
    uow: UnitOfWork, pipeline_id: int, *, actor: Actor, per_column: int | None = None
) -> Board:
    """The board of pipeline ``pipeline_id`` as ``actor`` sees it: every stage (final ones
    too), each with its ``per_column`` (default ``PER_COLUMN``) newest visible items."""
    per_column = per_column or PER_COLUMN
    pipeline, stages = get_pipeline(uow, pipeline_id)
    entity_type = check_pipeline_entity(pipeline.entity_type)
    shown: dict[int, list[CrmItem]] = {}
    for stage in stages:
        assert stage.id is not None
        query = ItemQuery(entity_type=entity_type, pipeline_id=pipeline_id, stage_id=stage.id)
        found = list_items(uow, query, actor=actor, limit=per_column, offset=0)
        shown[stage.id] = found.items
    items = [item for column in shown.values() for item in column]
    with uow:
        summaries = _summaries(uow, entity_type, pipeline_id, actor)
        waiting = uow.kanban.waiting_items(
            entity_type.value, [item.id for item in items if item.id is not None]
        )
        names = _names(uow, {i.responsible_id for i in items if i.responsible_id is not None})
    columns = []
    for stage in stages:
        assert stage.id is not None
        cards = [
            Card(
                item=item,
                responsible_name=(
                    None if item.responsible_id is None else names.get(item.responsible_id)
                ),
                waiting=item.id in waiting,
            )
            for item in shown[stage.id]
        ]
        summary = summaries.get(stage.id, StageSummary(stage_id=stage.id))
        columns.append(Column(stage=stage, cards=cards, summary=summary))
    return Board(pipeline=pipeline, columns=columns)


def stage_summaries(uow: UnitOfWork, pipeline_id: int, *, actor: Actor) -> dict[int, StageSummary]:
    """Per stage of the pipeline (stages without items are left out): how many of its items
    ``actor`` may see, and their amounts summed per currency."""
    with uow:
        pipeline = uow.pipelines.get(pipeline_id, field="pipeline_id")
        entity_type = check_pipeline_entity(pipeline.entity_type)
        return _summaries(uow, entity_type, pipeline_id, actor)


def _summaries(
    uow: UnitOfWork, entity_type: EntityType, pipeline_id: int, actor: Actor
) -> dict[int, StageSummary]:
    query = visible_query(ItemQuery(entity_type=entity_type, pipeline_id=pipeline_id), actor)
    return summarize(uow.kanban.stage_totals(query))


def _names(uow: UnitOfWork, employee_ids: set[int]) -> dict[int, str]:
    names = {}
    for employee_id in employee_ids:
        employee = uow.employees.find(employee_id)
        if employee is not None:
            names[employee_id] = employee.name
    return names
