"""Live parts of a page over server-sent events.

A stream watches ``services.changes.last_change`` and, when it moved (or every
``REFRESH_SECONDS`` anyway, for what time alone changes: a working day ending, an absence
starting), renders the page's live part again and sends it if it differs from what the page
has. Each message is an SSE ``refresh`` event whose data is JSON: ``{"target": element id,
"html": its new outer HTML}``; ``static/conveyor.js`` swaps it in.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable

from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from conveyor.api.deps import get_uow
from conveyor.services.changes import last_change

#: Seconds between two looks at the change marker.
POLL_SECONDS = 1.0
#: Seconds after which the part is rendered again even if nothing was written.
REFRESH_SECONDS = 30.0
#: Seconds between two comments that keep proxies from closing an idle stream.
KEEPALIVE_SECONDS = 15.0


def stream(request: Request, target: str, render: Callable[[], str]) -> StreamingResponse:
    """The live stream of the element ``target``, rendered by ``render`` (run in a thread).
    The first message comes at once, so nothing written since the page was served is lost."""
    return StreamingResponse(
        updates(request, target, render),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def updates(
    request: Request,
    target: str,
    render: Callable[[], str],
    *,
    poll: float = POLL_SECONDS,
    refresh: float = REFRESH_SECONDS,
    keepalive: float = KEEPALIVE_SECONDS,
) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    seen: int | None = None
    sent: str | None = None
    rendered_at = quiet_since = loop.time()
    yield "retry: 3000\n\n"
    while not await request.is_disconnected():
        marker = await run_in_threadpool(last_change, get_uow(request))
        now = loop.time()
        if marker != seen or now - rendered_at >= refresh:
            html = await run_in_threadpool(render)
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
    data = json.dumps({"target": target, "html": html}, ensure_ascii=False)
    return f"event: refresh\ndata: {data}\n\n"
