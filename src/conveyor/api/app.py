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
from conveyor.services import job_kinds, task_robot_runs
from conveyor.services.assignment_queue import sweep_assignments
from conveyor.services.deliveries import Dispatch, deliver_due
from conveyor.services.jobs import JobHandlers, purge_jobs
from conveyor.services.robot_runs import end_runs_of_dead_jobs
from conveyor.storage.database import build_engine, session_factory
from conveyor.storage.job_wakeups import wakeups_for
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.workers.job_worker import JobWorker, WorkerOptions
from conveyor.workers.ticker import Duty, Ticker

MAX_BODY = 1024 * 1024
#: Seconds between two purges of long-finished jobs (``services.jobs.purge_jobs``).
PURGE_SECONDS = 3600.0
TOO_LARGE = f"The body is over {MAX_BODY} bytes"


def create_app(
    database_url: str,
    *,
    clock: Callable[[], datetime] | None = None,
    sweep_seconds: float | None = None,
    dispatch: Dispatch | None = None,
    delivery_seconds: float = 10.0,
    run_jobs: bool = True,
    job_options: WorkerOptions | None = None,
    job_handlers: JobHandlers | None = None,
    **engine_options: Any,
) -> FastAPI:
    """The API over ``database_url``. With ``sweep_seconds`` the app also runs the in-process
    ticker while it serves (the assignment sweep every ``sweep_seconds``; with ``dispatch``,
    due notification deliveries every ``delivery_seconds``, in a thread of their own);
    tests leave it off and drive sweeps and deliveries themselves. Serving for real
    (``sweep_seconds`` given) also runs, unless ``run_jobs`` is off, a job worker thread for
    the kinds of ``job_handlers`` (default: ``services/job_kinds.py``); tests drive jobs
    themselves too."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ticker = worker = sender = None
        if sweep_seconds is not None:
            # Serving for real: what is loaded by now lives as long as the process, so the
            # collector stops scanning it (full collections drop from ~60 ms to a few).
            gc.collect()
            gc.freeze()
            ticker = background(app, sweep_seconds)
            ticker.start()
            if dispatch is not None:
                sender = delivery_ticker(app, dispatch, delivery_seconds)
                sender.start()
            if run_jobs:
                worker = job_worker(app, database_url, job_handlers, job_options)
                worker.start()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()
            if sender is not None:
                sender.stop()
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


def background(app: FastAPI, sweep_seconds: float) -> Ticker:
    """The ticker of a serving app: the assignment sweep (safety net for waiting entries and
    their escalation), the robot and task robot runs whose job died (ended ``failed``) and,
    hourly, the purge of long-finished jobs. Scheduled work (call distributions...) runs as
    jobs."""
    duties = [
        Duty(
            name="assignment sweep",
            every=sweep_seconds,
            run=lambda uow, now: sweep_assignments(uow, now=now),
        ),
        Duty(
            name="robot runs of dead jobs",
            every=sweep_seconds,
            run=lambda uow, now: end_runs_of_dead_jobs(uow, now=now),
        ),
        Duty(
            name="task robot runs of dead jobs",
            every=sweep_seconds,
            run=lambda uow, now: task_robot_runs.end_runs_of_dead_jobs(uow, now=now),
        ),
        Duty(name="purge of finished jobs", every=PURGE_SECONDS, run=_purge),
    ]
    return Ticker(lambda: UnitOfWork(app.state.sessions), app.state.clock, duties)


def _purge(uow: UnitOfWork, now: datetime) -> int:
    return purge_jobs(uow, now=now)


def delivery_ticker(app: FastAPI, dispatch: Dispatch, delivery_seconds: float) -> Ticker:
    """The notification deliveries that are due (one indexed read when none is), every
    ``delivery_seconds`` in a thread of their own: a slow mail server or webhook never
    delays the assignment sweep and its escalations. Each round stops taking deliveries
    after ``deliveries.BUDGET`` and reads the app's clock per delivery."""
    clock = app.state.clock
    duty = Duty(
        name="notification deliveries",
        every=delivery_seconds,
        run=lambda uow, _: deliver_due(uow, dispatch=dispatch, clock=clock),
    )
    return Ticker(lambda: UnitOfWork(app.state.sessions), clock, [duty])


def job_worker(
    app: FastAPI,
    database_url: str,
    handlers: JobHandlers | None = None,
    options: WorkerOptions | None = None,
) -> JobWorker:
    """The in-process job worker of a serving app, on the app's sessions and clock. Scheduled
    work (call distributions...) runs as jobs; this worker is woken at once by jobs scheduled
    in this process (and by any, on PostgreSQL)."""
    return JobWorker(
        lambda: UnitOfWork(app.state.sessions),
        handlers or job_kinds.handlers(),
        clock=app.state.clock,
        options=options,
        wakeups=wakeups_for(database_url),
    )


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
