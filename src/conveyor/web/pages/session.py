"""Signing in and out, the language switch and one's own password."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from conveyor.api.deps import NowDep, UowDep
from conveyor.domain.errors import ConveyorError, NotAuthenticated
from conveyor.domain.languages import Language
from conveyor.domain.logins import SESSION_LENGTH
from conveyor.services import logins
from conveyor.web import csrf
from conveyor.web.templating import render
from conveyor.web.texts import translate
from conveyor.web.viewer import (
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    FormExpired,
    FormViewerDep,
    ViewerDep,
    chosen_language,
    get_viewer,
)

router = APIRouter(prefix="/ui", include_in_schema=False)

HOME = "/ui/work"
YEAR = 365 * 24 * 3600


@router.get("/")
@router.get("")
def home() -> RedirectResponse:
    return RedirectResponse(HOME, status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = HOME) -> Response:
    return _login_page(request, next=next, email="", error=None)


@router.post("/login")
def login(
    request: Request,
    uow: UowDep,
    now: NowDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = HOME,
    token: Annotated[str, Form(alias=csrf.FIELD, max_length=200)] = "",
) -> Response:
    if not csrf.matches(request.cookies.get(csrf.LOGIN_COOKIE), token):
        return _login_page(
            request,
            next=next,
            email=email,
            error="The form has expired; send it again",
            status=403,
        )
    if "\x00" in email or "\x00" in password:
        return _login_page(request, next=next, email="", error=logins.WRONG_CREDENTIALS, status=401)
    try:
        session = logins.sign_in(uow, email=email, password=password, now=now)
    except NotAuthenticated as error:
        return _login_page(request, next=next, email=email, error=error.message, status=401)
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session.secret,
        max_age=int(SESSION_LENGTH.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    response.delete_cookie(csrf.LOGIN_COOKIE, path="/ui")
    return response


@router.post("/logout")
def logout(viewer: FormViewerDep, uow: UowDep, now: NowDep) -> Response:
    logins.sign_out(uow, viewer.secret, now=now)
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/language")
async def language(request: Request) -> Response:
    """Switch the pages' language (a cookie of this browser). Signed in, the form carries the
    session's CSRF token; on the login page, the login form's."""
    form = await request.form()
    to, sent, next_ = (form.get(name) for name in ("to", csrf.FIELD, "next"))
    try:
        expected: str | None = (await run_in_threadpool(get_viewer, request)).csrf
    except ConveyorError:
        expected = request.cookies.get(csrf.LOGIN_COOKIE)
    if not csrf.matches(expected, sent if isinstance(sent, str) else None):
        raise FormExpired("The form has expired; send it again")
    response = RedirectResponse(_local(next_ if isinstance(next_, str) else HOME), 303)
    if to in {language.value for language in Language}:
        response.set_cookie(LANGUAGE_COOKIE, str(to), max_age=YEAR, samesite="lax", path="/")
    return response


@router.get("/password", response_class=HTMLResponse)
def password_form(request: Request, viewer: ViewerDep) -> Response:
    title = viewer._("Change password")
    return render(request, "password.html", viewer=viewer, title=title, error=None, done=False)


@router.post("/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    viewer: FormViewerDep,
    uow: UowDep,
    now: NowDep,
    current_password: Annotated[str, Form(max_length=1000)] = "",
    new_password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    title = viewer._("Change password")
    try:
        logins.change_password(
            uow,
            current=current_password,
            new=new_password,
            actor=viewer.actor,
            now=now,
            keep_session=viewer.secret,
        )
    except ConveyorError as error:
        return render(
            request,
            "password.html",
            viewer=viewer,
            status=422,
            error=error.message,
            error_field=error.field or "",
            title=title,
            done=False,
        )
    return render(request, "password.html", viewer=viewer, done=True, title=title, error=None)


def _login_page(
    request: Request, *, next: str, email: str, error: str | None, status: int = 200
) -> Response:
    # One token for every login tab of this browser: a second tab must not spoil the first.
    token = request.cookies.get(csrf.LOGIN_COOKIE) or csrf.new_login_token()
    language = chosen_language(request)
    response = render(
        request,
        "login.html",
        viewer=None,
        language=language,
        status=status,
        title=translate(language, "Sign in"),
        csrf=token,
        next=_local(next),
        email=email,
        error=error,
    )
    response.set_cookie(
        csrf.LOGIN_COOKIE, token, httponly=True, samesite="strict", path="/ui", max_age=3600
    )
    return response


def _local(target: str) -> str:
    """Only a path of this site: a redirect never leaves it ("//evil", "https://...")."""
    parts = urlsplit(target)
    outside = parts.scheme or parts.netloc or target.startswith("//") or "\\" in target
    if outside or not target.startswith("/"):
        return HOME
    return target
