"""Journey 1: an organization admin connects Fortnox and synchronises people, through the pages
only — log in with MFA, read the tabs, accept the terms, approve on the sandbox's consent page,
choose the settings, map absence types, decide conflicts both ways, create people on both sides,
watch the progress bar and read the result — then the sandbox and Brygga agree field by field."""

import re

import pytest
from playwright.sync_api import expect

from hr.models import AbsenceType, Employee
from integrations.core.models import FortnoxConnection
from integrations.fortnox.client import FortnoxClient
from integrations.hr_sync import fields as hr_fields
from tests.support.browser import check_accessibility, menu_link, save_screenshot
from tests.support.hr_sync import create_fortnox_employee, employee

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# Polling that has swapped the progress in place leaves this marker; a full reload would drop it.
WATCH_SWAPS = "window.__swaps = 0; document.body.addEventListener('htmx:afterSwap', () => window.__swaps++)"


def arrange_fortnox_people(organization):
    """What the admin will find in Fortnox: Anna with another first name and phone plus an address
    Brygga lacks, Cecilia only in Fortnox, Dan without an email (cannot be matched)."""
    with FortnoxClient(FortnoxConnection.objects.get(organization=organization)) as fortnox:
        create_fortnox_employee(fortnox, EmployeeId="1001", FirstName="Annika", LastName="Berg", Email="ANNA@alfa.test",
                                Phone1="070-999 88 77", Address1="Storgatan 1", PostCode="111 22", City="Stockholm",
                                Country="Sverige")
        create_fortnox_employee(fortnox, EmployeeId="3001", FirstName="Cecilia", LastName="Ek", Email="cecilia@alfa.test",
                                Phone1="0703333333")
        create_fortnox_employee(fortnox, EmployeeId="3002", FirstName="Dan", LastName="Nyman", Email="dan@alfa.test")
        fortnox.put("/3/employees/3002", {"Employee": {"Email": "API_BLANK"}})  # Fortnox requires an email only on creation


def test_an_admin_connects_fortnox_resolves_conflicts_creates_people_and_both_sides_agree(
        tenant, page, log_in, with_totp, sandbox, make_company, cluster):
    organization = tenant.organization
    AbsenceType.objects.ensure_defaults(organization)
    anna = employee(organization, phone="+46701234567")
    bo = employee(organization, given_name="Bo", family_name="Lind", email="bo@alfa.test", employment_id="2001")
    company = make_company(name="Sandlådan AB")

    log_in(tenant.owner.email, totp_secret=with_totp(tenant.owner))
    menu_link(page, "Integrations").click()
    page.get_by_role("row", name=re.compile("Employees and absences")).get_by_role("link").click()
    expect(page.get_by_role("heading", name="Fortnox — HR integration")).to_be_visible()
    for tab, says in (("Supported features", "Creating people in Brygga from Fortnox"),
                      ("Supported fields", "Bank account"), ("Licence", "integration licence")):
        page.get_by_role("link", name=tab).click()
        expect(page.get_by_role("main")).to_contain_text(says)

    page.get_by_role("link", name="Set up").click()
    check_accessibility(page)
    save_screenshot(page, "wizard-set-up")
    terms = page.get_by_label("I accept the Terms of Service of the Fortnox integration")
    submit = page.get_by_role("button", name="Accept and connect Fortnox")
    expect(terms).to_have_attribute("required", "")  # the browser itself says the box must be ticked
    terms.focus()
    page.keyboard.press("Space")  # the wizard is usable from the keyboard
    expect(terms).to_be_checked()
    submit.focus()
    page.keyboard.press("Enter")

    page.get_by_label("Username").fill(company.user["username"])
    page.get_by_label("Password").fill(company.user["password"])
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Approve").click()

    expect(page.get_by_text("Fortnox is connected to Sandlådan AB.")).to_be_visible()
    arrange_fortnox_people(organization)
    page.get_by_label("Create absence in Fortnox when added in Brygga").check()
    check_accessibility(page)
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_label("Sick leave")).to_have_value("SJK")
    expect(page.get_by_label("Self certification")).to_have_value("SJK")
    page.get_by_label("Other absence").select_option("TJL")
    check_accessibility(page)
    save_screenshot(page, "wizard-map-absence-types")
    page.get_by_role("button", name="Save and continue").click()

    check_accessibility(page)
    page.get_by_role("button", name="Read Fortnox employees").click()
    expect(page.get_by_role("heading", name="Fortnox — Review the synchronisation")).to_be_visible()
    expect(page.get_by_text("Dan Nyman (3002)")).to_be_visible()
    check_accessibility(page)
    save_screenshot(page, "conflicts")
    page.locator("tr.conflict", has_text="Given name").get_by_label("Fortnox").check()
    page.locator("tr.conflict", has_text="Phone").get_by_label("Brygga").check()
    expect(page.locator("tr.missing", has_text="Address").get_by_role("checkbox")).to_be_checked()
    page.get_by_label("Cecilia Ek").check()
    page.get_by_label("Bo Lind").check()
    page.get_by_role("button", name="Show what changes").click()
    expect(page.locator("#sync-outcome")).to_contain_text("1 person is created in Fortnox")
    page.get_by_role("button", name="Apply these choices").click()

    expect(page.get_by_role("heading", name=re.compile("Synchronisation #"))).to_be_visible()
    polling = page.locator("#run-progress[hx-get]").count() == 1
    page.evaluate(WATCH_SWAPS)
    expect(page.locator("#run-progress")).to_contain_text(re.compile(r"\d+ of 3"))
    expect(page.locator("#run-progress")).to_contain_text("Finished", timeout=45_000)
    expect(page.locator("#run-progress")).to_contain_text("3 of 3")
    if polling:
        assert page.evaluate("window.__swaps") >= 1, "the progress was not updated in place"
    check_accessibility(page)
    save_screenshot(page, "sync-result")
    page.get_by_role("link", name="Back to the integration").click()
    expect(page.get_by_role("link", name="1 unread notification")).to_be_visible()

    in_fortnox = {record["key"]: record["document"] for record in sandbox.records(company.data, "employees")}
    anna.refresh_from_db()
    bo.refresh_from_db()
    cecilia = Employee.objects.get(organization=organization, email="cecilia@alfa.test")
    assert (anna.given_name, anna.phone, anna.street, anna.city) == ("Annika", "+46701234567", "Storgatan 1", "Stockholm")
    assert (cecilia.employment_id, cecilia.phone) == ("3001", "+46703333333")
    for person, employee_id in ((anna, "1001"), (bo, "2001"), (cecilia, "3001")):
        disagreeing = [field.name for field in hr_fields.FIELDS
                       if field.from_employee(person) != field.from_fortnox(in_fortnox[employee_id])]
        assert disagreeing == [], f"{person.email}: Brygga and Fortnox differ in {disagreeing}"
    assert not Employee.objects.filter(organization=organization, family_name="Nyman").exists()
