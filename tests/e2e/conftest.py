"""Real-browser journeys: Debian's Chromium driven by Playwright against a live server.

Chromium comes from the machine (`apt-get install chromium`), never from a test tool's download.
Without it these tests are skipped and `./brygga test` says so before it starts.
"""

import os
import re
from pathlib import Path

import pytest

from tests.support.browser import ARTIFACTS, CHROMIUM, close_window, log_in_on, open_window

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
    if report.when != "call" or not report.failed:
        return
    from playwright.sync_api import Page

    # Every browser window the test used (an admin's and a phone's), each under the fixture's name.
    pages = {name: value for name, value in getattr(item, "funcargs", {}).items() if isinstance(value, Page)}
    for fixture_name, page in pages.items():
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", item.nodeid) + ("" if fixture_name == "page" else f"-{fixture_name}")
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # the page may be gone (crashed browser); the failure itself is what matters
            report.sections.append(("artifacts", f"could not save screenshot/HTML of {fixture_name}: {exc}"))


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
    page = open_window(browser, live_server)
    yield page
    close_window(page)


@pytest.fixture
def second_page(browser, live_server, page):
    """Another person's window beside `page`."""
    second = open_window(browser, live_server)
    yield second
    close_window(second)


@pytest.fixture
def phone(browser, live_server, page):
    """A phone-sized window (warehouse staff work on a handheld)."""
    phone = open_window(browser, live_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    yield phone
    close_window(phone)


@pytest.fixture
def log_in(page):
    def do(email, password="pw-for-tests-1", totp_secret=None):
        log_in_on(page, email, password, totp_secret)

    return do


@pytest.fixture(autouse=True)
def generous_rate_limit(settings):
    """The journeys, not Fortnox's rate limit, are under test here (the benchmarks measure that)."""
    settings.FORTNOX_RATE_LIMIT_REQUESTS = 100_000


@pytest.fixture
def with_totp():
    """with_totp(user) → the secret of the authenticator app just set up for the user."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    def activate(user) -> str:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        return secret

    return activate
