"""An employee registers two hours of care of a sick child on a phone (the "Part of a day" choice
reveals the hours field), their manager approves it at a desk, and Fortnox gets one absence
transaction of 2 hours under VAB; the employee then sees "2 h in Fortnox"."""

import pytest
from playwright.sync_api import expect

from tests.support.absences import MONDAY
from tests.support.browser import check_accessibility, log_in_on, menu_link, save_artifact
from tests.support.processes import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_an_employee_registers_two_hours_of_vab_on_a_phone_and_the_manager_approves_it(
        world, page, phone, log_in, cluster):
    care = world.types["care_of_child"]
    care.needs_approval = True  # this organization has its managers approve care of child too
    care.save(update_fields=["needs_approval"])

    log_in_on(phone, world.tenant.employee.email)
    menu_link(phone, "My absence").click()
    phone.get_by_label("Type").select_option(label="Care of child")
    hours = phone.locator("#id_hours")
    expect(hours).to_be_hidden()  # whole days until the person says otherwise
    phone.get_by_text("Part of a day (hours)").click()
    expect(hours).to_be_visible()
    expect(phone.get_by_label("Last day")).to_be_hidden()
    phone.get_by_label("First day").fill(MONDAY.isoformat())
    hours.fill("25")
    phone.get_by_role("button", name="Send").click()
    expect(phone.get_by_text("A day has 24 hours: 25 hours cannot be part of one day.")).to_be_visible()
    expect(phone.locator("#id_hours")).to_have_value("25")  # kept, shown with its message
    phone.locator("#id_hours").fill("2")
    phone.get_by_label("Note").fill("Feber, hämtade på förskolan")
    check_accessibility(phone)
    save_artifact(phone, "part-day-absence-phone")
    phone.get_by_role("button", name="Send").click()
    expect(phone.get_by_text("was saved")).to_be_visible()
    row = phone.locator("tr", has_text="Feber")
    expect(row).to_contain_text("2 h")
    expect(row).to_contain_text("Requested")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    log_in(world.tenant.manager.email)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Absence requests").click()
    request = page.locator("tr", has_text="Feber")
    expect(request).to_contain_text("2 h")
    check_accessibility(page)
    request.get_by_role("button", name="Approve").click()
    expect(page.locator("tr", has_text="Feber")).to_have_count(0)

    wait_for(lambda: world.transactions() == [(MONDAY.isoformat(), "VAB", 25.0, 2.0)], what="2 h of VAB in Fortnox")
    phone.reload()
    expect(phone.locator("tr", has_text="Feber")).to_contain_text("2 h in Fortnox")
