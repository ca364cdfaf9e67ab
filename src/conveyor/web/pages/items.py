"""The card of a lead or deal (``/ui/items/{entity}/{id}``): its fields, communications,
timeline, robots, and "why this person?" (``#why``), kept live over server-sent events.

The card also changes the item: its edit form (``#edit``; ``?edit=<field code>`` opens it
with that input focused) saves through ``crm_items.update_item`` as the API's ``PATCH`` does,
and its "Move to…" list moves it through ``crm_items.move_item``. A refusal shows the card
again with the service's message at the input at fault and the values as typed; nothing
changes. A move refused for an empty required field opens the form at that field.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from conveyor.api.deps import NowDep, UowDep, get_uow
from conveyor.api.schemas.crm_items import ItemUpdate, MoveToStage
from conveyor.domain.errors import ConveyorError, NotFound
from conveyor.domain.field_types import FieldType
from conveyor.domain.pipelines import EntityType
from conveyor.services import crm_items
from conveyor.services.item_card import FieldValue, ItemCard, item_card
from conveyor.services.item_choices import item_choices
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.web import item_form, item_timeline, item_why, robot_words
from conveyor.web.live import stream
from conveyor.web.pages.editor_forms import FormDep, FormRefused, refusal, text
from conveyor.web.templating import fragment, render
from conveyor.web.viewer import FormViewerDep, Viewer, ViewerDep

router = APIRouter(prefix="/ui", include_in_schema=False)

ENTITIES = {"deal": EntityType.DEAL, "lead": EntityType.LEAD}
#: The live part of the card: everything below its heading.
BODY = "item-body"
#: What a redirect after a change tells the card to say.
DONE = ("saved", "moved")


@router.get("/items/{entity}/{item_id}", response_class=HTMLResponse)
def card(
    request: Request,
    viewer: ViewerDep,
    uow: UowDep,
    entity: str,
    item_id: str,
    edit: str | None = None,
    done: str = "",
) -> Response:
    """The card; ``?edit`` opens its form, ``?edit=<code>`` at that field."""
    context = _context(uow, viewer, *_target(entity, item_id))
    if edit is not None:
        form = context["form"]
        form.update(open=True, focus=item_form.focus_for(edit, form["inputs"]))
    return _page(request, viewer, context, done=done if done in DONE else "")


@router.post("/items/{entity}/{item_id}", response_class=HTMLResponse)
def save(
    request: Request,
    viewer: FormViewerDep,
    form: FormDep,
    uow: UowDep,
    now: NowDep,
    entity: str,
    item_id: str,
) -> Response:
    """The edit form sent: what it changed is saved as ``PATCH /deals/{id}`` saves it."""
    entity_type, number = _target(entity, item_id)
    context = _context(uow, viewer, entity_type, number)
    state = context["form"]
    values, was = item_form.posted(form, state["inputs"], state["entered"])
    try:
        body = item_form.changes(state["inputs"], values, was, viewer)
        changes = ItemUpdate.model_validate(body).changes()
        if changes:
            crm_items.update_item(uow, entity_type, number, changes, actor=viewer.actor, now=now)
    except (ValidationError, ConveyorError) as error:
        failed = refusal(error, item_form.names(state["inputs"]), viewer.language)
        state.update(
            entered=values,
            was=was,
            error=failed,
            open=True,
            focus=failed.input,
            unsaved=True,
        )
        return _page(request, viewer, context, status=422)
    return RedirectResponse(f"{_url(entity_type, number)}?done=saved", status_code=303)


@router.post("/items/{entity}/{item_id}/move", response_class=HTMLResponse)
def move(
    request: Request,
    viewer: FormViewerDep,
    form: FormDep,
    uow: UowDep,
    now: NowDep,
    entity: str,
    item_id: str,
) -> Response:
    """The "Move to…" list sent: the item moves as the API's ``move`` moves it. Refused for
    an empty required field, the card opens its form at that field."""
    entity_type, number = _target(entity, item_id)
    chosen = text(form, "stage_id")
    try:
        if not chosen:
            raise FormRefused("stage_id", viewer._("Pick the stage to move to"))
        stage_id = MoveToStage.model_validate({"stage_id": chosen}).stage_id
        crm_items.move_item(uow, entity_type, number, stage_id, actor=viewer.actor, now=now)
    except (ValidationError, ConveyorError, FormRefused) as error:
        context = _context(uow, viewer, entity_type, number)
        state = context["form"]
        failed = refusal(error, ["stage_id", *item_form.names(state["inputs"])], viewer.language)
        state.update(move_error=failed, move_to=chosen)
        if failed.input and failed.input != "stage_id":
            state.update(error=failed, open=True, focus=failed.input)
        return _page(request, viewer, context, status=422)
    return RedirectResponse(f"{_url(entity_type, number)}?done=moved", status_code=303)


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


def _url(entity_type: EntityType, item_id: int) -> str:
    return f"/ui/items/{entity_type.value}/{item_id}"


def _page(
    request: Request, viewer: Viewer, context: dict[str, Any], *, status: int = 200, done: str = ""
) -> Response:
    found: ItemCard = context["card"]
    return render(
        request,
        "item.html",
        viewer=viewer,
        status=status,
        title=found.item.title,
        done=done,
        **context,
    )


def _context(
    uow: UnitOfWork, viewer: Viewer, entity_type: EntityType, item_id: int
) -> dict[str, Any]:
    found = item_card(uow, entity_type, item_id, actor=viewer.actor)
    choices = item_choices(uow, entity_type, item_id, actor=viewer.actor)
    inputs = item_form.inputs(found, choices, viewer)
    shown = item_form.values_of(found, viewer)
    url = _url(entity_type, item_id)
    return {
        "card": found,
        "entity": entity_type.value,
        "fields": [(f.definition.name, _field_text(f, viewer)) for f in found.fields],
        "timeline": item_timeline.timeline(found, viewer),
        "why": item_why.why(found, viewer),
        "runs": _runs(found, viewer),
        "triggers": _triggers(found, viewer),
        "talks": None if found.communications is None else _talks(found, viewer),
        "live_url": f"{url}/live",
        "card_url": url,
        "form": {
            "inputs": inputs,
            "entered": shown,
            "was": shown,
            "error": None,
            "open": False,
            "focus": None,
            "unsaved": False,
            "stages": [s for s in choices.stages if s.id != found.item.stage_id],
            "move_error": None,
            "move_to": "",
        },
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
    return viewer._(robot_words.ACTION.get(kind, kind))


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
    directions = {
        "incoming": viewer._("from the client"),
        "outgoing": viewer._("to the client"),
    }
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
