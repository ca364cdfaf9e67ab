"""The FastAPI application."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from conveyor import __version__
from conveyor.api import problems
from conveyor.api.routes import ROUTERS
from conveyor.storage.database import build_engine, session_factory

MAX_BODY = 1024 * 1024


def create_app(
    database_url: str, *, clock: Callable[[], datetime] | None = None, **engine_options: Any
) -> FastAPI:
    app = FastAPI(
        title="Conveyor",
        version=__version__,
        description="Order and task flow: org, CRM pipelines, tasks, lists. "
        "Errors are RFC 9457 problem+json.",
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


class BodyLimit:
    """Refuse bodies over 1 MiB before reading them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = dict(scope.get("headers", [])).get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
                response = problems.problem(
                    Request(scope), 413, "too-large", f"The body is over {MAX_BODY} bytes"
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
