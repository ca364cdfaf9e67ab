"""Who is looking at a page: the employee of the session cookie, their role and language.

``ViewerDep`` is what a page takes; without a working session it raises ``SignInNeeded``,
which sends a page to the login form and answers a fetch with 401. ``FormViewerDep`` also
checks the CSRF token of a form or a fetch that changes something.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from conveyor.api.deps import get_now, get_uow
from conveyor.domain.actors import Actor
from conveyor.domain.errors import Forbidden, InvalidValue, NotAuthenticated
from conveyor.domain.languages import DEFAULT_LANGUAGE, Language, negotiate
from conveyor.services import org
from conveyor.services.tokens import authenticate
from conveyor.web import csrf
from conveyor.web.formats import Formats
from conveyor.web.texts import translate

SESSION_COOKIE = "cv_session"
LANGUAGE_COOKIE = "cv_lang"


class SignInNeeded(NotAuthenticated):
    """Sign in to see this page."""


class FormExpired(Forbidden):
    """The form's CSRF token is missing or wrong."""


@dataclass(frozen=True, kw_only=True)
class Viewer:
    actor: Actor
    name: str
    language: Language
    timezone: str
    secret: str

    @property
    def employee_id(self) -> int:
        return self.actor.employee_id

    @property
    def csrf(self) -> str:
        return csrf.for_session(self.secret)

    @property
    def fmt(self) -> Formats:
        return Formats(self.language, self.timezone)

    def _(self, text: str, /, **values: object) -> str:
        return translate(self.language, text, **values)


def chosen_language(request: Request, fallback: Language | None = None) -> Language:
    """The language of the switch (a cookie), else the employee's, else the browser's."""
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in {language.value for language in Language}:
        return Language(cookie)
    if fallback is not None:
        return fallback
    return negotiate(request.headers.get("accept-language")) or DEFAULT_LANGUAGE


def get_viewer(request: Request) -> Viewer:
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        raise SignInNeeded()
    try:
        actor = authenticate(get_uow(request), secret, now=get_now(request))
    except NotAuthenticated as error:
        raise SignInNeeded("Your session has ended; sign in again") from error
    employee, _ = org.get_employee(get_uow(request), actor.employee_id)
    return Viewer(
        actor=actor,
        name=employee.name,
        language=chosen_language(request, employee.language),
        timezone=employee.timezone,
        secret=secret,
    )


async def get_form_viewer(request: Request) -> Viewer:
    """The viewer of a form or a fetch that changes something: signed in, with the CSRF token,
    and no NUL character in any form value (PostgreSQL cannot store one; the API refuses it
    the same way)."""
    viewer = await run_in_threadpool(get_viewer, request)
    sent = request.headers.get(csrf.HEADER)
    if request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        field = form.get(csrf.FIELD)
        if sent is None:
            sent = field if isinstance(field, str) else None
        refuse_nul(form.multi_items())
    if not csrf.matches(viewer.csrf, sent):
        raise FormExpired("The form has expired; send it again")
    return viewer


def refuse_nul(values: Iterable[tuple[str, object]]) -> None:
    for name, value in values:
        if isinstance(value, str) and "\x00" in value:
            raise InvalidValue("A value must not contain the NUL character", field=name)


ViewerDep = Annotated[Viewer, Depends(get_viewer)]
FormViewerDep = Annotated[Viewer, Depends(get_form_viewer)]
