"""My work, the home page: my tasks, what waits for my acceptance, my notifications.

Every change is a plain form (with its CSRF token) that comes back to the page: on success
with a line saying what happened, on a refusal with the service's message and nothing changed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from conveyor.api import problems
from conveyor.api.deps import IdPath, NowDep, UowDep
from conveyor.domain.errors import ConveyorError, InvalidValue
from conveyor.domain.languages import Language
from conveyor.domain.notification_texts import render as notification_text
from conveyor.domain.notifications import Notification
from conveyor.domain.pipelines import PIPELINE_ENTITIES
from conveyor.domain.tasks import TaskAction, TaskStatus
from conveyor.services import my_work, notifications, tasks
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.web.templating import render
from conveyor.web.viewer import FormViewerDep, Viewer, ViewerDep

router = APIRouter(prefix="/ui", include_in_schema=False)

PAGE = "/ui/work"
#: The latest notifications shown.
FEED_LENGTH = 30

#: What the line after a change says, by its ``done`` key.
DONE = {
    "start": "The task is started",
    "pause": "The task is paused",
    "complete": "The task is completed",
    "sent": "The task is sent for acceptance",
    "defer": "The task is deferred",
    "resume": "The task is resumed",
    "accept": "The task is accepted",
    "return": "The task is returned with your comment",
    "read": "Marked read",
}


@router.get("/work", response_class=HTMLResponse)
def page(request: Request, viewer: ViewerDep, uow: UowDep, now: NowDep, done: str = "") -> Response:
    return _page(request, viewer, uow, now, done=DONE.get(done))


@router.post("/work/tasks/{task_id}")
def act(
    request: Request,
    task_id: IdPath,
    viewer: FormViewerDep,
    uow: UowDep,
    now: NowDep,
    action: Annotated[str, Form(max_length=40)] = "",
    comment: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Take ``action`` on the task (start, complete, accept, return with ``comment``...)."""
    try:
        chosen = _action(action)
        view = tasks.act_on_task(
            uow, task_id, chosen, comment=comment or None, actor=viewer.actor, now=now
        )
    except ConveyorError as error:
        return _refused(request, viewer, uow, now, error)
    done = chosen.value
    if chosen is TaskAction.COMPLETE and view.task.status is TaskStatus.AWAITING_CONTROL:
        done = "sent"
    return RedirectResponse(f"{PAGE}?done={done}", status_code=303)


@router.post("/work/notifications/read-all")
def read_all(request: Request, viewer: FormViewerDep, uow: UowDep, now: NowDep) -> Response:
    notifications.mark_all_read(uow, actor=viewer.actor, now=now)
    return RedirectResponse(f"{PAGE}?done=read#notifications", status_code=303)


@router.post("/work/notifications/{notification_id}/read")
def read(
    request: Request, notification_id: IdPath, viewer: FormViewerDep, uow: UowDep, now: NowDep
) -> Response:
    try:
        notifications.mark_read(uow, notification_id, actor=viewer.actor, now=now)
    except ConveyorError as error:
        return _refused(request, viewer, uow, now, error)
    return RedirectResponse(f"{PAGE}?done=read#notifications", status_code=303)


def _action(value: str) -> TaskAction:
    try:
        return TaskAction(value)
    except ValueError:
        raise InvalidValue(f"No such action: '{value}'", field="action") from None


def _refused(
    request: Request, viewer: Viewer, uow: UnitOfWork, now: datetime, error: ConveyorError
) -> Response:
    """The page again with the refusal's message; a page script's fetch gets problem+json."""
    if "text/html" not in request.headers.get("accept", ""):
        raise error
    status = problems.status_of(error)[0]
    return _page(request, viewer, uow, now, error=error.message, status=status)


def _page(
    request: Request,
    viewer: Viewer,
    uow: UnitOfWork,
    now: datetime,
    *,
    done: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    work = my_work.my_work(uow, actor=viewer.actor, now=now)
    feed = notifications.feed(
        uow, actor=viewer.actor, limit=FEED_LENGTH, offset=0, language=viewer.language
    )
    # Unread first, each part newest first (the feed's order).
    notes = sorted((_note(n, feed.language) for n in feed.page.items), key=lambda n: n["read"])
    return render(
        request,
        "work.html",
        viewer=viewer,
        status=status,
        title=viewer._("My work"),
        work=work,
        notes=notes,
        unread=feed.unread,
        more_notes=max(0, feed.page.total - len(feed.page.items)),
        done=done,
        error=error,
        now=now,
    )


def _note(notification: Notification, language: Language) -> dict[str, Any]:
    link = notification.link
    text = notification_text(
        notification.kind,
        notification.params,
        language,
        about=None if link is None else link.entity,
    )
    href = None
    if link is not None and link.entity in PIPELINE_ENTITIES:
        href = f"/ui/items/{link.entity}/{link.id}"
    return {
        "id": notification.id,
        "subject": text.subject,
        "body": text.body,
        "at": notification.created_at,
        "read": notification.is_read,
        "href": href,
    }
