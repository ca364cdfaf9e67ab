"""The FastAPI application."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import Depends, FastAPI, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conveyor import __version__
from conveyor.api import deps, problems
from conveyor.api.routes import ROUTERS
from conveyor.services.assignment_queue import sweep_assignments
from conveyor.services.call_rounds import run_due_distributions
from conveyor.storage.database import build_engine, session_factory
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.workers.ticker import Duty, Ticker

MAX_BODY = 1024 * 1024
TOO_LARGE = f"The body is over {MAX_BODY} bytes"


def create_app(
    database_url: str,
    *,
    clock: Callable[[], datetime] | None = None,
    sweep_seconds: float | None = None,
    **engine_options: Any,
) -> FastAPI:
    """The API over ``database_url``. With ``sweep_seconds`` the app also runs the in-process
    ticker while it serves (the assignment sweep every ``sweep_seconds``); tests leave it off
    and drive sweeps themselves."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ticker = None
        if sweep_seconds is not None:
            # Serving for real: what is loaded by now lives as long as the process, so the
            # collector stops scanning it (full collections drop from ~60 ms to a few).
            gc.collect()
            gc.freeze()
            ticker = background(app, sweep_seconds)
            ticker.start()
        try:
            yield
        finally:
            if ticker is not None:
                ticker.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="Conveyor",
        version=__version__,
        description="Order and task flow: org, CRM pipelines, tasks, lists. "
        "Errors are RFC 9457 problem+json.",
        dependencies=[Depends(deps.refuse_nul_in_query)],
    )
    engine = build_engine(database_url, **engine_options)
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.clock = clock or (lambda: datetime.now(UTC))
    problems.install(app)
    app.add_middleware(BodyLimit)
    for router in ROUTERS:
        app.include_router(router)

    @app.get("/health", tags=["system"])
    def health(request: Request) -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app


#: How often the ticker looks for scheduled call distributions that are due.
DISTRIBUTION_CHECK_SECONDS = 30.0


def background(app: FastAPI, sweep_seconds: float) -> Ticker:
    """The ticker of a serving app: the assignment sweep (safety net for waiting entries and
    their escalation) and the scheduled call distributions (one indexed read when none is
    due; each occurrence runs once, whatever the number of processes)."""
    duties = [
        Duty(
            name="assignment sweep",
            every=sweep_seconds,
            run=lambda uow, now: sweep_assignments(uow, now=now),
        ),
        Duty(
            name="call distributions",
            every=min(sweep_seconds, DISTRIBUTION_CHECK_SECONDS),
            run=lambda uow, now: run_due_distributions(uow, now=now),
        ),
    ]
    return Ticker(lambda: UnitOfWork(app.state.sessions), app.state.clock, duties)


class BodyLimit:
    """Refuse bodies over 1 MiB: at once when ``Content-Length`` says so, else while reading.

    A body sent without ``Content-Length`` (chunked) is read here, at most 1 MiB and one
    byte of it, and handed on only when it fits, so no size of upload reaches the app.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and not length.isdigit():
            await _refuse(
                scope, receive, send, 400, "bad-request", "Content-Length is not a number"
            )
        elif length is not None and int(length) > MAX_BODY:
            await _refuse(scope, receive, send, 413, "too-large", TOO_LARGE)
        elif length is not None:
            await self.app(scope, receive, send)
        else:
            try:
                body = await _read_at_most(receive, MAX_BODY)
            except _ClientLeft:
                return
            if body is None:
                await _refuse(scope, receive, send, 413, "too-large", TOO_LARGE)
            else:
                await self.app(scope, _replay(body, receive), send)


async def _refuse(
    scope: Scope, receive: Receive, send: Send, status: int, slug: str, detail: str
) -> None:
    await problems.problem(Request(scope), status, slug, detail)(scope, receive, send)


class _ClientLeft(Exception):
    """The client disconnected before sending its whole body."""


async def _read_at_most(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or ``None`` as soon as it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise _ClientLeft
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` in one message, then whatever the client sends."""
    given = False

    async def replayed() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
