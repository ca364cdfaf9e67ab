"""The distribution rule editor (admins): the list of rules and one form per rule.

The form's inputs carry the API's field names; what is posted is put in the API's input
shape, validated by the API's schemas and saved by ``services.distribution_rules``, so a
refusal is the API's, shown next to the input at fault with what was typed, and nothing
changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from conveyor.api.deps import IdPath, NowDep, UowDep
from conveyor.api.schemas.assignment_rules import RuleCreate, RuleUpdate
from conveyor.domain.departments import Department
from conveyor.domain.distribution_rules import (
    RESPONSIBLE,
    DistributionRule,
    RuleEntity,
    RuleStrategy,
)
from conveyor.domain.employees import Employee
from conveyor.domain.errors import ConveyorError
from conveyor.domain.pipelines import Pipeline, Stage
from conveyor.services import distribution_rules as service
from conveyor.services import org, pipelines, workload_board
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.web.pages.editor_forms import (
    FieldError,
    FormDep,
    FormRefused,
    blank_is_none,
    checked,
    json_object,
    refusal,
    text,
    texts,
)
from conveyor.web.templating import render
from conveyor.web.viewer import FormViewerDep, Viewer, ViewerDep

router = APIRouter(prefix="/ui", include_in_schema=False)

#: How many of each the pages load for the lists and the selects.
MANY = 500

TEXTS = (
    "name",
    "priority",
    "entity_type",
    "pipeline_id",
    "trigger_stage_id",
    "condition",
    "target_field",
    "default_capacity_points",
    "capacity_overrides",
    "weight",
    "strategy",
    "skill_field",
    "look_ahead_days",
    "next_stage_id",
    "escalate_after_minutes",
    "queue_priority",
)
LISTS = ("employee_ids", "department_ids", "excluded_ids", "in_work_stage_ids")
SWITCHES = (
    "enabled",
    "include_subdepartments",
    "exclude_heads",
    "allow_external",
    "respect_absences",
    "respect_day_status",
    "respect_working_hours",
    "count_open_tasks",
    "never_previous_owner",
)
#: Inputs that may be left empty (``None``: no value, as the API's ``null``).
OPTIONAL = (
    "pipeline_id",
    "trigger_stage_id",
    "condition",
    "default_capacity_points",
    "skill_field",
    "look_ahead_days",
    "next_stage_id",
    "escalate_after_minutes",
    "queue_priority",
)
INPUTS = (*TEXTS, *LISTS, *SWITCHES)


@dataclass(frozen=True, kw_only=True)
class Choices:
    """What the form's selects offer."""

    pipelines: list[tuple[Pipeline, list[Stage]]]
    employees: list[Employee]
    departments: list[Department]


@router.get("/rules")
def rule_list(request: Request, viewer: ViewerDep, uow: UowDep, now: NowDep) -> Response:
    found = service.list_rules(uow, actor=viewer.actor, limit=MANY, offset=0)
    waiting = {
        line.rule_id: line.waiting
        for line in workload_board.rule_queues(uow, actor=viewer.actor, now=now)
    }
    stages = {s.id: (p, s) for p, ss in pipelines.list_pipelines(uow) for s in ss}
    return render(
        request,
        "rules.html",
        viewer=viewer,
        title=viewer._("Distribution rules"),
        rules=found.items,
        total=found.total,
        waiting=waiting,
        stages=stages,
    )


@router.get("/rules/new")
def new_rule(request: Request, viewer: ViewerDep, uow: UowDep) -> Response:
    viewer.actor.require_admin()
    values = _values_of(None)
    return _form(request, viewer, uow, rule=None, values=values, error=None)


@router.post("/rules/new")
def create_rule(
    request: Request, viewer: FormViewerDep, form: FormDep, uow: UowDep, now: NowDep
) -> Response:
    viewer.actor.require_admin()
    values = _values_from(form, entity=None)
    try:
        body = RuleCreate.model_validate(_body(values, viewer))
        spec = service.RuleSpec(**body.model_dump())
        rule = service.create_rule(uow, spec, actor=viewer.actor, now=now)
    except (ValidationError, ConveyorError, FormRefused) as error:
        failed = refusal(error, INPUTS, viewer.language)
        return _form(request, viewer, uow, rule=None, values=values, error=failed)
    return RedirectResponse(f"/ui/rules/{rule.id}?saved=1", status_code=303)


@router.get("/rules/{rule_id}")
def edit_rule(
    request: Request, rule_id: IdPath, viewer: ViewerDep, uow: UowDep, saved: bool = False
) -> Response:
    rule = service.get_rule(uow, rule_id, actor=viewer.actor)
    return _form(request, viewer, uow, rule=rule, values=_values_of(rule), error=None, saved=saved)


@router.post("/rules/{rule_id}")
def save_rule(
    request: Request,
    rule_id: IdPath,
    viewer: FormViewerDep,
    form: FormDep,
    uow: UowDep,
    now: NowDep,
) -> Response:
    rule = service.get_rule(uow, rule_id, actor=viewer.actor)
    values = _values_from(form, entity=rule.entity_type)
    try:
        body = _body(values, viewer)
        del body["entity_type"]  # a rule keeps what it distributes
        changes = RuleUpdate.model_validate(body).changes()
        service.update_rule(uow, rule_id, changes, actor=viewer.actor, now=now)
    except (ValidationError, ConveyorError, FormRefused) as error:
        failed = refusal(error, INPUTS, viewer.language)
        return _form(request, viewer, uow, rule=rule, values=values, error=failed)
    return RedirectResponse(f"/ui/rules/{rule_id}?saved=1", status_code=303)


@router.post("/rules/{rule_id}/enabled")
def switch_rule(
    rule_id: IdPath, viewer: FormViewerDep, form: FormDep, uow: UowDep, now: NowDep
) -> Response:
    """Activate (``enabled=1``) or deactivate (``enabled=0``) a rule, back to the list."""
    changes = {"enabled": checked(form, "enabled")}
    service.update_rule(uow, rule_id, changes, actor=viewer.actor, now=now)
    return RedirectResponse("/ui/rules", status_code=303)


@router.post("/rules/{rule_id}/delete")
def delete_rule(rule_id: IdPath, viewer: FormViewerDep, uow: UowDep, now: NowDep) -> Response:
    service.delete_rule(uow, rule_id, actor=viewer.actor, now=now)
    return RedirectResponse("/ui/rules", status_code=303)


def _form(
    request: Request,
    viewer: Viewer,
    uow: UnitOfWork,
    *,
    rule: DistributionRule | None,
    values: dict[str, Any],
    error: FieldError | None,
    saved: bool = False,
) -> Response:
    title = rule.name if rule is not None else viewer._("New rule")
    return render(
        request,
        "rule.html",
        viewer=viewer,
        status=200 if error is None else 422,
        title=title,
        rule=rule,
        values=values,
        error=error,
        saved=saved,
        choices=_choices(uow),
        entities=[e.value for e in RuleEntity],
        strategies=[s.value for s in RuleStrategy],
    )


def _choices(uow: UnitOfWork) -> Choices:
    return Choices(
        pipelines=pipelines.list_pipelines(uow),
        employees=[e for e, _ in org.list_employees(uow, limit=MANY, offset=0).items],
        departments=org.list_departments(uow, limit=MANY, offset=0).items,
    )


def _values_of(rule: DistributionRule | None) -> dict[str, Any]:
    """The form's values for ``rule`` (a new rule's defaults when ``None``): texts, lists of
    id texts and switches."""
    if rule is None:
        return {
            **{name: "" for name in TEXTS},
            **{name: [] for name in LISTS},
            **{name: name in _ON_BY_DEFAULT for name in SWITCHES},
            "priority": "0",
            "entity_type": RuleEntity.DEAL.value,
            "target_field": RESPONSIBLE,
            "weight": "1",
            "strategy": RuleStrategy.LEAST_LOADED.value,
        }
    values: dict[str, Any] = {}
    for name in TEXTS:
        value = getattr(rule, name)
        if isinstance(value, Decimal):
            value = _points(value)
        elif name == "capacity_overrides":
            overrides = {str(k): float(v) for k, v in value.items()}
            value = json.dumps(overrides) if overrides else ""
        values[name] = "" if value is None else str(value)
    values.update({name: [str(i) for i in getattr(rule, name)] for name in LISTS})
    values.update({name: bool(getattr(rule, name)) for name in SWITCHES})
    return values


_ON_BY_DEFAULT = {"enabled", "include_subdepartments", "allow_external", "respect_absences"}


def _values_from(form: FormData, *, entity: RuleEntity | None) -> dict[str, Any]:
    """The form's values as posted (a saved rule keeps its entity)."""
    values: dict[str, Any] = {name: text(form, name) for name in TEXTS}
    values.update({name: texts(form, name) for name in LISTS})
    values.update({name: checked(form, name) for name in SWITCHES})
    if entity is not None:
        values["entity_type"] = entity.value
    return values


def _body(values: dict[str, Any], viewer: Viewer) -> dict[str, Any]:
    """The API's input for the form's values: an empty optional input is ``null``."""
    body: dict[str, Any] = dict(values)
    for name in OPTIONAL:
        body[name] = blank_is_none(values[name])
    if body["default_capacity_points"] is not None:
        # A decimal comma, as Russian is written, is the API's decimal point.
        body["default_capacity_points"] = body["default_capacity_points"].replace(",", ".")
    body["priority"] = values["priority"] or "0"
    body["capacity_overrides"] = json_object(
        values["capacity_overrides"],
        field="capacity_overrides",
        message=viewer._('Write personal capacities as JSON: {"employee id": points}'),
    )
    return body


def _points(points: Decimal) -> str:
    """``Decimal("2.500")`` -> ``"2.5"``, ``Decimal("10.000")`` -> ``"10"``."""
    return format(points.normalize(), "f")
