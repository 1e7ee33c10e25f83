"""Issue 15 journeys with non-default settings, through the pages only, with a real job cluster:

1. An organization admin makes contradicting conflict choices (Brygga for everyone, Fortnox for
   one person's address, Fortnox for another person altogether), reads what they will do before
   anything changes, applies them, and the sandbox holds exactly what was chosen.
2. An HR admin registers an absence in a salary period Fortnox has locked: it is on its way, then
   reads "Failed in Fortnox" with the reason on its own (no reload), is found by the absence
   list's "failed in Fortnox" filter, and once Fortnox is unlocked Retry sends it.

Each is photographed at 1280 and 390 px in English and Swedish (test-artifacts/issue15-*.png)."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from integrations.core.models import SyncRun
from tests.support.browser import check_accessibility, log_in_on, save_artifact
from tests.support.processes import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LOCKED_MONDAY = date(2026, 2, 2)


def shoot(page, name: str) -> None:
    """The page as it is now at 1280 and 390 px; on a phone nothing may widen the page itself."""
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        save_artifact(page, f"issue15-{name}-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} is wider than {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})


def speak(user, language: str) -> None:
    """The person's own language setting, as they would switch it."""
    user.language = language
    user.save(update_fields=["language"])


def photograph(page, user, name: str) -> None:
    """The page (reloaded) in English and then in Swedish, at both widths; English again after."""
    for language in ("en", "sv"):
        speak(user, language)
        page.reload()
        shoot(page, f"{name}-{language}")
    speak(user, "en")
    page.reload()


def test_contradicting_conflict_choices_are_summed_up_first_and_fortnox_gets_exactly_what_was_chosen(
        tenant, three_people_in_conflict, fortnox, page, cluster):
    anna, bo, _cecilia = three_people_in_conflict.values()
    log_in_on(page, tenant.owner.email)
    page.goto("/integrations/fortnox/hr/sync/")
    page.get_by_role("button", name="Read Fortnox employees").click()
    page.get_by_label("Brygga wins for everyone").check()
    page.locator("tr.conflict", has_text="Address").get_by_label("Fortnox").check()
    page.locator(f"#m{bo.pk}").get_by_label("Fortnox for all").check()
    page.get_by_role("button", name="Show what changes").click()

    outcome = page.locator("#sync-outcome")
    expect(outcome).to_contain_text("3 values go to Fortnox")
    expect(outcome).to_contain_text("3 values come to Brygga")
    expect(page.locator("#sync-overrides")).to_contain_text("Anna Berg, Address: Fortnox, instead of Brygga.")
    expect(page.locator("#sync-overrides")).to_contain_text("Bo Lind: Fortnox for all their conflicts, instead of Brygga for everyone.")
    expect(page.get_by_label("Brygga wins for everyone")).to_be_checked()  # the choices are kept for a second look
    check_accessibility(page)
    shoot(page, "conflict-summary-en")
    speak(tenant.owner, "sv")
    page.get_by_role("button", name="Show what changes").click()  # the same choices, summed up in Swedish
    expect(outcome).to_contain_text("3 värden går till Fortnox")
    shoot(page, "conflict-summary-sv")
    speak(tenant.owner, "en")
    page.get_by_role("button", name="Visa vad som ändras").click()
    assert SyncRun.objects.get().status == SyncRun.Status.PLANNED  # nothing applied by the summaries
    page.get_by_role("button", name="Apply these choices").click()
    expect(page.locator("#run-progress")).to_contain_text("Finished", timeout=45_000)

    annas, bos, cecilias = (fortnox.get(f"/3/employees/{number}") for number in ("1001", "2001", "3001"))
    assert (annas["FirstName"], annas["Phone1"], annas["Address1"], annas["City"]) == ("Anna", "+46701111111", "Storgatan 1", "Stockholm")
    assert (bos["FirstName"], bos["Phone1"]) == ("Bosse", "0709999999")
    assert cecilias["FirstName"] == "Cecilia"
    anna.refresh_from_db()
    bo.refresh_from_db()
    assert (anna.street, bo.given_name, bo.phone) == ("Storgatan 1", "Bosse", "+46709999999")
    photograph(page, tenant.owner, "sync-result")


def test_an_absence_fortnox_refuses_reads_failed_in_the_hr_list_and_retry_sends_it(world, page, cluster):
    tenant = world.tenant
    world.sandbox.update_company(world.company.data, locked_salary_until=(LOCKED_MONDAY + timedelta(days=10)).isoformat())
    log_in_on(page, tenant.hr_admin.email)
    page.goto(f"/hr/employees/{world.anna.pk}/")
    page.get_by_role("link", name="Register absence").click()
    page.get_by_label("Type").select_option(label="Sick leave")
    page.get_by_label("First day").fill(LOCKED_MONDAY.isoformat())
    page.get_by_label("Last day").fill((LOCKED_MONDAY + timedelta(days=4)).isoformat())
    page.get_by_role("button", name="Save").click()

    row = page.locator("tr", has_text="Sick leave").first  # the absences table comes before the history
    expect(row).to_contain_text("Approved")
    expect(row).to_contain_text("Failed in Fortnox", timeout=30_000)  # the badge polled while on its way
    expect(row).to_contain_text("Fortnox refused the change")

    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Absences").click()
    page.get_by_label("Transfer").select_option(label="Failed in Fortnox")
    page.get_by_role("button", name="Search").click()
    listed = page.locator("tbody tr")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Anna Berg")
    expect(listed).to_contain_text("Failed in Fortnox")
    check_accessibility(page)
    photograph(page, tenant.hr_admin, "absences-failed")

    world.sandbox.update_company(world.company.data, locked_salary_until=None)  # fixed in Fortnox
    page.locator("tbody tr").get_by_role("button", name="Retry").click()
    expect(page.get_by_text("The absence is on its way to Fortnox again.")).to_be_visible()
    expect(page.locator("#absence-fortnox-state")).to_contain_text("5 days, 40 h in Fortnox", timeout=30_000)
    assert len(world.transactions()) == 5
    check_accessibility(page)
    photograph(page, tenant.hr_admin, "absence-sent")

    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_text("Its 5 days in Fortnox are deleted there too.")).to_be_visible()
    photograph(page, tenant.hr_admin, "absence-delete")
    page.get_by_role("button", name="Yes, delete it").click()
    wait_for(lambda: world.transactions() == [])
