"""The rule and robots editors in a real Chromium: an invalid value is refused next to its
field and changes nothing."""

from __future__ import annotations

from typing import Any

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
from tests.e2e.agency import equipment_type, sales_pipeline
from tests.e2e.conftest import Api
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser

WEIGHT = '5 if deal.equipment_type == "special" else 1'


@pytest.fixture
def api(live_site: LiveSite, clock: FakeClock) -> Api:
    """The site's API as Anna, its admin, who also signs in to the pages."""
    uow = UnitOfWork(live_site.app.state.sessions)
    employee, secret = create_admin(uow, name="Anna Admin", email="admin@example.com", now=clock())
    assert employee.id is not None
    logins.set_login(
        uow, employee.id, role=Role.ADMIN, password=PASSWORD, actor=SYSTEM, now=clock()
    )
    return Api(TestClient(live_site.app), secret)


@pytest.fixture
def rule(api: Api) -> dict[str, Any]:
    sales = sales_pipeline(api)
    equipment_type(api)
    design = api.ok("POST", "/departments", 201, json={"name": "Design"})
    for name in ("Dmitry Designer", "Daria Designer"):
        api.ok("POST", "/employees", 201, json={"name": name, "department_ids": [design["id"]]})
    body = {
        "name": "Designers take prepaid deals",
        "entity_type": "deal",
        "pipeline_id": sales["id"],
        "trigger_stage_id": sales["stage"]["Prepayment received"],
        "department_ids": [design["id"]],
        "exclude_heads": True,
        "respect_day_status": True,
        "default_capacity_points": 10,
        "weight": WEIGHT,
        "next_stage_id": sales["stage"]["Development started"],
    }
    found = api.ok("POST", "/assignment-rules", 201, json=body)
    return {**found, "sales": sales}


def test_edit_a_rule_with_an_invalid_value_and_see_the_error(
    page: Page, live_site: LiveSite, api: Api, rule: dict[str, Any]
) -> None:
    sign_in(page, live_site, "admin@example.com")
    page.goto(live_site.url("/ui/rules"))
    page.click("text=Designers take prepaid deals")
    cap = page.locator("#f-default_capacity_points")
    expect(cap).to_have_value("10")
    expect(page.locator("#f-trigger_stage_id")).to_have_value(str(rule["trigger_stage_id"]))
    cap.fill("-3")
    page.click("button.primary")
    expect(cap).to_have_attribute("aria-invalid", "true")
    expect(cap).to_have_value("-3")
    message = page.locator('tr[data-field="default_capacity_points"] .error')
    expect(message).to_contain_text("Должно быть больше 0")
    screenshot(page, "rule-editor")
    page.goto(live_site.url(f"/ui/rules/{rule['id']}"))
    expect(page.locator("#f-default_capacity_points")).to_have_value("10")
    saved = api.ok("GET", f"/assignment-rules/{rule['id']}")
    assert (saved["default_capacity_points"], saved["version"]) == (10, 1)

    # A valid cap is saved.
    page.fill("#f-default_capacity_points", "12,5")
    page.click("button.primary")
    expect(page.locator(".notice")).to_have_text("Правило сохранено")
    expect(page.locator("#f-default_capacity_points")).to_have_value("12.5")
    assert api.ok("GET", f"/assignment-rules/{rule['id']}")["default_capacity_points"] == 12.5


def test_add_and_reorder_robots_with_the_action_inputs_following_the_kind(
    page: Page, live_site: LiveSite, api: Api, rule: dict[str, Any]
) -> None:
    invoice = rule["sales"]["stage"]["Invoice"]
    api.ok(
        "POST",
        "/robots",
        201,
        json={
            "name": "Tell the responsible",
            "stage_id": invoice,
            "action": {"kind": "notify", "to": ["responsible"], "text": "Invoice {deal.title}"},
        },
    )
    sign_in(page, live_site, "admin@example.com")
    page.goto(live_site.url("/ui/robots"))
    page.click(f"a[href='/ui/robots/stage/{invoice}']")
    expect(page.locator("h1")).to_have_text("Роботы этапа «Invoice»")

    page.fill("#f-name", "Move on if unpaid")
    page.select_option("#f-timing-kind", "after")
    expect(page.locator("#f-timing-amount")).to_be_visible()
    page.fill("#f-timing-amount", "2")
    page.select_option("#f-timing-unit", "days")
    page.select_option("#f-action-kind", "change_stage")
    expect(page.locator("#f-action-text")).to_be_hidden()
    page.select_option("#f-action-stage_id", label="Awaiting payment")
    page.fill("#f-condition", "deal.amount >")
    page.click("button.primary")
    condition = page.locator("#f-condition")
    expect(condition).to_have_attribute("aria-invalid", "true")
    expect(page.locator('tr[data-field="condition"] .error')).to_contain_text("line 1")
    assert len(api.ok("GET", "/robots", params={"stage_id": invoice})) == 1

    condition.fill("deal.amount > 1000")
    page.click("button.primary")
    expect(page.locator(".notice")).to_have_text("Робот добавлен")
    robots = page.locator("ol.robots > li")
    expect(robots).to_have_count(2)
    expect(robots.nth(1)).to_contain_text("через 2 дн.")
    robots.nth(1).locator("button[value=up]").click()
    expect(page.locator("ol.robots > li").first).to_contain_text("Move on if unpaid")
    screenshot(page, "robots-editor")
    names = [r["name"] for r in api.ok("GET", "/robots", params={"stage_id": invoice})]
    assert names == ["Move on if unpaid", "Tell the responsible"]
