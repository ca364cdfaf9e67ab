"""Web fixtures: the whole site (API and pages) on the test database, read as a browser
would without running one: cookies kept, pages asked for as HTML, forms sent with their
CSRF token. ``tests/browser`` drives a real Chromium."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient

from conveyor.domain.actors import SYSTEM
from conveyor.domain.tokens import Role
from conveyor.services import logins
from conveyor.services.bootstrap import create_admin
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from conveyor.web.site import create_site
from tests.e2e.conftest import Api

T = TypeVar("T")
PASSWORD = "correct horse battery"
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]*)">')
_FORM_CSRF = re.compile(r'name="csrf" value="([^"]*)"')


class Reader:
    """One browser's session on the site: ``sign_in``, ``page``, ``form``, ``send``."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.csrf = ""

    def page(self, url: str, status: int = 200) -> str:
        response = self.client.get(url, headers={"Accept": "text/html"}, follow_redirects=True)
        assert response.status_code == status, response.text[:2000]
        assert response.headers["content-type"].startswith("text/html")
        found = _CSRF.search(response.text)
        self.csrf = found.group(1) if found else self.csrf
        return response.text

    def form(self, url: str, data: dict[str, Any], *, csrf: str | None = None) -> Any:
        """Post a form as the page would (with the page's CSRF token); no redirect followed."""
        body = {"csrf": self.csrf if csrf is None else csrf, **data}
        return self.client.post(
            url, data=body, headers={"Accept": "text/html"}, follow_redirects=False
        )

    def send(self, method: str, url: str, json: Any = None, *, csrf: str | None = None) -> Any:
        """A page script's fetch: JSON with the CSRF header."""
        headers = {
            "Accept": "application/json",
            "X-CSRF-Token": self.csrf if csrf is None else csrf,
        }
        return self.client.request(method, url, json=json, headers=headers)

    def sign_in(self, email: str, password: str = PASSWORD) -> Any:
        login = self.page("/ui/login")
        token = _FORM_CSRF.search(login)
        assert token is not None
        response = self.form(
            "/ui/login", {"email": email, "password": password}, csrf=token.group(1)
        )
        if response.status_code == 303:
            assert "cv_session" in self.client.cookies
            self.page("/ui/password")
        return response


@pytest.fixture
def site_client(database_url: str, clock: FakeClock) -> Iterator[TestClient]:
    app = create_site(database_url, clock=clock)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        yield client
    app.state.engine.dispose()


@pytest.fixture
def site_uow(site_client: TestClient) -> UnitOfWork:
    return UnitOfWork(site_client.app.state.sessions)  # type: ignore[attr-defined]


@pytest.fixture
def site_api(site_client: TestClient, site_uow: UnitOfWork, clock: FakeClock) -> Api:
    """The API of the site, as its admin (Anna Admin, admin@example.com, with a login)."""
    employee, secret = create_admin(
        site_uow, name="Anna Admin", email="admin@example.com", now=clock()
    )
    assert employee.id is not None
    logins.set_login(
        site_uow, employee.id, role=Role.ADMIN, password=PASSWORD, actor=SYSTEM, now=clock()
    )
    return Api(site_client, secret)


@pytest.fixture
def reader(site_client: TestClient) -> Reader:
    return Reader(site_client)


def person(
    api: Api, name: str, email: str, *, role: str = "employee", **fields: Any
) -> dict[str, Any]:
    """A new employee who can sign in with ``PASSWORD`` in ``role``."""
    employee: dict[str, Any] = api.ok(
        "POST", "/employees", 201, json={"name": name, "email": email, **fields}
    )
    api.ok("PUT", f"/employees/{employee['id']}/login", json={"role": role, "password": PASSWORD})
    return employee


@pytest.fixture
def new_reader(site_client: TestClient) -> Any:
    """Another browser on the same site (cookies of its own): ``new_reader()``."""
    return lambda: Reader(
        TestClient(site_client.app, raise_server_exceptions=False, follow_redirects=False)
    )


def run_apart(coroutine: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``asyncio.run`` of the coroutine ``coroutine()`` makes, in a thread of its own: the
    browser tests' Playwright keeps an event loop running in the main thread."""
    with ThreadPoolExecutor(max_workers=1) as apart:
        return apart.submit(lambda: asyncio.run(coroutine())).result()
