"""Real-browser journeys: Debian's Chromium driven by Playwright against a live server.

Chromium comes from the machine (`apt-get install chromium`), never from a test tool's download.
Without it these tests are skipped and `./brygga test` says so before it starts.
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("BRYGGA_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run beside a
# running loop unless told it is safe, which it is here: the loop only drives the browser.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and page is not None:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", item.nodeid)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # the page may be gone (crashed browser); the failure itself is what matters
            report.sections.append(("artifacts", f"could not save screenshot/HTML: {exc}"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings):
    settings.SITE_URL = live_server.url
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def log_in(page):
    def do(email, password="pw-for-tests-1"):
        page.goto("/accounts/login/")
        page.get_by_label(re.compile("E-?mail", re.I)).fill(email)
        page.get_by_label(re.compile("Password|Lösenord", re.I)).fill(password)
        page.get_by_role("button", name=re.compile("Sign In|Logga in", re.I)).click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return do
