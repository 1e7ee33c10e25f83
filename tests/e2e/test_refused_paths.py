"""Journey 4: what a person is refused, and that the refusal is explained: no Integrations for a
role without the settings permission (neither in the menu nor by address), another
organization's order is "not found", and a consent denied at Fortnox comes back in plain words."""

import re

import pytest
from playwright.sync_api import expect

from integrations.core.models import FortnoxConnection
from tests.support.browser import check_accessibility, menu_link
from tests.support.warehouse import Build

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("role", ["hr_admin", "manager", "employee", "warehouse"])
def test_a_person_without_the_settings_permission_neither_sees_nor_opens_integrations(tenant, page, log_in, role):
    log_in(getattr(tenant, role).email)
    menu = page.get_by_role("navigation", name="Main menu")
    expect(menu.get_by_role("link", name="Overview")).to_be_visible()
    expect(menu.get_by_role("link", name="Integrations")).to_have_count(0)
    expect(menu.get_by_role("link", name="Fortnox", exact=True)).to_have_count(0)

    response = page.goto("/integrations/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="You do not have permission to open this page")).to_be_visible()
    page.get_by_role("link", name="Back to the overview").click()
    expect(page.get_by_role("heading", name="Alfa AB")).to_be_visible()


def test_another_organizations_order_in_the_address_is_not_found(tenant, other_tenant, page, log_in):
    build = Build(other_tenant.organization)
    theirs = build.order((build.article(), 1))
    log_in(tenant.warehouse.email)

    response = page.goto(f"/warehouse/orders/{theirs.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_text("There is nothing here, or it belongs to another organization.")).to_be_visible()
    expect(page.get_by_text(theirs.customer.name)).to_have_count(0)
    check_accessibility(page)


def test_a_consent_denied_at_fortnox_comes_back_with_what_to_do_and_nothing_is_connected(
        tenant, page, log_in, sandbox, make_company):
    company = make_company()
    log_in(tenant.owner.email)
    menu_link(page, "Integrations").click()
    page.get_by_role("row", name=re.compile("Employees and absences")).get_by_role("link").click()
    page.get_by_role("link", name="Set up").click()
    page.get_by_label("I accept the Terms of Service of the Fortnox integration").check()
    page.get_by_role("button", name="Accept and connect Fortnox").click()
    page.get_by_label("Username").fill(company.user["username"])
    page.get_by_label("Password").fill(company.user["password"])
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Deny").click()

    expect(page.get_by_role("heading", name="Fortnox was not connected")).to_be_visible()
    expect(page.get_by_text("The connection was cancelled in Fortnox, so nothing was connected.")).to_be_visible()
    check_accessibility(page)
    assert not FortnoxConnection.objects.filter(organization=tenant.organization, status="connected").exists()
    page.get_by_role("link", name="Try again").click()
    expect(page.get_by_role("button", name="Accept and connect Fortnox")).to_be_visible()
