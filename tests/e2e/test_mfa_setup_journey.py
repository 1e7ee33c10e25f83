"""An organization requires MFA for its admins; an admin without an authenticator app logs in and
sets one up while the notification bell keeps polling in the background (the bell's poll once
reloaded the activation page behind the person's back, making a new secret each time, so the
code from the QR code already scanned was always refused)."""

import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from tests.support.browser import check_accessibility, log_in_on, totp_code

pytestmark = [pytest.mark.e2e]


def test_an_admin_sets_up_the_required_authenticator_app_while_the_bell_polls(tenant, page):
    tenant.organization.require_mfa_for_admins = True
    tenant.organization.save(update_fields=["require_mfa_for_admins"])
    page.clock.install()  # the bell polls every 30 s: the test moves the browser's clock on instead of waiting

    log_in_on(page, tenant.owner.email)
    expect(page.get_by_text("Alfa AB requires two-factor authentication for admins")).to_be_visible()
    page.get_by_label("Password").fill("pw-for-tests-1")  # allauth asks for the password again first
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    check_accessibility(page)
    secret = page.locator("#authenticator_secret").input_value()

    for _ in range(2):
        with page.expect_response(re.compile(r"/org/notifications/bell/$")) as poll:
            page.clock.run_for(31_000)
        assert poll.value.status == 403  # refused, not sent to the activation page (which made a new secret)
    expect(page.locator("#notification-bell")).to_be_visible()  # the failed poll swapped nothing
    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_have_count(1)

    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()

    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    assert Authenticator.objects.filter(user=tenant.owner, type=Authenticator.Type.TOTP).exists()
    page.goto("/hr/employees/")
    expect(page).to_have_url(re.compile(r"/hr/employees/$"))
