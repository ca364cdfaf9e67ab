"""The kanban pages: a pipeline's stages as columns of cards, moved by drag and drop (or a
"Move to…" select on a phone), live over server-sent events."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from conveyor.api.deps import IdPath, NowDep, UowDep, get_uow
from conveyor.api.schemas.crm_items import MoveToStage
from conveyor.domain.pipelines import EntityType
from conveyor.services import crm_items, kanban
from conveyor.web.live import stream
from conveyor.web.templating import fragment, render
from conveyor.web.viewer import FormViewerDep, Viewer, ViewerDep

router = APIRouter(prefix="/ui", include_in_schema=False)

#: The id of the element the live stream and a move replace: all the columns.
COLUMNS = "kanban-columns"


@router.get("/kanban", response_class=HTMLResponse)
def index(request: Request, viewer: ViewerDep, uow: UowDep) -> Response:
    """The boards there are; with only one, that board at once."""
    found = kanban.pipelines(uow)
    if len(found) == 1:
        return RedirectResponse(f"/ui/kanban/{found[0][0].id}", status_code=303)
    groups = [
        (viewer._("Deal pipelines"), [p for p, _ in found if p.entity_type is EntityType.DEAL]),
        (viewer._("Lead pipelines"), [p for p, _ in found if p.entity_type is EntityType.LEAD]),
    ]
    stage_counts = {p.id: len(stages) for p, stages in found}
    return render(
        request,
        "kanban_index.html",
        viewer=viewer,
        title=viewer._("Kanban"),
        groups=[(heading, pipelines) for heading, pipelines in groups if pipelines],
        stage_counts=stage_counts,
    )


@router.get("/kanban/{pipeline_id}", response_class=HTMLResponse)
def board(request: Request, pipeline_id: IdPath, viewer: ViewerDep, uow: UowDep) -> Response:
    shown = kanban.board(uow, pipeline_id, actor=viewer.actor)
    return render(
        request,
        "kanban.html",
        viewer=viewer,
        title=shown.pipeline.name,
        board=shown,
        pipelines=[p for p, _ in kanban.pipelines(uow)],
        columns_id=COLUMNS,
    )


@router.get("/kanban/{pipeline_id}/live")
def live(request: Request, pipeline_id: IdPath, viewer: ViewerDep) -> StreamingResponse:
    """The board's columns, sent again whenever something changed. A pipeline that does
    not exist (or is not a board) is refused before the stream starts, as a page is."""
    kanban.board(get_uow(request), pipeline_id, actor=viewer.actor, per_column=1)

    def columns() -> str:
        return _columns(viewer, kanban.board(get_uow(request), pipeline_id, actor=viewer.actor))

    return stream(request, COLUMNS, columns)


@router.post("/kanban/items/{entity}/{item_id}/move")
def move(
    entity: Literal["deal", "lead"],
    item_id: IdPath,
    body: MoveToStage,
    viewer: FormViewerDep,
    uow: UowDep,
    now: NowDep,
) -> dict[str, str]:
    """A card dropped on another column: the item moves as the API's ``move`` moves it
    (required fields checked, assignment rules and robots run). The answer is the board's
    new columns, for the page to swap in (``{"target", "html"}``); a refusal is the API's
    problem+json and changes nothing.

    The columns are those of the board the card was on: the item's pipeline before the
    move, whatever stage the request names (a stage of another pipeline is refused)."""
    entity_type = EntityType(entity)
    board_id = crm_items.get_item(uow, entity_type, item_id, actor=viewer.actor).pipeline_id
    crm_items.move_item(uow, entity_type, item_id, body.stage_id, actor=viewer.actor, now=now)
    shown = kanban.board(uow, board_id, actor=viewer.actor)
    return {"target": COLUMNS, "html": _columns(viewer, shown)}


def _columns(viewer: Viewer, shown: kanban.Board) -> str:
    return fragment("kanban_columns.html", viewer=viewer, board=shown, columns_id=COLUMNS)
