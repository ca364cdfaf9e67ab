"""What CRM robots start elsewhere: a new lead or deal, a business process.

- ``create_item``: a lead or deal in a pipeline (of its own type; any stage of it, the
  first by default), created exactly as by hand (``crm_items.open_item``): its fields
  checked (those required at its stage included), the distribution rules of its stage
  assign it, its stage's robots start, in this same transaction, one step deeper in the
  cascade than the run that made it (so robots creating items that create items stop at
  ``robot_runs.MAX_CASCADE``). Its title is a template over the item the robot acts on;
  its responsible is that item's responsible, the head of their department or an
  employee; it gets that item's contact and company when ``copy_clients``, and the custom
  values ``fields`` (checked when the robot was saved, and again now). The run records
  the new item's id.
- ``start_process``: a hook for the business processes, which nothing runs yet: it writes
  a ``ProcessStartRequested`` event (the item, the process's key, the robot and the run)
  to the outbox and ends the run ``fired`` with "process start requested". The processes
  issue will start the process from that event.
"""

from __future__ import annotations

from conveyor.domain.actors import SYSTEM
from conveyor.domain.events import DomainEvent
from conveyor.domain.pipelines import EntityType
from conveyor.domain.robot_params import MAX_TITLE
from conveyor.services.robot_acting import ActionContext, ActionRefused, Done
from conveyor.services.robot_context import names_of


def create_item(act: ActionContext) -> Done:
    # ``crm_items`` starts robots, which carry out actions (this one): it is imported here,
    # when a robot creates an item, to leave that circle open at import time.
    from conveyor.services.crm_items import CreateItem, open_item

    params, item = act.params, act.item
    entity_type = EntityType(params["entity_type"])
    pipeline = act.uow.pipelines.find(params["pipeline_id"])
    if pipeline is None or pipeline.entity_type is not entity_type:
        raise ActionRefused(f"Pipeline {params['pipeline_id']} is gone")
    responsible_id = act.one(params["responsible"], "new item's responsible")
    title = act.render("title", limit=MAX_TITLE).strip() or act.robot.name
    copy = params["copy_clients"]
    command = CreateItem(
        title=title,
        pipeline_id=pipeline.id,
        stage_id=params["stage_id"],
        responsible_id=responsible_id,
        contact_id=item.contact_id if copy else None,
        company_id=item.company_id if copy else None,
        fields=dict(params["fields"]),
    )
    created = open_item(
        act.uow, entity_type, command, actor=SYSTEM, now=act.now, depth=act.depth + 1
    )
    owner = created.responsible_id or responsible_id
    return Done(
        detail=f"created {entity_type.value} {created.id} for {names_of(act.uow, [owner])}",
        data={
            "entity_type": entity_type.value,
            "item_id": created.id,
            "pipeline_id": created.pipeline_id,
            "stage_id": created.stage_id,
            "responsible_id": created.responsible_id,
        },
    )


def start_process(act: ActionContext) -> Done:
    key = act.params["process"]
    act.uow.emit(
        DomainEvent(
            type="ProcessStartRequested",
            entity=act.item.entity_type.value,
            entity_id=act.item_id,
            occurred_at=act.now,
            payload={
                "process": key,
                "entity_type": act.item.entity_type.value,
                "item_id": act.item_id,
                "robot_id": act.robot.id,
                "robot_run_id": act.run_id,
            },
        )
    )
    return Done(detail="process start requested", data={"process": key})
