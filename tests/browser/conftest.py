"""Browser fixtures: the site served for real (uvicorn on a free port, in a thread) and Debian's
Chromium driven by Playwright. Nothing is downloaded: the browser is /usr/bin/chromium
(``apt-get install chromium`` in ``.ci/run``)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from conveyor.testing import FakeClock
from conveyor.web.site import create_site
from tests.web.conftest import PASSWORD

CHROMIUM = os.environ.get("CONVEYOR_TEST_CHROMIUM", "/usr/bin/chromium")
#: The flags a headless Chromium needs on a machine without a network or a sandbox.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 390, "height": 844}
DOCS = Path(__file__).resolve().parents[2] / "docs"


class LiveSite:
    """The site on a real port: ``url(path)``; ``app`` for its database."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        # Open event streams end at shutdown instead of holding it (and a database
        # connection) for the browser's sake.
        config = uvicorn.Config(
            app, log_level="warning", lifespan="on", timeout_graceful_shutdown=1
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, args=([self._socket],))

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the site did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self._socket.close()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Chromium is required under CI but missing at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
    yield launched
    launched.close()


@pytest.fixture
def live_site(database_url: str, clock: FakeClock) -> Iterator[LiveSite]:
    site = LiveSite(create_site(database_url, clock=clock))
    site.start()
    yield site
    site.stop()
    site.app.state.engine.dispose()


# A page depends on the site, so it closes (and drops its live streams) before the site stops.
@pytest.fixture
def page(browser: Browser, live_site: LiveSite) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1360, "height": 860}, locale="ru-RU")
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def phone(browser: Browser, live_site: LiveSite) -> Iterator[Page]:
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="ru-RU"
    )
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


def sign_in(page: Page, site: LiveSite, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, as a person would."""
    page.goto(site.url("/ui/login"))
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button.primary")
    page.wait_for_url(lambda url: "/ui/login" not in url)


def screenshot(page: Page, name: str) -> None:
    """Keep a picture of the page for the README (docs/<name>.png) when
    CONVEYOR_SCREENSHOTS is set; the tests never depend on it."""
    if os.environ.get("CONVEYOR_SCREENSHOTS"):
        page.screenshot(path=str(DOCS / f"{name}.png"), full_page=False)
