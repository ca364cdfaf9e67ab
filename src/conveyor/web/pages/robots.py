"""The robots editor (admins): pick a stage, see its robots in the order they act, add,
edit, move up or down, delete.

The form's inputs carry the API's field names (``timing.amount``, ``action.text``); the
common actions' parameters have inputs of their own, the others are one JSON object
(``action.json``). What is posted is validated by the API's schemas and saved by
``services.robots``, so a refusal is the API's, shown at the input at fault, and nothing
changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from conveyor.api.deps import IdPath, NowDep, UowDep
from conveyor.api.schemas.robots import RobotCreate, RobotUpdate
from conveyor.domain.distribution_rules import DistributionRule, RuleEntity
from conveyor.domain.employees import Employee
from conveyor.domain.errors import ConveyorError, InvalidValue
from conveyor.domain.pipelines import Pipeline, Stage
from conveyor.domain.robots import Robot, TimeUnit, TimingKind
from conveyor.services import distribution_rules, org, pipelines
from conveyor.services import robots as service
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.web.pages import robot_forms
from conveyor.web.pages.editor_forms import (
    FieldError,
    FormDep,
    FormRefused,
    text,
)
from conveyor.web.templating import render
from conveyor.web.viewer import FormViewerDep, Viewer, ViewerDep

router = APIRouter(prefix="/ui", include_in_schema=False)

MANY = 500


@dataclass(frozen=True, kw_only=True)
class Choices:
    """What the form's selects offer: the stage's pipeline, people and rules."""

    stages: list[Stage]
    employees: list[Employee]
    rules: list[DistributionRule]


@router.get("/robots")
def stage_picker(request: Request, viewer: ViewerDep, uow: UowDep) -> Response:
    viewer.actor.require_admin()
    return render(
        request,
        "robots.html",
        viewer=viewer,
        title=viewer._("Robots"),
        pipelines=pipelines.list_pipelines(uow),
    )


@router.get("/robots/stage/{stage_id}")
def stage_robots(
    request: Request, stage_id: IdPath, viewer: ViewerDep, uow: UowDep, done: str = ""
) -> Response:
    return _stage_page(
        request, viewer, uow, stage_id, values=robot_forms.values_of(None), error=None, done=done
    )


@router.post("/robots/stage/{stage_id}")
def add_robot(
    request: Request,
    stage_id: IdPath,
    viewer: FormViewerDep,
    form: FormDep,
    uow: UowDep,
    now: NowDep,
) -> Response:
    viewer.actor.require_admin()
    values = robot_forms.values_from(form)
    try:
        body = RobotCreate.model_validate(
            {**robot_forms.body_of(values, viewer), "stage_id": stage_id}
        )
        spec = service.RobotSpec(
            name=body.name,
            stage_id=body.stage_id,
            action=body.action.kind,
            params=body.action.params(),
            enabled=body.enabled,
            condition=body.condition,
            timing=robot_forms.timing_of(body.timing),
        )
        service.create_robot(uow, spec, actor=viewer.actor, now=now)
    except (ValidationError, ConveyorError, FormRefused) as error:
        failed = robot_forms.refusal_at(error, values, viewer.language)
        return _stage_page(request, viewer, uow, stage_id, values=values, error=failed)
    return RedirectResponse(f"/ui/robots/stage/{stage_id}?done=added", status_code=303)


@router.get("/robots/{robot_id}")
def edit_robot(request: Request, robot_id: IdPath, viewer: ViewerDep, uow: UowDep) -> Response:
    robot = service.get_robot(uow, robot_id, actor=viewer.actor)
    return _robot_page(request, viewer, uow, robot, values=robot_forms.values_of(robot), error=None)


@router.post("/robots/{robot_id}")
def save_robot(
    request: Request,
    robot_id: IdPath,
    viewer: FormViewerDep,
    form: FormDep,
    uow: UowDep,
    now: NowDep,
) -> Response:
    robot = service.get_robot(uow, robot_id, actor=viewer.actor)
    values = robot_forms.values_from(form)
    try:
        body = RobotUpdate.model_validate(robot_forms.body_of(values, viewer))
        changes = body.changes()
        if body.timing is not None:
            changes["timing"] = robot_forms.timing_of(body.timing)
        if body.action is not None:
            changes["action"] = body.action.kind
            changes["params"] = body.action.params()
        service.update_robot(uow, robot_id, changes, actor=viewer.actor, now=now)
    except (ValidationError, ConveyorError, FormRefused) as error:
        failed = robot_forms.refusal_at(error, values, viewer.language)
        return _robot_page(request, viewer, uow, robot, values=values, error=failed)
    return RedirectResponse(f"/ui/robots/stage/{robot.stage_id}?done=saved", status_code=303)


@router.post("/robots/{robot_id}/move")
def move_robot(
    robot_id: IdPath, viewer: FormViewerDep, form: FormDep, uow: UowDep, now: NowDep
) -> Response:
    """One place earlier (``to=up``) or later (``to=down``) in the stage's list; the first
    up or the last down stays where it is."""
    viewer.actor.require_admin()
    step = {"up": -1, "down": 1}.get(text(form, "to"))
    if step is None:
        raise InvalidValue("Move a robot 'up' or 'down'", field="to")
    robots = service.move_robot(uow, robot_id, step, actor=viewer.actor, now=now)
    return RedirectResponse(f"/ui/robots/stage/{robots[0].stage_id}", status_code=303)


@router.post("/robots/{robot_id}/delete")
def delete_robot(robot_id: IdPath, viewer: FormViewerDep, uow: UowDep, now: NowDep) -> Response:
    robot = service.get_robot(uow, robot_id, actor=viewer.actor)
    service.delete_robot(uow, robot_id, actor=viewer.actor, now=now)
    return RedirectResponse(f"/ui/robots/stage/{robot.stage_id}?done=deleted", status_code=303)


def _stage_page(
    request: Request,
    viewer: Viewer,
    uow: UnitOfWork,
    stage_id: int,
    *,
    values: dict[str, Any],
    error: FieldError | None,
    done: str = "",
) -> Response:
    found = service.list_robots(uow, stage_id=stage_id, actor=viewer.actor)
    stage = pipelines.get_stage(uow, stage_id)
    pipeline, stages = pipelines.get_pipeline(uow, stage.pipeline_id)
    return render(
        request,
        "robot_stage.html",
        viewer=viewer,
        status=200 if error is None else 422,
        title=f"{viewer._('Robots')}: {stage.name}",
        pipeline=pipeline,
        stage=stage,
        robots=found,
        readable={r.id: robot_forms.readable(r, stages, viewer) for r in found},
        values=values,
        error=error,
        done=done,
        action_url=f"/ui/robots/stage/{stage_id}",
        **_form_context(uow, viewer, pipeline, stages),
    )


def _robot_page(
    request: Request,
    viewer: Viewer,
    uow: UnitOfWork,
    robot: Robot,
    *,
    values: dict[str, Any],
    error: FieldError | None,
) -> Response:
    pipeline, stages = pipelines.get_pipeline(uow, robot.pipeline_id)
    stage = next(s for s in stages if s.id == robot.stage_id)
    return render(
        request,
        "robot.html",
        viewer=viewer,
        status=200 if error is None else 422,
        title=robot.name,
        robot=robot,
        pipeline=pipeline,
        stage=stage,
        values=values,
        error=error,
        action_url=f"/ui/robots/{robot.id}",
        **_form_context(uow, viewer, pipeline, stages),
    )


def _form_context(
    uow: UnitOfWork, viewer: Viewer, pipeline: Pipeline, stages: list[Stage]
) -> dict[str, Any]:
    rules = distribution_rules.list_rules(
        uow,
        actor=viewer.actor,
        limit=MANY,
        offset=0,
        entity_type=RuleEntity(pipeline.entity_type.value),
    )
    return {
        "choices": Choices(
            stages=stages,
            employees=[e for e, _ in org.list_employees(uow, limit=MANY, offset=0).items],
            rules=rules.items,
        ),
        "kinds": robot_forms.KINDS,
        "simple": {kind.value: names for kind, names in robot_forms.SIMPLE.items()},
        "timing_kinds": [kind.value for kind in TimingKind],
        "units": [unit.value for unit in TimeUnit],
    }
