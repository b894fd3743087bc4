"""Browser tests: Playwright (sync API) driving Debian's chromium against pytest-django's live_server.

Run: DATABASE_URL=postgres://…/<db> .venv/bin/pytest -m browser tests/browser
Screenshots land in <repo>/artifacts/screenshots/.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls of the fixtures are still
# synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PASSWORD = "pw-12345678"

VIEWPORTS = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}


@pytest.fixture
def browser(live):
    """One Chromium per test, started after the database is set up and stopped before it is torn
    down: while Playwright's event loop runs, Django hands this thread a different connection
    object, which would miss the serialized data the next test's rollback restores."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live(live_server):
    """The live server. Mark browser tests `django_db(transaction=True, serialized_rollback=True)`:
    the live server flushes the database after each test, and the serialized rollback restores the
    migrations' data (role groups, thresholds) for the tests that follow."""
    return live_server


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def page(live, browser, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live.url
    page.viewport_name = viewport
    yield page
    context.close()


def login(page, username: str, password: str = PASSWORD):
    """Log in through the login form; lands on the dashboard."""
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{page.base_url}/")


def shot(page, name: str) -> Path:
    """Save a full-page PNG as artifacts/screenshots/<viewport>-<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    prefix = getattr(page, "viewport_name", "page")
    path = SCREENSHOTS / f"{prefix}-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
