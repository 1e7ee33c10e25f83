"""Journey 2: a manager approves two absences on the requests page; the sandbox gets one absence
transaction per working day of the first, while Fortnox refuses the second (its salary period is
locked). The organization admin is told, finds the refusal in the integration error log with
Fortnox's own words, has the period unlocked in Fortnox and presses Retry; then Fortnox holds
the second absence too."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from hr import actions as hr_actions
from organizations.models import Notification
from tests.support.browser import check_accessibility, log_in_on, menu_link, save_screenshot
from tests.support.processes import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

OPEN_WEEK, LOCKED_WEEK = date(2026, 3, 2), date(2026, 2, 2)  # both Mondays


def request_vacation(world, monday, note):
    return hr_actions.do_request_absence(world.anna, {
        "absence_type": world.types["vacation"], "start_date": monday, "end_date": monday + timedelta(days=4),
        "grade": 100, "note": note}, acting_user=world.tenant.employee)


def days(monday):
    return [((monday + timedelta(days=n)).isoformat(), "SEM", 100.0, 8.0) for n in range(5)]


def test_a_manager_approves_absences_fortnox_gets_them_and_the_admin_retries_the_refused_one(
        world, page, second_page, log_in, cluster):
    tenant = world.tenant
    world.sandbox.update_company(world.company.data, locked_salary_until=(LOCKED_WEEK + timedelta(days=20)).isoformat())
    request_vacation(world, OPEN_WEEK, "Sportlov")
    request_vacation(world, LOCKED_WEEK, "Februari")

    log_in(tenant.manager.email)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Absence requests").click()
    check_accessibility(page)
    for note in ("Sportlov", "Februari"):
        page.locator("tr", has_text=note).get_by_role("button", name="Approve").click()
        expect(page.locator("tr", has_text=note)).to_have_count(0)

    wait_for(lambda: world.transactions() == days(OPEN_WEEK))
    wait_for(lambda: Notification.objects.filter(user=tenant.owner).exists())
    # Each recipient's notice is its own write: the manager's may land a moment after the admin's.
    wait_for(lambda: Notification.objects.filter(user=tenant.manager).count() == 3)
    page.reload()
    # The manager was told of the two requests, and now of the refusal too.
    expect(page.get_by_role("link", name="3 unread notifications")).to_be_visible()

    admin = second_page
    log_in_on(admin, tenant.owner.email)
    expect(admin.get_by_role("link", name="1 unread notification")).to_be_visible()
    menu_link(admin, "Integrations").click()
    admin.get_by_role("row", name=re.compile("Employees and absences")).get_by_role("link").click()
    admin.get_by_role("link", name="Integration error log").click()
    entry = admin.locator("tr", has_text="Anna Berg")
    expect(entry).to_contain_text("2003456")
    expect(entry).to_contain_text("Fortnox refused the change")
    check_accessibility(admin)
    save_screenshot(admin, "error-log")

    world.sandbox.update_company(world.company.data, locked_salary_until=None)  # the cause, fixed in Fortnox
    entry.get_by_role("button", name="Retry").click()
    expect(admin.get_by_text("Brygga is trying again.")).to_be_visible()
    wait_for(lambda: world.transactions() == sorted(days(LOCKED_WEEK) + days(OPEN_WEEK)))
    admin.reload()
    expect(admin.locator("tr", has_text="Anna Berg")).to_have_count(0)
