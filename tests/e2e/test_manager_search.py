"""An HR admin gives an employee a new manager in an organization of many people: types part of the
name into "Find a manager", picks the person from what htmx puts into the list, and saves."""

import re

import pytest
from playwright.sync_api import expect

from hr.models import Employee
from tests.support.browser import check_accessibility
from tests.support.hr import many_employees
from tests.support.hr_sync import employee

pytestmark = pytest.mark.e2e


def test_an_hr_admin_finds_and_picks_a_manager_by_typing_part_of_the_name(tenant, page, log_in):
    organization = tenant.organization
    many_employees(organization, 200)
    maja = employee(organization, given_name="Maja", family_name="Chef", email="maja@alfa.test", employment_id="1000")
    goran = employee(organization, given_name="Göran", family_name="Bäckström", email="goran@alfa.test",
                     employment_id="1001")
    anna = employee(organization, manager=maja, employment_id="1002")
    log_in(tenant.hr_admin.email)

    page.goto(f"/hr/employees/{anna.pk}/edit/")
    select = page.get_by_role("combobox", name="Manager")
    expect(select.locator("option")).to_have_text(["— none —", "Maja Chef (1000)"])
    search = page.get_by_role("searchbox", name="Find a manager")
    search.fill("bäck")
    search.press("Enter")  # searches at once; does not save the half-edited form
    expect(select.locator("option")).to_have_text(["— none —", "Maja Chef (1000)", "Göran Bäckström (1001)"])
    assert re.search(r"/edit/$", page.url)
    expect(select).to_have_value(str(maja.pk))  # searching alone changes nothing
    check_accessibility(page)

    select.select_option(label="Göran Bäckström (1001)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The changes to Anna Berg were saved.")).to_be_visible()
    assert Employee.objects.get(pk=anna.pk).manager == goran
