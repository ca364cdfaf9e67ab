"""An item entering a stage, as a move by hand does it (triggers move items through here).

``move_to_stage`` runs INSIDE the caller's open unit of work and never commits: the fields
required at the target are checked (``RequiredFieldMissing``, nothing written), the item
moves (``<Type>EnteredStage``), the waiting queues concerned by the stage it left are
retried and the assignment rules at the target assign it. ``enter_stage`` does that and then
starts the target stage's robots at the chain's ``depth`` (``robot_runs.start_robots``).

A move made inside a robot's action (a trigger fired by a field the robot set) uses
``move_to_stage`` alone: ``robot_runs`` starts the next robots itself once the acting run is
recorded, as for its own ``change_stage``.
"""

from __future__ import annotations

from datetime import datetime

from conveyor.domain.crm_items import CrmItem
from conveyor.domain.custom_fields import check_required
from conveyor.domain.pipelines import Stage
from conveyor.services.assignment import assign_on_entry
from conveyor.services.assignment_queue import retry_after_item_left
from conveyor.storage.unit_of_work import UnitOfWork


def move_to_stage(uow: UnitOfWork, item: CrmItem, target: Stage, *, now: datetime) -> int:
    """Move ``item`` to ``target`` (a stage of its pipeline, not its current one) and return
    the stage it left; robots are the caller's."""
    stages = {s.id: s for s in uow.stages.of(item.pipeline_id) if s.id is not None}
    definitions = uow.custom_fields.of(item.entity_type)
    check_required(definitions, item.fields, target, stages)
    left = item.stage_id
    uow.emit(item.move_to(target, now=now))
    uow.flush()
    retry_after_item_left(uow, item, left, now=now)
    assign_on_entry(uow, item, now=now)
    return left


def enter_stage(uow: UnitOfWork, item: CrmItem, target: Stage, *, now: datetime, depth: int) -> int:
    """``move_to_stage``, then the target's robots start at ``depth`` (the automatic moves
    that led here: 0 for a move by hand); returns the stage left."""
    left = move_to_stage(uow, item, target, now=now)
    # Imported here: the robots' actions create tasks, whose completion fires triggers, which
    # enter stages through this module (a cycle at import).
    from conveyor.services.robot_runs import start_robots

    start_robots(uow, item, now=now, depth=depth)
    return left


def chain_limit() -> int:
    """The depth of a chain of automatic moves from which robots no longer start
    (``robot_runs.MAX_CASCADE``)."""
    from conveyor.services.robot_runs import MAX_CASCADE  # a cycle at import: see above

    return MAX_CASCADE
