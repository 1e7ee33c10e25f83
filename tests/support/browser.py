"""What the browser journeys share: windows that report Content-Security-Policy violations,
logging in as a person does, axe-core accessibility checks, screenshots, authenticator codes."""

import os
import re
from functools import cache
from pathlib import Path

CHROMIUM = os.environ.get("BRYGGA_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"

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
