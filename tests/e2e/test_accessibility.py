"""Keyboard use: a visible focus ring and a working "Skip to main content". axe-core's serious and
critical violations are checked on every page by the page walker (test_every_page.py) and on the
way by the journeys."""


import pytest

pytestmark = pytest.mark.e2e


def test_keyboard_focus_is_visible(tenant, page, log_in):
    log_in(tenant.owner.email)
    page.keyboard.press("Tab")  # the first stop is "Skip to main content"
    focused = page.evaluate("() => { const s = getComputedStyle(document.activeElement); "
                            "return [document.activeElement.textContent.trim(), s.outlineStyle, parseFloat(s.outlineWidth)] }")
    assert focused[0] == "Skip to main content" and focused[1] != "none" and focused[2] >= 2
    page.keyboard.press("Enter")
    assert page.url.endswith("#content")
