"""What the triggers did for an item: its trigger runs, for whoever sees the item."""

from __future__ import annotations

from conveyor.domain.actors import Actor
from conveyor.domain.errors import NotFound
from conveyor.domain.pages import Page
from conveyor.domain.pipelines import EntityType
from conveyor.domain.trigger_runs import Outcome, TriggerRun
from conveyor.storage.unit_of_work import UnitOfWork


def runs_of_item(
    uow: UnitOfWork,
    entity_type: EntityType,
    item_id: int,
    *,
    actor: Actor,
    limit: int,
    offset: int,
    outcome: Outcome | None = None,
) -> Page[TriggerRun]:
    """The item's trigger runs, newest first, each with its outcome and why. Whoever sees
    the item sees them (external partners: only on the items they are responsible for)."""
    with uow:
        item = uow.items.find(item_id)
        if item is None or item.entity_type is not entity_type or not item.visible_to(actor):
            raise NotFound(entity_type.value, item_id)
        repository = uow.trigger_runs
        return repository.page(
            limit=limit,
            offset=offset,
            filters={"item_id": item_id, "outcome": outcome},
            order_by=[repository.column("id").desc()],
        )
