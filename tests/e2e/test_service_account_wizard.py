"""The service-account wizard (issue 20), through the pages only: the set-up step says who must
approve; a Fortnox user who is not the company's system administrator is refused on Fortnox's
page and, back in Brygga, told what to do; the system administrator approves and the connection
page says it is a service account (also phone-sized, in Swedish)."""

import re

import pytest
from playwright.sync_api import expect

from integrations.core.models import FortnoxConnection
from tests.support.browser import check_accessibility, save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_an_admin_connects_as_a_service_account_after_a_user_who_is_not_system_administrator_was_refused(
        tenant, page, log_in, with_totp, sandbox, make_company, settings):
    settings.FORTNOX_SERVICE_ACCOUNTS = True
    company = make_company(name="Sandlådan AB")
    clerk = sandbox.create_user(company.data, username="clerk")
    sandbox.update_user(company.data, "clerk", is_system_admin=False)

    log_in(tenant.owner.email, totp_secret=with_totp(tenant.owner))
    page.goto("/integrations/fortnox/hr/setup/")
    expect(page.get_by_text("Who must approve:")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Only a system administrator of the Fortnox company")
    check_accessibility(page)
    save_screenshot(page, "service-account-wizard-set-up")
    page.get_by_label("I accept the Terms of Service of the Fortnox integration").check()
    page.get_by_role("button", name="Accept and connect Fortnox").click()

    # Fortnox's page: a clerk tries, and Fortnox refuses a service account to anyone but its system administrator.
    page.get_by_label("Username").fill(clerk["username"])
    page.get_by_label("Password").fill(clerk["password"])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("The app will act as a service account, not as you.")).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text(re.compile("Only a system administrator of Sandlådan AB can approve"))).to_be_visible()
    page.get_by_role("button", name="Deny").click()
    expect(page.get_by_text(re.compile("only a system administrator of the Fortnox company"))).to_be_visible()
    check_accessibility(page)
    save_screenshot(page, "service-account-wizard-refused")
    assert not FortnoxConnection.objects.filter(status=FortnoxConnection.Status.CONNECTED).exists()

    page.get_by_role("link", name="Try again").click()
    page.get_by_label("I accept the Terms of Service of the Fortnox integration").check()
    page.get_by_role("button", name="Accept and connect Fortnox").click()
    page.get_by_role("button", name="Not you?").click()
    page.get_by_label("Username").fill(company.user["username"])
    page.get_by_label("Password").fill(company.user["password"])
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Fortnox is connected to Sandlådan AB.")).to_be_visible()

    connection = FortnoxConnection.objects.get()
    assert connection.service_account and connection.refresh_token == ""
    page.goto("/integrations/fortnox/")
    expect(page.get_by_role("row", name=re.compile("Kind of connection"))).to_contain_text("Service account")
    expect(page.get_by_role("main")).to_contain_text("does not expire when it is left unused")
    check_accessibility(page)
    save_screenshot(page, "service-account-connection")

    # The same admin on a phone-sized window, having chosen Swedish.
    tenant.owner.language = "sv"
    tenant.owner.save(update_fields=["language"])
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_role("row", name=re.compile("Typ av anslutning"))).to_contain_text("Tjänstekonto")
    check_accessibility(page)
    save_screenshot(page, "service-account-connection-390-sv")
