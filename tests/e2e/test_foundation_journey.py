import re

from playwright.sync_api import expect

from tests.support.browser import menu_link


def test_an_admin_logs_in_sees_the_admin_menu_and_switches_to_english(tenant, page, log_in):
    tenant.organization.language = "sv"
    tenant.organization.save(update_fields=["language"])
    log_in(tenant.owner.email)
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(menu_link(page, re.compile("Medlemmar|Members"))).to_be_visible()

    page.get_by_role("link", name=tenant.owner.email).click()
    page.get_by_label(re.compile("Språk|Language")).select_option("en")
    page.get_by_role("button", name=re.compile("Spara|Save")).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(menu_link(page, "Members")).to_be_visible()


def test_an_employee_sees_no_settings_in_the_menu(tenant, page, log_in):
    log_in(tenant.employee.email)
    expect(page.get_by_role("heading", name="Alfa AB")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^(Medlemmar|Members)$"))).to_have_count(0)
