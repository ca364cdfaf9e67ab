"""The pages' Jinja2 environment and the one way a page is rendered."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from conveyor import __version__
from conveyor.domain.languages import Language
from conveyor.web import robot_words
from conveyor.web.formats import Formats
from conveyor.web.texts import translate
from conveyor.web.viewer import Viewer

environment = Environment(
    loader=PackageLoader("conveyor.web", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.globals["robot_words"] = robot_words


def render(
    request: Request,
    template: str,
    *,
    viewer: Viewer | None,
    language: Language | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """``template`` for ``viewer`` (``None`` on the login page, then in ``language``).

    Every template gets ``_`` (translate), ``fmt`` (numbers, money, moments in the reader's
    locale and timezone), ``viewer``, ``lang``, ``csrf`` and ``path``."""
    html = fragment(template, viewer=viewer, language=language, request=request, **context)
    return HTMLResponse(html, status_code=status, headers=headers)


def fragment(
    template: str,
    *,
    viewer: Viewer | None,
    language: Language | None = None,
    request: Request | None = None,
    **context: Any,
) -> str:
    """The HTML of ``template`` alone: a page, or a part sent over a live stream."""
    lang = viewer.language if viewer is not None else (language or Language.RU)
    values: dict[str, Any] = {
        "_": partial(translate, lang),
        "fmt": viewer.fmt if viewer is not None else Formats(lang, "Europe/Moscow"),
        "viewer": viewer,
        "lang": lang.value,
        "csrf": viewer.csrf if viewer is not None else context.pop("csrf", ""),
        "path": request.url.path if request is not None else "",
        "version": __version__,
    }
    values.update(context)
    return environment.get_template(template).render(values)
