"""The kanban board in a real Chromium: a deal dragged to "Prepayment received" is assigned to
the least-loaded designer on the board itself, a refused drag puts the card back, and new
deals appear without a reload."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conveyor.domain.actors import SYSTEM
from conveyor.domain.tokens import Role
from conveyor.services import logins
from conveyor.services.bootstrap import create_admin
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.browser.conftest import LiveSite, screenshot, sign_in
from tests.e2e.agency import contract_number, sales_pipeline
from tests.e2e.conftest import Api
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def api(live_site: LiveSite, clock: FakeClock) -> Iterator[Api]:
    """The site's API as Anna Admin, who can also sign in."""
    uow = UnitOfWork(live_site.app.state.sessions)
    employee, secret = create_admin(uow, name="Anna Admin", email="admin@example.com", now=clock())
    assert employee.id is not None
    logins.set_login(
        uow, employee.id, role=Role.ADMIN, password=PASSWORD, actor=SYSTEM, now=clock()
    )
    yield Api(TestClient(live_site.app), secret)


@pytest.fixture
def agency(api: Api) -> dict[str, Any]:
    """The sales pipeline (a contract number required from Invoice on), a Design department
    with Hanna its head and designers Dora (one deal in work) and Dan, and the rule giving
    deals that reach "Prepayment received" to the least-loaded designer, heads excluded."""
    sales = sales_pipeline(api)
    stage = sales["stage"]
    contract_number(api, sales)
    design = api.ok("POST", "/departments", 201, json={"name": "Design"})
    staff = {
        name: api.ok(
            "POST", "/employees", 201, json={"name": name, "department_ids": [design["id"]]}
        )["id"]
        for name in ("Hanna Head", "Dora Designer", "Dan Designer")
    }
    api.ok("PATCH", f"/departments/{design['id']}", json={"head_id": staff["Hanna Head"]})
    api.ok(
        "POST",
        "/assignment-rules",
        201,
        json={
            "name": "Designers take prepaid deals",
            "entity_type": "deal",
            "pipeline_id": sales["id"],
            "trigger_stage_id": stage["Prepayment received"],
            "department_ids": [design["id"]],
            "exclude_heads": True,
            "default_capacity_points": 10,
            "in_work_stage_ids": [stage["Prepayment received"], stage["Development started"]],
            "strategy": "least_loaded",
        },
    )
    signed = {"contract_number": "C-1"}
    for title, where, amount, extra in [
        ("Corporate site", "Conclude contract", "320000", {}),
        ("Mobile app", "Sign contract", "780000", {}),
        ("Brand book", "Invoice", "95000", {"fields": signed}),
        ("Online shop", "Awaiting payment", "450000", {"fields": signed}),
        ("Landing page", "Awaiting payment", "60000", {"fields": signed}),
        ("Portal", "Development started", "1200000", {"fields": signed}),
    ]:
        if title == "Portal":
            extra = {**extra, "responsible_id": staff["Dora Designer"]}
        body = {"title": title, "stage_id": stage[where], "amount": amount, **extra}
        api.ok("POST", "/deals", 201, json=body)
    return {"pipeline": sales, "stage": stage, "staff": staff}


def column(page: Page, stage: str) -> Locator:
    return page.locator(".kanban-column", has=page.locator("h2", has_text=stage))


def card(page: Page, stage: str, title: str) -> Locator:
    return column(page, stage).locator(".kanban-card", has_text=title)


def drag(page: Page, source: Locator, target: Locator) -> None:
    """A real mouse drag; should headless Chromium not turn it into HTML5 drag events (no
    drop reaches the page within two seconds), the same events are dispatched by hand."""
    page.evaluate(
        """() => {
            window.kanbanDrops = 0;
            if (!window.kanbanCounting) {
                document.addEventListener("drop", () => { window.kanbanDrops += 1; }, true);
                window.kanbanCounting = true;
            }
        }"""
    )
    # As a person would, bring both columns into view first: a board scrolled under the
    # pressed mouse is no drag to Chromium.
    target.scroll_into_view_if_needed()
    source.scroll_into_view_if_needed()
    source.drag_to(target)
    try:
        page.wait_for_function("() => window.kanbanDrops > 0", timeout=2_000)
    except PlaywrightTimeout:
        card, column = source.element_handle(), target.element_handle()
        handle = page.evaluate_handle("() => new DataTransfer()")
        card.dispatch_event("dragstart", {"dataTransfer": handle})
        column.dispatch_event("dragover", {"dataTransfer": handle})
        column.dispatch_event("drop", {"dataTransfer": handle})
        card.dispatch_event("dragend", {"dataTransfer": handle})


def test_a_deal_dragged_to_prepayment_received_is_assigned_on_the_board(
    live_site: LiveSite, page: Page, api: Api, agency: dict[str, Any]
) -> None:
    sign_in(page, live_site, "admin@example.com")
    page.goto(live_site.url("/ui/kanban"))
    expect(page.locator("h1")).to_have_text("Sales")
    expect(page.locator("[data-live]")).to_have_class("live-dot on")
    shop = card(page, "Awaiting payment", "Online shop")
    expect(shop).to_contain_text("Anna Admin")
    screenshot(page, "kanban")

    drag(page, shop, column(page, "Prepayment received"))
    moved = card(page, "Prepayment received", "Online shop")
    expect(moved).to_contain_text("Dan Designer")
    expect(card(page, "Awaiting payment", "Online shop")).to_have_count(0)
    expect(column(page, "Prepayment received").locator(".kanban-count")).to_have_text("1")
    expect(column(page, "Awaiting payment").locator(".kanban-count")).to_have_text("1")
    deal_id = int(moved.get_attribute("data-item-id") or 0)
    stored = api.ok("GET", f"/deals/{deal_id}")
    assert stored["responsible_id"] == agency["staff"]["Dan Designer"]

    # Invoice needs a contract number, which "Mobile app" lacks: the card comes back.
    app = card(page, "Sign contract", "Mobile app")
    drag(page, app, column(page, "Invoice"))
    expect(page.locator("#toast")).to_contain_text("Contract number")
    expect(card(page, "Sign contract", "Mobile app")).to_be_visible()
    expect(card(page, "Invoice", "Mobile app")).to_have_count(0)

    # The card offers to fill the number in on the deal's card; there it moves on.
    refusal = card(page, "Sign contract", "Mobile app").locator(".kanban-refusal")
    expect(refusal).to_contain_text("Contract number")
    refusal.get_by_role("link", name="Заполнить в карточке").click()
    expect(page).to_have_url(re.compile(r"/ui/items/deal/\d+\?edit=contract_number#edit$"))
    number = page.locator("#edit-fields-contract_number")
    expect(number).to_be_focused()
    number.fill("C-2")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".item-head .notice")).to_have_text("Сохранено.")
    page.locator("#move-to").select_option(label="Invoice")
    page.get_by_role("button", name="Перенести", exact=True).click()
    expect(page.locator(".item-head .badge")).to_have_text("Invoice")
    page.goto(live_site.url("/ui/kanban"))
    expect(card(page, "Invoice", "Mobile app")).to_be_visible()

    # A deal created elsewhere appears without a reload; and drags still work after the swap.
    body = {"title": "Newsletter", "stage_id": agency["stage"]["Conclude contract"]}
    api.ok("POST", "/deals", 201, json=body)
    expect(card(page, "Conclude contract", "Newsletter")).to_be_visible()
    drag(page, card(page, "Conclude contract", "Newsletter"), column(page, "Sign contract"))
    expect(card(page, "Sign contract", "Newsletter")).to_be_visible()
    page.goto("about:blank")  # ends the live stream before the site stops


def test_on_a_phone_a_card_moves_with_its_move_to_list(
    live_site: LiveSite, phone: Page, api: Api, agency: dict[str, Any]
) -> None:
    sign_in(phone, live_site, "admin@example.com")
    phone.goto(live_site.url(f"/ui/kanban/{agency['pipeline']['id']}"))
    landing = card(phone, "Awaiting payment", "Landing page")
    landing.locator("select.kanban-move").select_option(label="Prepayment received")
    expect(card(phone, "Prepayment received", "Landing page")).to_contain_text("Dan Designer")
    screenshot(phone, "kanban-phone")
    phone.goto("about:blank")


def test_a_designer_opens_the_board_scrolled_to_her_only_deal(
    api: Api, agency: dict[str, Any], live_site: LiveSite, page: Page
) -> None:
    dora = agency["staff"]["Dora Designer"]
    api.ok("PATCH", f"/employees/{dora}", json={"email": "dora@example.com"})
    api.ok("PUT", f"/employees/{dora}/login", json={"role": "employee", "password": PASSWORD})
    sign_in(page, live_site, "dora@example.com")
    page.goto(live_site.url(f"/ui/kanban/{agency['pipeline']['id']}"))
    portal = card(page, "Development started", "Portal")
    expect(portal).to_be_in_viewport()
    expect(page.locator(".kanban-card")).to_have_count(1)  # only her own deal
