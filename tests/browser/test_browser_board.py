"""The workload board in a real Chromium follows the office live: a paid deal handed out by
the rule shows on the designer's card without a reload."""

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
from tests.web.conftest import PASSWORD
from tests.web.test_web_board import build_studio

pytestmark = pytest.mark.browser


@pytest.fixture
def api(live_site: LiveSite, clock: FakeClock) -> Api:
    """The live site's API as Anna, its admin (who also signs in to the pages)."""
    uow = UnitOfWork(live_site.app.state.sessions)
    employee, secret = create_admin(uow, name="Anna Admin", email="admin@example.com", now=clock())
    assert employee.id is not None
    logins.set_login(
        uow, employee.id, role=Role.ADMIN, password=PASSWORD, actor=SYSTEM, now=clock()
    )
    return Api(TestClient(live_site.app), secret)


# The browser comes last among the fixtures, so that it closes first: its live stream
# ends before the site stops.
def test_a_paid_deal_handed_to_sam_shows_on_his_card_without_a_reload(
    live_site: LiveSite, api: Api, clock: FakeClock, page: Page
) -> None:
    studio = build_studio(api, clock)
    stage, rule_id = studio["stage"], studio["rule"]["id"]
    sign_in(page, live_site, "admin@example.com")
    page.goto(live_site.url(f"/ui/board?rule_id={rule_id}"))
    sam = page.locator('[data-name="Sam"]')
    expect(sam.locator('[data-stat="in-work"]')).to_have_text("3")
    expect(page.locator(".live-dot")).to_have_class("live-dot on")
    page.evaluate("window.boardWasNotReloaded = true")

    deal = api.ok("POST", "/deals", 201, json={"title": "Paid", "stage_id": stage["Invoice"]})
    api.ok("POST", f"/deals/{deal['id']}/move", json={"stage_id": stage["Prepayment received"]})

    expect(sam.locator('[data-stat="in-work"]')).to_have_text("4", timeout=10_000)
    expect(sam.locator(".bar")).to_have_class("bar warn")
    assert page.evaluate("window.boardWasNotReloaded") is True
    screenshot(page, "workload-board")


def test_on_a_phone_the_cards_stack_and_nothing_scrolls_sideways(
    live_site: LiveSite, api: Api, clock: FakeClock, phone: Page
) -> None:
    studio = build_studio(api, clock)
    sign_in(phone, live_site, "admin@example.com")

    phone.goto(live_site.url(f"/ui/board?rule_id={studio['rule']['id']}"))

    expect(phone.locator(".person")).to_have_count(2)
    # Read at one moment: the live stream may swap the cards in at any time.
    lev, sam = phone.evaluate(
        """() => [...document.querySelectorAll(".person")].map(card => {
            const box = card.getBoundingClientRect();
            return {x: box.x, y: box.y, height: box.height, width: box.width};
        })"""
    )
    assert lev["y"] + lev["height"] <= sam["y"]
    assert lev["x"] == sam["x"] and lev["width"] > 300
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "workload-board-phone")
