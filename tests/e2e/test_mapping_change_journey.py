"""Journey: an organization admin re-maps sick leave from SJK to FRA while an absence already has
transactions in Fortnox. Before anything is saved the mapping page says how many stay under SJK
and asks what to do with them; the admin moves them, and Fortnox then holds the absence's days
under FRA only, each day once (issue 24, item 3). On a phone too."""

from datetime import timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from integrations.core import outbox
from integrations.hr_sync.models import AbsenceTypeMapping
from tests.support.absences import MONDAY, sick, week
from tests.support.browser import check_accessibility, log_in_on, save_artifact, save_screenshot
from tests.support.processes import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def ask_to_remap(page):
    page.goto("/integrations/fortnox/hr/mapping/")
    page.get_by_label("Sick leave:").select_option("FRA")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#old-transactions")).to_contain_text(
        "Sick leave: 2 transactions in Fortnox are under the old cause code SJK. The new one is FRA.")


def test_an_admin_remaps_sick_leave_and_moves_the_transactions_already_in_fortnox(world, page, phone, cluster):
    absence = sick(world, end=MONDAY + timedelta(days=1))
    outbox.push_due()
    assert world.transactions() == week(days=2)

    log_in_on(phone, world.tenant.owner.email)
    ask_to_remap(phone)
    save_screenshot(phone, "mapping-change-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone

    log_in_on(page, world.tenant.owner.email)
    ask_to_remap(page)
    check_accessibility(page)
    save_screenshot(page, "mapping-change")
    assert AbsenceTypeMapping.objects.get(absence_type=world.types["sick_leave"]).cause_code == "SJK"
    page.get_by_label("Move them to the new cause code").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("The transactions under the old cause codes are being moved in Fortnox.")).to_be_visible()

    wait_for(lambda: world.transactions() == week("FRA", days=2))
    page.goto(reverse("hr:absence_edit", args=[absence.pk]))
    expect(page.locator("#absence-fortnox-state")).to_contain_text("2 days, 16 h in Fortnox")
    expect(page.locator("#absence-disconnected")).to_have_count(0)


def test_an_admin_leaves_the_old_transactions_and_the_absence_page_shows_them_disconnected(world, page, phone, cluster):
    absence = sick(world, end=MONDAY + timedelta(days=1))
    outbox.push_due()

    log_in_on(page, world.tenant.owner.email)
    ask_to_remap(page)
    page.get_by_label("Leave them under the old cause code").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("The absence types are mapped.")).to_be_visible()

    page.goto(reverse("hr:absence_edit", args=[absence.pk]))
    state = page.locator("#absence-fortnox-state")
    expect(state).to_contain_text("Disconnected in Fortnox")
    expect(page.locator("#absence-disconnected")).to_contain_text("2 transactions stay in Fortnox under SJK")
    expect(page.locator("#absence-disconnected")).to_contain_text(f"{MONDAY.isoformat()} · SJK")
    check_accessibility(page)
    save_screenshot(page, "absence-disconnected")

    log_in_on(phone, world.tenant.owner.email)
    phone.goto(reverse("hr:absence_edit", args=[absence.pk]))
    expect(phone.locator("#absence-disconnected")).to_be_visible()
    save_screenshot(phone, "absence-disconnected-phone")
    box = phone.locator("#absence-fortnox-state").bounding_box()
    assert box["x"] + box["width"] <= 390  # the panel fits the phone (the history table below is its own matter)
    assert world.transactions() == week(days=2)  # left as they were


def test_a_superuser_changing_the_mapping_in_the_django_admin_is_sent_to_the_mapping_page(world, page, phone):
    from organizations.models import User

    sick(world, end=MONDAY + timedelta(days=1))
    outbox.push_due()
    mapping = AbsenceTypeMapping.objects.get(absence_type=world.types["sick_leave"])
    User.objects.create_superuser(email="root@brygga.test", password="pw-for-tests-1", language="sv")

    for window, name in ((page, "1280"), (phone, "390")):
        log_in_on(window, "root@brygga.test")
        window.goto(reverse("admin:hr_sync_absencetypemapping_change", args=[mapping.pk]))
        expect(window.get_by_text("2 transaktioner i Fortnox ligger under orsakskoden SJK").first).to_be_visible()
        window.get_by_label("Fortnox orsakskod").select_option("FRA")
        window.get_by_role("button", name="Spara", exact=True).click()
        expect(window.locator(".errornote, .errorlist").first).to_be_visible()
        expect(window.locator("a.deletelink")).to_have_count(0)  # nor may it be deleted here
        save_artifact(window, f"edges-admin-mapping-refused-{name}-sv")
    assert AbsenceTypeMapping.objects.get(pk=mapping.pk).cause_code == "SJK"
    assert world.transactions() == week(days=2)
