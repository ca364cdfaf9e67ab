"""Signing in and out in a real Chromium, on a desktop and on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from conveyor.domain.actors import SYSTEM
from conveyor.domain.tokens import Role
from conveyor.services import logins
from conveyor.services.bootstrap import create_admin
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.browser.conftest import LiveSite, sign_in
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def admin(live_site: LiveSite, clock: FakeClock) -> str:
    uow = UnitOfWork(live_site.app.state.sessions)
    employee, _ = create_admin(uow, name="Anna Admin", email="admin@example.com", now=clock())
    assert employee.id is not None
    logins.set_login(
        uow, employee.id, role=Role.ADMIN, password=PASSWORD, actor=SYSTEM, now=clock()
    )
    return "admin@example.com"


def test_an_admin_signs_in_switches_to_english_and_signs_out(
    page: Page, live_site: LiveSite, admin: str
) -> None:
    page.goto(live_site.url("/ui/password"))
    expect(page.locator("h1")).to_have_text("Вход в Конвейер")
    page.fill("input[name=email]", admin)
    page.fill("input[name=password]", "wrong password")
    page.click("button.primary")
    expect(page.locator(".error")).to_have_text("Неверная эл. почта или пароль")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    expect(page).to_have_url(live_site.url("/ui/password"))
    expect(page.locator(".me")).to_contain_text("Anna Admin")
    page.click("button[value=en]")
    expect(page.locator("h1")).to_have_text("Change password")
    page.click("text=Sign out")
    expect(page.locator("h1")).to_have_text("Sign in to Conveyor")


def test_the_menu_folds_on_a_phone(phone: Page, live_site: LiveSite, admin: str) -> None:
    sign_in(phone, live_site, admin)
    phone.goto(live_site.url("/ui/password"))
    menu = phone.locator("nav.menu")
    expect(menu).to_be_hidden()
    phone.click(".menu-button")
    expect(menu).to_be_visible()
