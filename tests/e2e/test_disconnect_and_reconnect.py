"""An organization admin disconnects Fortnox (after confirming), an HR admin changes a phone number
meanwhile, and the admin connects again through Fortnox's consent page: the change that waited is
sent, and Fortnox ends up with the new number. (It used to fail for good, unsent after re-connecting.)"""

import re

import pytest
from playwright.sync_api import expect

from hr.models import Employee
from integrations.core.models import FortnoxConnection, OutboxEvent
from integrations.fortnox.client import FortnoxClient
from integrations.hr_sync.models import HrIntegrationSettings
from tests.support.browser import check_accessibility, log_in_on, save_artifact
from tests.support.hr_sync import create_fortnox_employee, employee, link_to_fortnox
from tests.support.processes import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_an_edit_made_while_fortnox_is_disconnected_is_sent_after_re_connecting(
        tenant, page, second_page, phone, sandbox, make_company, connect, cluster):
    fortnox_company = make_company()
    connection = connect(tenant, fortnox_company)
    HrIntegrationSettings.objects.update_or_create(organization=tenant.organization, defaults={
        "terms_accepted_at": connection.connected_at, "settings_saved_at": connection.connected_at,
        "activated_at": connection.connected_at,
    })
    with FortnoxClient(connection) as fortnox:
        create_fortnox_employee(fortnox, EmployeeId="1001", FirstName="Anna", LastName="Berg", Email="anna@alfa.test")
    anna = employee(tenant.organization)
    link_to_fortnox(anna, "1001")

    log_in_on(page, tenant.owner.email)
    page.goto("/integrations/fortnox/")
    page.get_by_role("button", name="Disconnect").click()
    expect(page.get_by_text("Disconnect Fortnox (Sandlådan AB) from Alfa AB?")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Disconnect").click()
    expect(page.get_by_text("Fortnox is disconnected and Brygga's access was revoked.")).to_be_visible()
    expect(page.get_by_role("button", name="Connect Fortnox")).to_be_visible()

    log_in_on(second_page, tenant.hr_admin.email)
    second_page.goto(f"/hr/employees/{anna.pk}/edit/")
    second_page.get_by_label("Phone").fill("070-555 66 77")
    second_page.get_by_role("button", name="Save").click()
    expect(second_page.get_by_text("The changes to Anna Berg were saved.")).to_be_visible()
    # Told at once that the change waits (it used to say only "saved" and fail for good).
    expect(second_page.get_by_text(
        "Fortnox is not connected right now: this change is kept and sent to Fortnox when an organization admin "
        "connects it again.")).to_be_visible()
    check_accessibility(second_page)
    save_artifact(second_page, "edges-saved-while-disconnected-1280-en")
    wait_for(lambda: OutboxEvent.objects.filter(status=OutboxEvent.Status.FAILED).exists())

    # The same HR admin on a phone, having chosen Swedish: the same notice, in her language.
    tenant.hr_admin.language = "sv"
    tenant.hr_admin.save(update_fields=["language"])
    log_in_on(phone, tenant.hr_admin.email)
    phone.goto(f"/hr/employees/{anna.pk}/edit/")
    phone.get_by_label("Telefon").fill("070-111 22 33")
    phone.get_by_role("button", name="Spara").click()
    expect(phone.get_by_text("Fortnox är inte anslutet just nu: ändringen sparas och skickas till Fortnox")).to_be_visible()
    check_accessibility(phone)
    save_artifact(phone, "edges-saved-while-disconnected-390-sv")

    page.get_by_role("button", name="Connect Fortnox").click()
    page.get_by_label("Username").fill(fortnox_company.user["username"])
    page.get_by_label("Password").fill(fortnox_company.user["password"])
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Approve").click()

    expect(page.get_by_text("Fortnox is connected to Sandlådan AB.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"made while Fortnox was not connected (is|are) being sent now"))).to_be_visible()
    wait_for(lambda: not OutboxEvent.objects.exclude(status=OutboxEvent.Status.DONE).exists())
    with FortnoxClient(FortnoxConnection.objects.get(organization=tenant.organization)) as fortnox:
        assert fortnox.get("/3/employees/1001")["Phone1"] == "+46701112233"  # the later of the two waiting changes
    assert Employee.objects.get(pk=anna.pk).phone == "+46701112233"
