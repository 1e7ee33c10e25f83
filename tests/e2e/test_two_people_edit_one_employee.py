"""Two HR people have the same employee open: one changes the phone, the other the street. The
second save once said "saved" and silently put the old phone back; now it is refused with both
versions shown, the street just typed stays in the form beside the new phone, and saving again
keeps both."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import check_accessibility, log_in_on
from tests.support.hr_sync import employee

pytestmark = pytest.mark.e2e


def test_two_people_edit_one_employee_and_neither_change_is_lost(tenant, page, second_page):
    anna = employee(tenant.organization, phone="+46701234567", street="Storgatan 1")
    log_in_on(page, tenant.owner.email)
    log_in_on(second_page, tenant.hr_admin.email)
    for window in (page, second_page):
        window.goto(f"/hr/employees/{anna.pk}/edit/")

    page.get_by_label("Phone").fill("070-999 88 77")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The changes to Anna Berg were saved.")).to_be_visible()

    second_page.get_by_label("Street address").fill("Lillgatan 2")
    second_page.get_by_role("button", name="Save").click()

    expect(second_page.get_by_text("nothing was saved")).to_be_visible()
    conflicts = second_page.get_by_role("table", name="Changed while you were editing")
    expect(conflicts.get_by_role("row", name="Phone")).to_contain_text("+46709998877")
    expect(conflicts.get_by_role("row", name="Phone")).to_contain_text("+46701234567")
    expect(second_page.get_by_label("Street address")).to_have_value("Lillgatan 2")
    expect(second_page.get_by_label("Phone")).to_have_value("+46709998877")
    check_accessibility(second_page)
    anna.refresh_from_db()
    assert (anna.phone, anna.street) == ("+46709998877", "Storgatan 1")

    second_page.get_by_role("button", name="Save").click()
    expect(second_page.get_by_text("The changes to Anna Berg were saved.")).to_be_visible()
    anna.refresh_from_db()
    assert (anna.phone, anna.street) == ("+46709998877", "Lillgatan 2")
