"""A deal's card in a real Chromium: the head opens a deal a rule gave away and reads why,
on a desktop and on a phone, and changes it in its form while the card stays live."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from conveyor.services.bootstrap import create_admin
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.browser.conftest import LiveSite, screenshot, sign_in
from tests.e2e.agency import sales_pipeline
from tests.e2e.conftest import Api
from tests.web.conftest import person

pytestmark = pytest.mark.browser


@pytest.fixture
def given(live_site: LiveSite, clock: FakeClock) -> dict[str, Any]:
    """Designers under Hanna Head: Vera on vacation, Lev busy, Sam free; a rule gives prepaid
    deals to the least loaded; one deal was just prepaid (and went to Sam)."""
    uow = UnitOfWork(live_site.app.state.sessions)
    _, secret = create_admin(uow, name="Anna Admin", email="admin@example.com", now=clock())
    api = Api(TestClient(live_site.app), secret)
    pipeline = sales_pipeline(api)
    stage = pipeline["stage"]
    department = api.ok("POST", "/departments", 201, json={"name": "Designers"})
    members = {"department_ids": [department["id"]]}
    head = person(api, "Hanna Head", "hanna@example.com", role="head", **members)["id"]
    api.ok("PATCH", f"/departments/{department['id']}", json={"head_id": head})
    people = {
        n: api.ok("POST", "/employees", 201, json={"name": n, **members})["id"]
        for n in ("Vera", "Lev", "Sam")
    }
    vacation = {"kind": "vacation", "starts_on": "2026-03-01", "ends_on": "2026-03-10"}
    api.ok("POST", "/absences", 201, json={"employee_id": people["Vera"], **vacation})
    for name, busy in (("Lev", 6), ("Sam", 2)):
        for _ in range(busy):
            body = {"title": "Work", "stage_id": stage["Development started"]}
            api.ok("POST", "/deals", 201, json={**body, "responsible_id": people[name]})
    rule = {
        "name": "Designers take prepaid deals",
        "entity_type": "deal",
        "pipeline_id": pipeline["id"],
        "trigger_stage_id": stage["Prepayment received"],
        "department_ids": [department["id"]],
        "exclude_heads": True,
        "default_capacity_points": 10,
        "in_work_stage_ids": [stage["Development started"]],
        "next_stage_id": stage["Development started"],
    }
    api.ok("POST", "/assignment-rules", 201, json=rule)
    body = {"title": "Shop redesign", "stage_id": stage["Awaiting payment"], "amount": "180000"}
    deal = api.ok("POST", "/deals", 201, json=body)
    api.ok("POST", f"/deals/{deal['id']}/move", json={"stage_id": stage["Prepayment received"]})
    return {"deal": deal["id"], "api": api}


def test_the_head_reads_why_the_deal_went_to_sam(
    live_site: LiveSite, page: Page, given: dict[str, Any]
) -> None:
    sign_in(page, live_site, "hanna@example.com")
    page.goto(live_site.url(f"/ui/items/deal/{given['deal']}"))

    expect(page.locator("h1")).to_have_text("Shop redesign")
    expect(page.locator(".live-dot.on")).to_be_visible()
    page.click("text=Почему этот человек?")
    why = page.locator("#why")
    expect(why).to_be_in_viewport()
    expect(why.locator(".why-headline")).to_contain_text("Правило «Designers take prepaid deals»")
    rows = why.locator("table.candidates tbody tr")
    expect(rows).to_have_count(4)
    chosen = why.locator("tr.chosen")
    expect(chosen).to_have_count(1)
    expect(chosen.locator("th")).to_contain_text("Sam")
    expect(chosen).to_contain_text("Выбран(а)")
    expect(why.locator("tr", has_text="Hanna Head")).to_contain_text("руководитель отдела")
    expect(why.locator("tr", has_text="Vera")).to_contain_text("В отпуске до 10 мар. 2026 г.")
    expect(why.locator("tr", has_text="Lev")).to_contain_text("6 из 10 баллов")
    expect(page.locator("#timeline")).to_contain_text("Правило распределения назначило: Sam")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "item-card")


def test_the_card_reads_on_a_phone(live_site: LiveSite, phone: Page, given: dict[str, Any]) -> None:
    sign_in(phone, live_site, "hanna@example.com")
    phone.goto(live_site.url(f"/ui/items/deal/{given['deal']}?edit=title#edit"))
    expect(phone.locator("#edit-title")).to_be_focused()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the form scrolls sideways: {width}px"
    phone.goto(live_site.url(f"/ui/items/deal/{given['deal']}#why"))

    table = phone.locator("#why .table-wrap")
    expect(table).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways: {width}px"
    expect(phone.locator("#why tr.chosen")).to_contain_text("Sam")
    screenshot(phone, "item-card-phone")


def test_what_the_head_types_survives_a_live_update_and_is_saved(
    live_site: LiveSite, page: Page, given: dict[str, Any]
) -> None:
    deal_id, api = given["deal"], given["api"]
    sign_in(page, live_site, "hanna@example.com")
    page.add_init_script(
        "document.addEventListener('conveyor:refreshed', () => {"
        " window.refreshed = (window.refreshed || 0) + 1; })"
    )
    page.goto(live_site.url(f"/ui/items/deal/{deal_id}"))
    # The stream's first update (sent at once) is in: what follows is news.
    page.wait_for_function("() => window.refreshed > 0")

    page.locator("#edit > summary").click()
    title = page.locator("#edit-title")
    title.fill("Shop redesign, phase 2")
    page.locator("#edit-amount").focus()
    # Someone changes the deal meanwhile: the card holds the update back, and says so.
    api.ok("PATCH", f"/deals/{deal_id}", json={"amount": "200000"})
    expect(page.locator("#edit [data-held]")).to_be_visible(timeout=10_000)
    expect(title).to_have_value("Shop redesign, phase 2")
    page.locator("h1").click()  # the focus leaves the form; its changes are not saved yet
    page.evaluate("() => new Promise((done) => setTimeout(done, 0))")  # the card looked
    expect(page.locator("#edit [data-held]")).to_be_visible()
    expect(page.locator("#facts")).to_contain_text("180 000")
    expect(title).to_have_value("Shop redesign, phase 2")

    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".item-head .notice")).to_have_text("Сохранено.")
    expect(page.locator("h1")).to_have_text("Shop redesign, phase 2")
    expect(page.locator("#facts")).to_contain_text("200 000")
    stored = api.ok("GET", f"/deals/{deal_id}")
    assert (stored["title"], stored["amount"]) == ("Shop redesign, phase 2", "200000.00")

    # With nothing typed, the card follows the next change at once, the form staying open.
    page.locator("#edit > summary").click()
    api.ok("PATCH", f"/deals/{deal_id}", json={"amount": "210000"})
    expect(page.locator("#facts")).to_contain_text("210 000", timeout=10_000)
    expect(page.locator("#edit")).to_have_attribute("open", "")
    page.goto("about:blank")
