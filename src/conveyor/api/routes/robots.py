"""/robots: what happens by itself at each stage (admins), and
``/deals/{id}/robot-runs``, ``/leads/{id}/robot-runs``: what it did for an item;
``/robot-runs/{id}/deliveries``: what a run sent outward (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from conveyor.api.deps import MAX_ID, ActorDep, IdPath, Limit, NowDep, Offset, UowDep
from conveyor.api.render import page
from conveyor.api.schemas.common import PageOf
from conveyor.api.schemas.notifications import AttemptPublic, DeliveryPublic
from conveyor.api.schemas.robots import (
    Reorder,
    RobotCreate,
    RobotPublic,
    RobotRunPublic,
    RobotUpdate,
    TimingIn,
)
from conveyor.domain.pipelines import EntityType
from conveyor.domain.robot_runs import RunState
from conveyor.domain.robots import Timing
from conveyor.services import outbound_messages, robot_runs
from conveyor.services import robots as service

router = APIRouter(prefix="/robots", tags=["automation"])
runs_router = APIRouter(tags=["automation"])

StageQuery = Annotated[int, Query(ge=1, le=MAX_ID, description="The stage whose robots to list")]


def _timing(body: TimingIn) -> Timing:
    return Timing(
        kind=body.kind,
        amount=body.amount,
        unit=body.unit,
        working_hours_only=body.working_hours_only,
        field=body.field,
        working=body.working,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RobotPublic)
def create(body: RobotCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> RobotPublic:
    """A robot at ``stage_id``, last in its list unless ``position`` says where. Refused
    (422, naming the field) when its condition or a text template does not compile (the
    message points at the line and column), or what its action names does not exist."""
    spec = service.RobotSpec(
        name=body.name,
        stage_id=body.stage_id,
        action=body.action.kind,
        params=body.action.params(),
        enabled=body.enabled,
        condition=body.condition,
        timing=_timing(body.timing),
        position=body.position,
    )
    return RobotPublic.of(service.create_robot(uow, spec, actor=actor, now=now))


@router.get("", response_model=list[RobotPublic])
def list_(stage_id: StageQuery, uow: UowDep, actor: ActorDep) -> list[RobotPublic]:
    """The stage's robots in the order they act."""
    return [RobotPublic.of(r) for r in service.list_robots(uow, stage_id=stage_id, actor=actor)]


@router.post("/reorder", response_model=list[RobotPublic])
def reorder(body: Reorder, uow: UowDep, actor: ActorDep, now: NowDep) -> list[RobotPublic]:
    """Put a stage's robots in the order of ``robot_ids``, naming each exactly once."""
    found = service.reorder_robots(uow, body.stage_id, body.robot_ids, actor=actor, now=now)
    return [RobotPublic.of(r) for r in found]


@router.get("/{robot_id}", response_model=RobotPublic)
def get(robot_id: IdPath, uow: UowDep, actor: ActorDep) -> RobotPublic:
    return RobotPublic.of(service.get_robot(uow, robot_id, actor=actor))


@router.patch("/{robot_id}", response_model=RobotPublic)
def update(
    robot_id: IdPath, body: RobotUpdate, uow: UowDep, actor: ActorDep, now: NowDep
) -> RobotPublic:
    """Change what is sent. An ``action`` is sent whole (its kind and parameters), and so
    is a ``timing``: its ``kind`` is required (422 naming ``timing.kind`` without it), and
    what it leaves out takes its default, not the robot's current value (``{"kind":
    "after", "amount": 10, "unit": "minutes", "working_hours_only": true}``, not
    ``{"working_hours_only": true}``)."""
    changes = body.changes()
    if body.timing is not None:
        changes["timing"] = _timing(body.timing)
    if body.action is not None:
        changes["action"] = body.action.kind
        changes["params"] = body.action.params()
    robot = service.update_robot(uow, robot_id, changes, actor=actor, now=now)
    return RobotPublic.of(robot)


@router.delete("/{robot_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete(robot_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> None:
    service.delete_robot(uow, robot_id, actor=actor, now=now)


def _runs_route(entity_type: EntityType) -> None:
    @runs_router.get(
        f"/{entity_type.value}s/{{item_id}}/robot-runs",
        response_model=PageOf[RobotRunPublic],
        name=f"{entity_type.value}_robot_runs",
    )
    def runs(
        item_id: IdPath,
        uow: UowDep,
        actor: ActorDep,
        limit: Limit = 50,
        offset: Offset = 0,
        state: RunState | None = None,
    ) -> PageOf[RobotRunPublic]:
        """The item's robot runs, latest stage entry first: pending ones with their due
        time, ended ones with how (``state``) and why (``reason``, ``detail``)."""
        found = robot_runs.runs_of_item(
            uow, entity_type, item_id, actor=actor, limit=limit, offset=offset, state=state
        )
        return page(RobotRunPublic, found)


for _entity in (EntityType.DEAL, EntityType.LEAD):
    _runs_route(_entity)


@runs_router.get("/robot-runs/{run_id}/deliveries", response_model=list[DeliveryPublic])
def run_deliveries(run_id: IdPath, uow: UowDep, actor: ActorDep) -> list[DeliveryPublic]:
    """What a run's email, SMS or webhook call became: each delivery with every attempt
    (admins: the addresses are the clients')."""
    found = outbound_messages.deliveries_of_run(uow, run_id, actor=actor)
    return [
        DeliveryPublic.model_validate(
            {
                **{k: v for k, v in vars(delivery).items() if not k.startswith("_")},
                "history": [AttemptPublic.model_validate(a) for a in attempts],
            }
        )
        for delivery, attempts in found
    ]
