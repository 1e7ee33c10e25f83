"""Accessibility basics on the pages people use every day, checked with axe-core in Chromium: no
serious or critical violations (labels on every input, contrast, names for links and buttons),
and a visible focus ring for keyboard users. The journeys check the wizard, conflict page, error
log, pick queue and order page on the way; these are the rest of the main pages, in English and
in Swedish."""

from datetime import date

import pytest
from django.urls import reverse

from hr import actions as hr_actions
from hr.models import AbsenceType
from tests.hr_sync.conftest import employee
from tests.warehouse.conftest import Build

from .conftest import check_accessibility

pytestmark = pytest.mark.e2e


@pytest.fixture
def everyday_data(tenant):
    """A little of everything, so lists and forms have rows and states to show."""
    organization = tenant.organization
    AbsenceType.objects.ensure_defaults(organization)
    boss = employee(organization, given_name="Maja", family_name="Chef", email="maja@alfa.test", employment_id="1000",
                    user=tenant.manager)
    anna = employee(organization, user=tenant.employee, manager=boss, phone="+46701234567", street="Storgatan 1",
                    postal_code="11122", city="Stockholm", clearing_number="8327", account_number="9000000")
    absence = hr_actions.do_request_absence(anna, {
        "absence_type": AbsenceType.objects.for_organization(organization).get(code="vacation"),
        "start_date": date(2026, 7, 6), "end_date": date(2026, 7, 17), "grade": 100, "note": "Sommar"},
        acting_user=tenant.employee)
    build = Build(organization)
    order = build.order((build.article(), 3), (build.article(), 1))
    purchase_order = build.purchase_order((build.article(), 10))
    return {"anna": anna, "absence": absence, "order": order, "purchase_order": purchase_order}


PAGES = {
    "owner": lambda d: [reverse("dashboard"), reverse("members"), reverse("organization_settings"),
                        reverse("preferences"), reverse("notifications"), reverse("integrations_index"),
                        reverse("hr_integration"), reverse("fortnox_connection"), reverse("warehouse_sync_settings")],
    "hr_admin": lambda d: [reverse("hr:employee_list"), reverse("hr:employee_detail", args=[d["anna"].pk]),
                           reverse("hr:employee_edit", args=[d["anna"].pk]), reverse("hr:absence_edit", args=[d["absence"].pk]),
                           reverse("hr:employee_create")],
    "manager": lambda d: [reverse("dashboard"), reverse("hr:approvals")],
    "employee": lambda d: [reverse("dashboard"), reverse("hr:my_absences")],
    "warehouse": lambda d: [reverse("warehouse:purchase_orders"), reverse("warehouse:purchase_order", args=[d["purchase_order"].pk]),
                            reverse("warehouse:stock"), reverse("warehouse:adjustment_new"),
                            reverse("warehouse_sync_purchase_orders")],
}


# Each role in one of the two languages, so both are checked without doubling the time.
LANGUAGES = {"owner": "en", "hr_admin": "sv", "manager": "en", "employee": "sv", "warehouse": "sv"}


@pytest.mark.parametrize("role", list(PAGES))
def test_the_main_pages_of_each_role_have_no_serious_accessibility_violations(tenant, everyday_data, page, log_in, role):
    language = LANGUAGES[role]
    person = getattr(tenant, role)
    person.language = language
    person.save(update_fields=["language"])
    log_in(person.email)
    for path in PAGES[role](everyday_data):
        response = page.goto(path)
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == language
        check_accessibility(page)


def test_keyboard_focus_is_visible(tenant, page, log_in):
    log_in(tenant.owner.email)
    page.keyboard.press("Tab")  # the first stop is "Skip to main content"
    focused = page.evaluate("() => { const s = getComputedStyle(document.activeElement); "
                            "return [document.activeElement.textContent.trim(), s.outlineStyle, parseFloat(s.outlineWidth)] }")
    assert focused[0] == "Skip to main content" and focused[1] != "none" and focused[2] >= 2
    page.keyboard.press("Enter")
    assert page.url.endswith("#content")
