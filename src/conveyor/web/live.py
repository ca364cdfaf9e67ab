"""Live parts of a page over server-sent events.

A stream watches ``services.changes.last_change`` and, when it moved (or every
``REFRESH_SECONDS`` anyway, for what time alone changes: a working day ending, an absence
starting), renders the page's live part again — at most once per ``MIN_RENDER_SECONDS``, so a
busy system does not re-render every open page on every change — and sends it if it differs
from what the page has. Each message is an SSE ``refresh`` event whose data is JSON:
``{"target": element id, "html": its new outer HTML}``; ``static/conveyor.js`` swaps it in.

Before each render the stream checks the session again: signed out, expired, demoted or
dismissed, it sends ``signin`` and ends (the page goes to the login form). A render refused by
the services (the item was deleted, or is no longer the reader's to see) sends ``gone`` with
the message and ends; the page stops following.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable

from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from conveyor.api.deps import get_uow
from conveyor.domain.errors import ConveyorError, NotAuthenticated
from conveyor.services.changes import last_change
from conveyor.web.viewer import get_viewer

#: Seconds between two looks at the change marker.
POLL_SECONDS = 1.0
#: Seconds after which the part is rendered again even if nothing was written.
REFRESH_SECONDS = 30.0
#: The least seconds between two renders of one stream.
MIN_RENDER_SECONDS = 2.0
#: Seconds between two comments that keep proxies from closing an idle stream.
KEEPALIVE_SECONDS = 15.0


def stream(request: Request, target: str, render: Callable[[], str]) -> StreamingResponse:
    """The live stream of the element ``target``, rendered by ``render`` (run in a thread)
    for the session of ``request``. The first message comes at once, so nothing written
    since the page was served is lost."""
    return StreamingResponse(
        updates(request, target, render, still_signed_in=lambda: get_viewer(request)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def updates(
    request: Request,
    target: str,
    render: Callable[[], str],
    *,
    still_signed_in: Callable[[], object] | None = None,
    poll: float = POLL_SECONDS,
    refresh: float = REFRESH_SECONDS,
    spacing: float = MIN_RENDER_SECONDS,
    keepalive: float = KEEPALIVE_SECONDS,
) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    seen: int | None = None
    sent: str | None = None
    rendered_at: float | None = None
    quiet_since = loop.time()
    yield "retry: 3000\n\n"
    while not await request.is_disconnected():
        marker = await run_in_threadpool(last_change, get_uow(request))
        now = loop.time()
        due = rendered_at is None or now - rendered_at >= refresh
        spaced = rendered_at is None or now - rendered_at >= spacing
        if (marker != seen and spaced) or due:
            try:
                if still_signed_in is not None:
                    await run_in_threadpool(still_signed_in)
                html = await run_in_threadpool(render)
            except NotAuthenticated:
                yield _event("signin", {})
                return
            except ConveyorError as error:
                yield _event("gone", {"target": target, "detail": error.message})
                return
            rendered_at = now
            if html != sent:
                quiet_since = now
                yield message(target, html)
            seen, sent = marker, html
        if now - quiet_since >= keepalive:
            quiet_since = now
            yield ": keepalive\n\n"
        await asyncio.sleep(poll)


def message(target: str, html: str) -> str:
    return _event("refresh", {"target": target, "html": html})


def _event(name: str, data: dict[str, str]) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
