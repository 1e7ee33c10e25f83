"""A second organization tries to connect a Fortnox company another organization already has: it is
refused with the holder's name (issue 24). A superuser moves the company deliberately, after
ticking a confirmation, on a phone in Swedish; the holder is disconnected."""

import re

import pytest
from playwright.sync_api import expect

from integrations.core.models import FortnoxConnection
from organizations.models import Membership, User
from organizations.permissions import Role
from tests.support.browser import check_accessibility, log_in_on, save_artifact

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def consent(window, company):
    """Fortnox's consent page: log in when it asks, then approve."""
    username = window.get_by_label("Username")
    approve = window.get_by_role("button", name="Approve")
    expect(username.or_(approve)).to_be_visible()
    if username.is_visible():
        username.fill(company.user["username"])
        window.get_by_label("Password").fill(company.user["password"])
        window.get_by_role("button", name="Log in").click()
    approve.click()


def test_a_company_another_organization_has_is_refused_by_name_and_moved_only_by_a_confirming_superuser(
        tenant, other_tenant, page, phone, sandbox, make_company, connect):
    company = make_company()
    connect(tenant, company)

    log_in_on(page, other_tenant.owner.email)
    page.goto("/integrations/fortnox/")
    page.get_by_role("button", name="Connect Fortnox").click()
    consent(page, company)
    expect(page.get_by_text("is already connected to the organization Alfa AB in Brygga")).to_be_visible()
    expect(page.get_by_text("Move the Fortnox company here")).to_have_count(0)
    check_accessibility(page)
    save_artifact(page, "edges-company-taken-1280-en")

    root = User.objects.create_superuser(email="root@brygga.test", password="pw-for-tests-1", language="sv")
    Membership.objects.create(user=root, organization=other_tenant.organization, role=Role.ORG_ADMIN)
    log_in_on(phone, root.email)
    phone.goto("/integrations/fortnox/")
    phone.get_by_role("button", name="Anslut Fortnox").click()
    consent(phone, company)
    expect(phone.get_by_text("är redan anslutet till organisationen Alfa AB i Brygga")).to_be_visible()
    check_accessibility(phone)
    save_artifact(phone, "edges-company-taken-superuser-390-sv")
    phone.get_by_label(re.compile("Ja, flytta Sandlådan AB från Alfa AB")).check()
    phone.get_by_role("button", name="Flytta företaget och anslut").click()
    consent(phone, company)

    expect(phone.get_by_text("Fortnox är anslutet till Sandlådan AB.")).to_be_visible()
    assert FortnoxConnection.objects.get(organization=other_tenant.organization).is_connected
    assert FortnoxConnection.objects.get(organization=tenant.organization).status == FortnoxConnection.Status.DISCONNECTED
