"""Browser tests: Playwright (sync API) driving Debian's chromium against pytest-django's live_server.

Run: DATABASE_URL=postgres://…/<db> .venv/bin/pytest -m browser tests/browser
Screenshots land in <repo>/artifacts/screenshots/.
"""

import os
from pathlib import Path

import pytest

from ..page_text import developer_words

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


# ---------------------------------------------------------------------------- page-text scan (#11)
# Every page any test's browser loads in the Chinese UI is read as a person sees it and the test
# fails on developer words (tests/page_text.py says which).
# Text in <code>/<kbd> is shown as code on purpose (a command to type, a hash): left out.
PAGE_TEXT_JS = """() => {
  let text = document.body ? document.body.innerText : "";
  for (const el of document.querySelectorAll("code, kbd, samp")) {
    if (el.innerText) text = text.split(el.innerText).join(" ");
  }
  return {lang: document.documentElement.lang || "", url: location.pathname + location.search, text};
}"""


def scan_page(page, findings: list) -> None:
    """Read the page as shown and add what `developer_words` finds to `findings`."""
    try:
        shown = page.evaluate(PAGE_TEXT_JS)
    except Exception:  # navigated away or closed before it could be read: the next load is scanned
        return
    if not shown["lang"].lower().startswith("zh"):
        return  # the English UI is allowed its English
    for kind, word, line in developer_words(shown["text"]):
        findings.append(f"{shown['url']}: {kind}“{word}” in “{line}”")


def watch(page, findings: list) -> None:
    page.on("load", lambda p: scan_page(p, findings))


class ScannedBrowser:
    """The browser, whose every context's every page is scanned on each load."""

    def __init__(self, browser, findings: list):
        self._browser = browser
        self.findings = findings

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        context.on("page", lambda p: watch(p, self.findings))
        return context

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture
def browser(live):
    """One Chromium per test, started after the database is set up and stopped before it is torn
    down: while Playwright's event loop runs, Django hands this thread a different connection
    object, which would miss the serialized data the next test's rollback restores.

    Every page it loads is scanned for developer words; the test fails on any (see above)."""
    from playwright.sync_api import sync_playwright

    findings: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield ScannedBrowser(browser, findings)
        browser.close()
    if findings:
        unique = list(dict.fromkeys(findings))
        pytest.fail(f"页面上有开发用语（{len(unique)} 处）：\n" + "\n".join(unique), pytrace=False)


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
