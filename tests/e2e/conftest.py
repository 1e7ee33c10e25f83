"""Real-browser journeys: Debian's Chromium driven by Playwright against a live server.

Chromium comes from the machine (`apt-get install chromium`), never from a test tool's download.
Without it these tests are skipped and `./brygga test` says so before it starts.
"""

import os
import re
from functools import cache
from pathlib import Path

import pytest

from tests.fortnox_client.conftest import connect, make_company, sandbox  # noqa: F401 (fixtures)
from tests.warehouse_sync.conftest import cluster, connect_wms  # noqa: F401 (fixtures)

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


# Every document reports what its Content-Security-Policy blocked (an inline script or handler,
# a style, a form sent elsewhere) to the console, where the test collects it.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => console.error(
  `CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || "inline"} on ${location.pathname}`));
"""
CSP_VIOLATIONS: dict = {}  # page -> what its CSP blocked


def open_window(browser, live_server, **options):
    """A browser window with its own cookies (so a second person can be logged in beside the first)."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **options)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(15000)
    blocked = CSP_VIOLATIONS[page] = []
    page.on("console", lambda message: message.text.startswith("CSP violation:") and blocked.append(message.text))
    return page


def close_window(page) -> None:
    """Closes the window; fails if anything the pages did was blocked by the Content-Security-Policy."""
    blocked = CSP_VIOLATIONS.pop(page, [])
    page.context.close()
    assert not blocked, "Content-Security-Policy violations:\n" + "\n".join(blocked)


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


def log_in_on(page, email, password="pw-for-tests-1", totp_secret=None):
    """Log in on the login page as a person does (with the authenticator code when MFA is set up)."""
    page.goto("/accounts/login/")
    page.get_by_label(re.compile("E-?mail", re.I)).fill(email)
    page.get_by_label(re.compile("Password|Lösenord", re.I)).fill(password)
    page.get_by_role("button", name=re.compile("Sign In|Logga in", re.I)).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if totp_secret:
        page.get_by_placeholder(re.compile("^(Code|Kod)$")).fill(totp_code(totp_secret))
        page.get_by_role("button", name=re.compile("Sign In|Logga in", re.I)).click()
        page.wait_for_url(lambda url: "/accounts/2fa/" not in url)


def menu_link(page, name):
    """A link of the main menu; an admin's settings pages are under "Settings", opened first."""
    menu = page.get_by_role("navigation", name=re.compile("Main menu|Huvudmeny"))
    link = menu.get_by_role("link", name=name)
    # Links in a closed <details> are not in the accessibility tree, so not found by role.
    if not link.count() and menu.locator(".nav-more summary").count():
        menu.locator(".nav-more summary").click()
    return link


@pytest.fixture
def log_in(page):
    def do(email, password="pw-for-tests-1", totp_secret=None):
        log_in_on(page, email, password, totp_secret)

    return do


# --- What the journeys share: accessibility checks, screenshots, MFA ---------------------------

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# Violations a person actually meets: missing labels, too little contrast, keyboard traps. axe's
# "moderate"/"minor" findings (e.g. landmark nesting inside the Django admin's layout) are left out.
BLOCKING_IMPACTS = ("serious", "critical")


@cache
def _axe_source() -> str:
    assert AXE.exists(), "axe-core is not installed: run `npm ci` (./brygga test does it)"
    return AXE.read_text()


def accessibility_problems(page) -> list[str]:
    """axe-core (pinned in package-lock.json, installed by scripts/test.sh) on the page as it is
    now: its serious or critical violations, readable, plus anything the page's CSP blocked."""
    problems = [f"Content-Security-Policy violation: {v}" for v in CSP_VIOLATIONS.get(page, [])]
    # Evaluated by the browser's debugging protocol, which the page's CSP does not govern (a
    # <script> tag with axe's text would be an inline script, refused like any other).
    page.evaluate(_axe_source())
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return problems + [
        f"axe {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in violations if v["impact"] in BLOCKING_IMPACTS
    ]


def check_accessibility(page) -> None:
    """Fails with a readable list of the page's serious or critical accessibility violations."""
    problems = accessibility_problems(page)
    assert not problems, f"on {page.url}:\n" + "\n".join(f"- {p}" for p in problems)


def save_artifact(page, name: str) -> None:
    """A screenshot to look at after a run (test-artifacts/<name>.png), as the person's window shows it."""
    path = ARTIFACTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)


def save_screenshot(page, name: str) -> None:
    """A README picture (docs/screenshots/<name>.png), rewritten on every run so it stays current."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def totp_code(secret: str) -> str:
    """The code an authenticator app would show now (allauth's own HOTP arithmetic)."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


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
