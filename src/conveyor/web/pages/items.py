"""The card of a lead or deal (``/ui/items/{entity}/{id}``): its fields, communications,
timeline, robots, and "why this person?" (``#why``), kept live over server-sent events."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from conveyor.api.deps import UowDep, get_uow
from conveyor.domain.errors import NotFound
from conveyor.domain.field_types import FieldType
from conveyor.domain.pipelines import EntityType
from conveyor.services.item_card import FieldValue, ItemCard, item_card
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.web import item_timeline, item_why
from conveyor.web.live import stream
from conveyor.web.templating import fragment, render
from conveyor.web.viewer import Viewer, ViewerDep

router = APIRouter(prefix="/ui", include_in_schema=False)

ENTITIES = {"deal": EntityType.DEAL, "lead": EntityType.LEAD}
#: The live part of the card: everything below its heading.
BODY = "item-body"


@router.get("/items/{entity}/{item_id}", response_class=HTMLResponse)
def card(request: Request, viewer: ViewerDep, uow: UowDep, entity: str, item_id: str) -> Response:
    context = _context(uow, viewer, *_target(entity, item_id))
    return render(request, "item.html", viewer=viewer, title=context["card"].item.title, **context)


@router.get("/items/{entity}/{item_id}/live")
def live(request: Request, viewer: ViewerDep, entity: str, item_id: str) -> Response:
    entity_type, number = _target(entity, item_id)
    _context(get_uow(request), viewer, entity_type, number)  # may the viewer see it at all?

    def body() -> str:
        context = _context(get_uow(request), viewer, entity_type, number)
        return fragment("item_body.html", viewer=viewer, **context)

    return stream(request, BODY, body)


def _target(entity: str, item_id: str) -> tuple[EntityType, int]:
    """The entity type and id of the path; anything else is a page that does not exist."""
    entity_type = ENTITIES.get(entity)
    if entity_type is None or not item_id.isdigit() or not 0 < int(item_id) < 2**63:
        raise NotFound(entity, item_id)
    return entity_type, int(item_id)


def _context(
    uow: UnitOfWork, viewer: Viewer, entity_type: EntityType, item_id: int
) -> dict[str, Any]:
    found = item_card(uow, entity_type, item_id, actor=viewer.actor)
    return {
        "card": found,
        "entity": entity_type.value,
        "fields": [(f.definition.name, _field_text(f, viewer)) for f in found.fields],
        "timeline": item_timeline.timeline(found, viewer),
        "why": item_why.why(found, viewer),
        "runs": _runs(found, viewer),
        "triggers": _triggers(found, viewer),
        "talks": None if found.communications is None else _talks(found, viewer),
        "live_url": f"/ui/items/{entity_type.value}/{item_id}/live",
    }


def _field_text(value: FieldValue, viewer: Viewer) -> str:
    """A custom field's value as its type reads."""
    raw, kind = value.value, value.definition.type
    if raw is None or raw == "":
        return "—"
    if value.shown is not None:
        return value.shown
    if kind is FieldType.BOOLEAN:
        return viewer._("Yes") if raw else viewer._("No")
    if kind is FieldType.NUMBER:
        return viewer.fmt.number(raw)
    if kind is FieldType.DATE:
        return viewer.fmt.day(date.fromisoformat(str(raw)))
    if kind is FieldType.DATETIME:
        return viewer.fmt.when(datetime.fromisoformat(str(raw)))
    if kind is FieldType.MONEY and isinstance(raw, dict):
        return viewer.fmt.money(Decimal(str(raw.get("amount"))), str(raw.get("currency")))
    if kind in (FieldType.EMPLOYEE, FieldType.LIST_ELEMENT):
        return f"#{raw}"
    return str(raw)


def _runs(found: ItemCard, viewer: Viewer) -> list[dict[str, Any]]:
    _ = viewer._
    states = {
        "scheduled": (_("Pending"), "info"),
        "fired": (_("Fired"), "ok"),
        "skipped": (_("Skipped"), "warn"),
        "failed": (_("Failed"), "bad"),
        "cancelled": (_("Cancelled"), ""),
    }
    rows = []
    for run in found.robot_runs:
        state, tone = states[run.state.value]
        action = found.robot_actions.get(run.robot_id)
        pending = run.finished_at is None
        rows.append(
            {
                "name": run.robot_name,
                "action": _action(action, viewer) if action else _("Robot deleted"),
                "state": state,
                "tone": tone,
                "stage": found.stages.get(run.stage_id, f"#{run.stage_id}"),
                "when": _("due {moment}", moment=viewer.fmt.when(run.due_at))
                if pending
                else viewer.fmt.when(run.finished_at),
                "detail": run.detail or "",
            }
        )
    return rows


def _action(kind: str, viewer: Viewer) -> str:
    _ = viewer._
    return {
        "notify": _("Notify"),
        "control": _("Control"),
        "create_task": _("Create a task"),
        "change_stage": _("Change the stage"),
        "set_field": _("Set a field"),
        "change_responsible": _("Change the responsible"),
        "create_item": _("Create a lead or deal"),
        "add_co_executors": _("Add co-executors"),
        "shift_deadline": _("Shift a deadline"),
        "send_email": _("Send an email"),
        "send_sms": _("Send an SMS"),
        "webhook": _("Call a webhook"),
        "start_process": _("Start a business process"),
    }.get(kind, kind)


def _triggers(found: ItemCard, viewer: Viewer) -> list[dict[str, Any]]:
    _ = viewer._
    outcomes = {
        "moved": (_("Moved the item"), "ok"),
        "condition_false": (_("Condition false"), "warn"),
        "not_applicable": (_("Not applicable"), ""),
        "refused": (_("Move refused"), "bad"),
        "stopped_by_depth_limit": (_("Stopped: too many automatic moves"), "bad"),
    }
    rows = []
    for run in found.trigger_runs:
        outcome, tone = outcomes.get(run.outcome.value, (run.outcome.value, ""))
        rows.append(
            {
                "name": run.trigger_name,
                "outcome": outcome,
                "tone": tone,
                "to": found.stages.get(run.to_stage_id, f"#{run.to_stage_id}"),
                "when": viewer.fmt.when(run.created_at),
                "detail": run.detail,
            }
        )
    return rows


def _talks(found: ItemCard, viewer: Viewer) -> list[dict[str, Any]]:
    directions = {"incoming": viewer._("incoming"), "outgoing": viewer._("outgoing")}
    return [
        {
            "kind": item_timeline.talk_kind(talk.kind.value, viewer),
            "direction": directions.get(talk.direction.value, ""),
            "when": viewer.fmt.when(talk.occurred_at),
            "who": found.people.get(talk.employee_id or 0, ""),
            "subject": talk.subject or "",
            "body": talk.body or "",
            "here": talk.item_id == found.item.id,
        }
        for talk in found.communications or []
    ]
