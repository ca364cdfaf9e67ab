"""The whole site: the API app with the web pages under ``/ui`` and their static files."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conveyor.api import problems
from conveyor.api.app import create_app
from conveyor.domain import errors
from conveyor.domain.languages import Language
from conveyor.web.error_texts import said
from conveyor.web.pages import ROUTERS
from conveyor.web.templating import render
from conveyor.web.texts import translate
from conveyor.web.viewer import Viewer, chosen_language, get_viewer

PREFIX = "/ui"

_HEADINGS: list[tuple[type[errors.ConveyorError], str]] = [
    (errors.Forbidden, "Forbidden"),
    (errors.NotFound, "Not found"),
    (errors.Conflict, "Conflict"),
    (errors.InvalidValue, "Invalid input"),
    (errors.ConveyorError, "Something went wrong"),
]


def create_site(database_url: str, **options: Any) -> FastAPI:
    """``create_app(database_url, **options)`` with the web pages: what ``conveyor serve``
    and ``conveyor demo`` run. ``/`` leads to the pages."""
    app = create_app(database_url, **options)
    for router in ROUTERS:
        app.include_router(router)
    app.mount(f"{PREFIX}/static", StaticFiles(packages=[("conveyor.web", "static")]), "static")
    app.add_exception_handler(errors.ConveyorError, _error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]
    app.add_middleware(NoFraming)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/", status_code=303)

    return app


class NoFraming:
    """The pages may not be framed by another site (clickjacking): ``X-Frame-Options`` and
    the CSP ``frame-ancestors`` say so on every answer under ``/ui``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return

        async def framed(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Frame-Options"] = "DENY"
                headers["Content-Security-Policy"] = "frame-ancestors 'none'"
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
            await send(message)

        await self.app(scope, receive, framed)


def _wants_page(request: Request) -> bool:
    return request.url.path.startswith(PREFIX) and "text/html" in request.headers.get("accept", "")


def _invalid(request: Request, error: RequestValidationError) -> Response:
    """A page's address or form FastAPI could not read (an id out of range, a text too long)
    is an error page too; the API keeps its problem+json."""
    answer = problems.validation_error(request, error)
    if not _wants_page(request):
        return answer
    detail = json.loads(bytes(answer.body)).get("detail", "Invalid input")
    return _error(request, errors.InvalidValue(str(detail)))


def _error(request: Request, error: errors.ConveyorError) -> Response:
    """A page's error as a page (a sign-in form when the session is gone); the API's, and a
    page script's fetch, as problem+json (its ``detail`` in the reader's language)."""
    if not _wants_page(request):
        fetched = request.url.path.startswith(PREFIX)
        localize = fetched and not isinstance(error, errors.NotAuthenticated)
        detail = said(error, _reader(request)[1]) if localize else None
        return problems.conveyor_error(request, error, detail=detail)
    if isinstance(error, errors.NotAuthenticated):
        # Back to the page after signing in; after a form, to the page it came from.
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = _same_site_referer(request) or f"{PREFIX}/"
        return RedirectResponse(f"{PREFIX}/login?next={_quoted(target)}", status_code=303)
    heading = next(h for cls, h in _HEADINGS if isinstance(error, cls))
    viewer, language = _reader(request)
    return render(
        request,
        "error.html",
        viewer=viewer,
        language=language,
        status=problems.status_of(error)[0],
        title=translate(language, heading),
        heading=heading,
        message=said(error, language),
    )


def _reader(request: Request) -> tuple[Viewer | None, Language]:
    try:
        viewer = get_viewer(request)
    except errors.ConveyorError:
        return None, chosen_language(request)
    return viewer, viewer.language


def _quoted(target: str) -> str:
    return quote(target, safe="/")


def _same_site_referer(request: Request) -> str | None:
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc or not referer.path.startswith(PREFIX):
        return None
    return referer.path + (f"?{referer.query}" if referer.query else "")
