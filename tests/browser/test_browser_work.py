"""My work in a real Chromium: a head approves a task from a phone."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from conveyor.domain.actors import SYSTEM
from conveyor.domain.tokens import Role
from conveyor.services import logins
from conveyor.services.bootstrap import create_admin
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.browser.conftest import LiveSite, screenshot, sign_in
from tests.e2e.conftest import Api
from tests.web.conftest import PASSWORD, person

pytestmark = pytest.mark.browser


@pytest.fixture
def admin_api(live_site: LiveSite, clock: FakeClock) -> Api:
    """The site's API as its admin (in process, on the same app and database as the page)."""
    uow = UnitOfWork(live_site.app.state.sessions)
    employee, secret = create_admin(uow, name="Anna Admin", email="admin@example.com", now=clock())
    assert employee.id is not None
    logins.set_login(
        uow, employee.id, role=Role.ADMIN, password=PASSWORD, actor=SYSTEM, now=clock()
    )
    # Not entered: the running site already started the app (its lifespan).
    return Api(TestClient(live_site.app, raise_server_exceptions=False), secret)


def _as(api: Api, employee: dict[str, object], role: str) -> Api:
    token = api.ok("POST", "/tokens", 201, json={"employee_id": employee["id"], "role": role})
    return api.as_(token["token"])


def test_a_head_approves_a_task_on_a_phone_sized_viewport(
    phone: Page, live_site: LiveSite, admin_api: Api
) -> None:
    helen = person(admin_api, "Helen Head", "helen@example.com", role="head")
    dan = person(admin_api, "Dan Designer", "dan@example.com")
    as_helen, as_dan = _as(admin_api, helen, "head"), _as(admin_api, dan, "employee")
    task = as_helen.ok(
        "POST",
        "/tasks",
        201,
        json={
            "title": "Shop sign for the bakery",
            "responsible_id": dan["id"],
            "deadline": "2026-03-04T18:00:00+03:00",
            "requires_acceptance": True,
        },
    )
    other = as_helen.ok(
        "POST",
        "/tasks",
        201,
        json={"title": "Menu boards", "responsible_id": dan["id"], "requires_acceptance": True},
    )
    for done in (task, other):
        as_dan.ok("POST", f"/tasks/{done['id']}/actions", json={"action": "complete"})

    sign_in(phone, live_site, "helen@example.com")
    expect(phone).to_have_url(live_site.url("/ui/work"))
    approvals = phone.locator("#approvals")
    card = approvals.locator(f'[data-task="{task["id"]}"]')
    expect(card).to_contain_text("Shop sign for the bakery")
    expect(card).to_contain_text("Dan Designer")
    expect(approvals.locator(".task-card")).to_have_count(2)
    accept = card.get_by_role("button", name="Принять")
    expect(accept).to_be_visible()
    # A thumb-sized button on a phone.
    box = accept.bounding_box()
    assert box is not None and box["height"] >= 44
    screenshot(phone, "my-work-phone")

    accept.tap()
    expect(phone.locator(".notice")).to_have_text("Задача принята")
    expect(card).to_have_count(0)
    expect(approvals.locator(".task-card")).to_have_count(1)
    assert as_helen.ok("GET", f"/tasks/{task['id']}")["status"] == "completed"
    assert as_helen.ok("GET", f"/tasks/{other['id']}")["status"] == "awaiting_control"
