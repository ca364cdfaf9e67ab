"""The whole site: the API app with the web pages under ``/ui`` and their static files."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from conveyor.api import problems
from conveyor.api.app import create_app
from conveyor.domain import errors
from conveyor.web.pages import ROUTERS
from conveyor.web.templating import render
from conveyor.web.viewer import chosen_language, get_viewer

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

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/", status_code=303)

    return app


def _error(request: Request, error: errors.ConveyorError) -> Response:
    """A page's error as a page (a sign-in form when the session is gone); the API's, and a
    page script's fetch, as problem+json."""
    wants_page = request.url.path.startswith(PREFIX) and "text/html" in request.headers.get(
        "accept", ""
    )
    if not wants_page:
        return problems.conveyor_error(request, error)
    if isinstance(error, errors.NotAuthenticated):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{PREFIX}/login?next={_quoted(target)}", status_code=303)
    status = problems.conveyor_error(request, error).status_code
    heading = next(h for cls, h in _HEADINGS if isinstance(error, cls))
    try:
        viewer = get_viewer(request)
    except errors.ConveyorError:
        viewer = None
    return render(
        request,
        "error.html",
        viewer=viewer,
        language=chosen_language(request),
        status=status,
        title=heading,
        heading=heading,
        message=error.message,
    )


def _quoted(target: str) -> str:
    return quote(target, safe="/")
