"""Journey: a change Fortnox refuses for good (issue 15, "People are told"). An HR admin changes a
person's phone; the Fortnox employee Brygga is linked to was deleted there, so Fortnox answers
"not found" and the push fails for good. The HR admin (who made the change, on a desktop) and the
organization admin (on a phone) are each told in the bell; the error-log entry names the person;
the admin has the employee put back in Fortnox, presses Retry, and the entry closes itself."""

from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from integrations.core.models import IntegrationError
from organizations.models import Notification
from tests.support.browser import check_accessibility, log_in_on, save_screenshot
from tests.support.hr_sync import create_fortnox_employee, employee, link_to_fortnox
from tests.support.processes import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

GONE = "The record no longer exists in Fortnox"


def test_a_push_fortnox_refuses_for_good_is_told_named_and_closed_by_a_successful_retry(
        activated, fortnox, tenant, page, phone, log_in, cluster):
    anna = employee(tenant.organization, employment_start=date(2024, 1, 15))
    link_to_fortnox(anna, "9999")  # deleted in Fortnox since

    log_in(tenant.hr_admin.email)
    page.goto(reverse("hr:employee_edit", args=[anna.pk]))
    page.get_by_label("Phone").fill("070-123 45 67")
    page.get_by_role("button", name="Save").click()
    wait_for(lambda: Notification.objects.filter(user=tenant.hr_admin).exists())

    page.reload()
    page.get_by_role("link", name="1 unread notification").click()
    notice = page.locator("tr", has_text="Fortnox did not get a change: Anna Berg")
    expect(notice).to_contain_text(GONE)
    check_accessibility(page)
    save_screenshot(page, "push-failed-notice")
    notice.get_by_role("link", name="Fortnox did not get a change: Anna Berg").click()
    entry = page.locator("tr", has_text=GONE)
    expect(entry.locator("td").nth(1)).to_have_text("Anna Berg")  # "About" names the person
    expect(entry.get_by_role("button", name="Retry")).to_be_visible()  # HR admins handle employees' failures
    check_accessibility(page)
    save_screenshot(page, "push-failed-error-log")

    log_in_on(phone, tenant.owner.email)
    phone.get_by_role("link", name="1 unread notification").click()
    phone.get_by_role("link", name="Fortnox did not get a change: Anna Berg").click()
    entry = phone.locator("tr", has_text=GONE)
    expect(entry.locator("td").nth(1)).to_have_text("Anna Berg")
    check_accessibility(phone)
    save_screenshot(phone, "push-failed-error-log-phone")

    create_fortnox_employee(fortnox, EmployeeId="9999", Email="anna@alfa.test")  # the cause, fixed in Fortnox
    entry.get_by_role("button", name="Retry").click()
    expect(phone.get_by_text("Brygga is trying again.")).to_be_visible()
    wait_for(lambda: IntegrationError.objects.get().status == IntegrationError.Status.RESOLVED)
    assert fortnox.get("/3/employees/9999")["Phone1"] == "+46701234567"
    phone.reload()
    expect(phone.locator("tr", has_text="Anna Berg")).to_have_count(0)
    phone.get_by_role("link", name="Resolved by a later push").click()
    expect(phone.locator("tr", has_text="Anna Berg")).to_contain_text("Resolved by a later push")
    save_screenshot(phone, "push-failed-resolved-phone")
