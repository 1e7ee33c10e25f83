"""Journey (issue 21): a field changed both in Brygga and in Fortnox waits in the conflicts inbox.
The organization admin hears of it in the bell, opens the inbox on a desktop, keeps Brygga's
phone and takes Fortnox's city; the HR admin, on a phone, takes all of another person's Fortnox
values at once, finding the inbox in the menu with the number waiting; a manager is refused the
inbox."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from hr import actions as hr_actions
from hr.models import Employee
from integrations.core.models import OutboxEvent
from integrations.hr_sync.models import EmployeeConflict
from tests.support.browser import check_accessibility, log_in_on, menu_link, save_screenshot
from tests.support.hr_sync import linked, pull

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def changed_on_both_sides(tenant, fortnox, emp, brygga: dict, in_fortnox: dict):
    hr_actions.do_update_employee(emp, brygga, acting_user=tenant.hr_admin)
    OutboxEvent.objects.all().delete()  # Fortnox is read before the push went out
    fortnox.put(f"/3/employees/{emp.employment_id}", {"Employee": in_fortnox})


def test_admins_resolve_conflicts_per_field_and_per_person_and_a_manager_is_refused(
        activated, fortnox, tenant, page, phone, log_in, with_totp, client_for):
    anna = linked(tenant.organization, fortnox)
    bo = linked(tenant.organization, fortnox, given_name="Bo", email="bo@alfa.test", employment_id="2001", phone="+46702020202")
    changed_on_both_sides(tenant, fortnox, anna, {"phone": "+46702222222", "city": "Uppsala"},
                          {"Phone1": "0703333333", "City": "Malmö"})
    changed_on_both_sides(tenant, fortnox, bo, {"phone": "+46704444444", "city": "Umeå"},
                          {"Phone1": "0705555555", "City": "Luleå"})
    pull(tenant.organization)
    assert EmployeeConflict.objects.open().count() == 4

    log_in(tenant.owner.email, totp_secret=with_totp(tenant.owner))
    page.get_by_role("link", name="1 unread notification").click()
    page.get_by_role("link", name="4 new conflicts with Fortnox").click()
    expect(page.get_by_role("heading", name="Fortnox — Conflicts with Fortnox")).to_be_visible()
    person = page.locator("section", has=page.get_by_role("heading", name="Anna Berg"))
    phone_row = person.get_by_role("row", name="Phone")
    expect(phone_row).to_contain_text("+46 70 222 22 22")
    expect(phone_row).to_contain_text("+46 70 333 33 33")
    check_accessibility(page)
    save_screenshot(page, "conflicts-inbox")

    phone_row.get_by_role("button", name="Keep Brygga's").click()
    expect(page.get_by_text("Brygga's value was kept and is sent to Fortnox.")).to_be_visible()
    page.locator("section", has=page.get_by_role("heading", name="Anna Berg")).get_by_role("row", name="Address") \
        .get_by_role("button", name="Take Fortnox's").click()
    expect(page.get_by_text("Fortnox's value was taken.")).to_be_visible()
    expect(page.get_by_role("heading", name="Anna Berg")).to_have_count(0)
    anna.refresh_from_db()
    assert (anna.phone, anna.city) == ("+46702222222", "Malmö")
    assert OutboxEvent.objects.get().payload == {"fields": ["phone"]}  # Brygga's phone goes to Fortnox

    log_in_on(phone, tenant.hr_admin.email)
    menu_link(phone, "Fortnox conflicts: 2 to resolve").click()  # HR admins cannot open the integration page
    bo_section = phone.locator("section", has=phone.get_by_role("heading", name="Bo Berg"))
    check_accessibility(phone)
    save_screenshot(phone, "conflicts-inbox-phone")
    bo_section.locator("form.submit-row").get_by_role("button", name="Take Fortnox's").click()
    expect(phone.get_by_text("2 conflicts of Bo Berg resolved.")).to_be_visible()
    expect(phone.get_by_text("No conflicts: Brygga and Fortnox agree on everything both hold.")).to_be_visible()
    bo = Employee.objects.get(pk=bo.pk)
    assert (bo.phone, bo.city) == ("+46705555555", "Luleå")

    assert client_for(tenant.manager).get(reverse("hr_conflicts")).status_code in (403, 404)
