"""A pipeline as a kanban board: its stages in order as columns, each with the newest items
its reader may see, and the count and worth of all of them.

The board shows the reader's scope of work (``services/work_scope.py``: an employee their
own items, a head their departments' and the unassigned ones, an admin all), within what the
API lets them list: the cards come from ``crm_items.list_items`` and the totals go through the
same ``crm_items.visible_query``, counted by one grouped query however many items a stage
holds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from conveyor.domain.actors import Actor
from conveyor.domain.crm_items import CrmItem, ItemQuery
from conveyor.domain.pipelines import EntityType, Pipeline, Stage, check_pipeline_entity
from conveyor.domain.stage_totals import StageSummary, summarize
from conveyor.services.crm_items import list_items, visible_query
from conveyor.services.pipelines import PipelineView, get_pipeline, list_pipelines
from conveyor.services.work_scope import work_scope
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
    whose = _whose(uow, entity_type, pipeline_id, actor)
    shown: dict[int, list[CrmItem]] = {}
    for stage in stages:
        assert stage.id is not None
        query = replace(whose, stage_id=stage.id)
        found = list_items(uow, query, actor=actor, limit=per_column, offset=0)
        shown[stage.id] = found.items
    items = [item for column in shown.values() for item in column]
    with uow:
        summaries = summarize(uow.kanban.stage_totals(visible_query(whose, actor)))
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
    whose = _whose(uow, entity_type, pipeline_id, actor)
    with uow:
        return summarize(uow.kanban.stage_totals(visible_query(whose, actor)))


def _whose(uow: UnitOfWork, entity_type: EntityType, pipeline_id: int, actor: Actor) -> ItemQuery:
    """The pipeline's items in the actor's scope of work (``services/work_scope.py``)."""
    scope = work_scope(uow, actor)
    return ItemQuery(
        entity_type=entity_type,
        pipeline_id=pipeline_id,
        responsible_in=scope.employee_ids,
        or_unassigned=scope.unassigned,
    )


def _names(uow: UnitOfWork, employee_ids: set[int]) -> dict[int, str]:
    names = {}
    for employee_id in employee_ids:
        employee = uow.employees.find(employee_id)
        if employee is not None:
            names[employee_id] = employee.name
    return names
