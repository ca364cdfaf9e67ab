"""API fixtures: a real app on the test database, driven over HTTP by a test client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conveyor.api.app import create_app
from conveyor.services.bootstrap import create_admin
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock


class Api:
    """A test client that sends one employee's token and checks problem+json on errors."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def as_(self, token: str) -> Api:
        return Api(self.client, token)

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        response = self.client.request(method, url, headers=self.headers, **kwargs)
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json", response.text
            body = response.json()
            assert body["status"] == response.status_code
            assert body["title"] and body["detail"] and body["type"]
        assert response.status_code < 500, response.text
        return response

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        return self.request("POST", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> Any:
        return self.request("PATCH", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> Any:
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Any:
        return self.request("DELETE", url, **kwargs)

    def ok(self, method: str, url: str, status: int = 200, **kwargs: Any) -> Any:
        """Send and expect ``status``; returns the JSON body (None for 204)."""
        response = self.request(method, url, **kwargs)
        assert response.status_code == status, response.text
        return None if status == 204 else response.json()


@pytest.fixture
def app_client(database_url: str, clock: FakeClock) -> Iterator[TestClient]:
    app = create_app(database_url, clock=clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.engine.dispose()


@pytest.fixture
def admin_token(app_client: TestClient, clock: FakeClock) -> str:
    uow = UnitOfWork(app_client.app.state.sessions)  # type: ignore[attr-defined]
    _, secret = create_admin(uow, name="Anna Admin", email="admin@example.com", now=clock())
    return secret


@pytest.fixture
def api(app_client: TestClient, admin_token: str) -> Api:
    """The API as the admin."""
    return Api(app_client, admin_token)
