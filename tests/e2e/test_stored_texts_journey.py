"""Journey: what Brygga wrote earlier reads in the reader's language (issue 22, "Stored texts in
the reader's language"). In a Swedish organization a job logged a user synchronisation and failed
on a record, an HR admin registered an absence (the organization admin is told) and approved
it. The organization admin reads it all in Swedish, switches to English under Preferences (told
so in English) and reads the very same rows in English: no raw keys, no raw timestamps, on a
desktop and on a phone. The screenshots (test-artifacts/stored-texts-*) are for people to look at."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from hr import actions as hr_actions
from hr.models import AbsenceType
from integrations.core.models import IntegrationError, SyncRun
from organizations.stored_text import StoredText, gettext_noop
from tests.support.browser import check_accessibility, log_in_on, save_artifact
from tests.support.hr import employee_values

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# What a reader must never see: keys, UTC timestamps, statuses as stored, stored texts' innards.
RAW = ("created_in_brygga", "unchanged", "+00:00", "requested", "approved", '{"l"', '{"m"', "%(")


def written_by_a_swedish_job(tenant):
    tenant.organization.language = "sv"
    tenant.organization.save(update_fields=["language"])
    with translation.override("sv"):
        run = SyncRun.objects.create(organization=tenant.organization, kind="hr_users", status=SyncRun.Status.RUNNING,
                                     counts={"created_in_brygga": 3, "unchanged": 11})
        run.append_log(StoredText(gettext_noop("Read %(count)s Fortnox employees in %(calls)s calls."), count=14, calls=2))
        run.append_log(StoredText(gettext_noop("%(name)s: skipped — %(reason)s"), name="Dan Nyman",
                                  reason=StoredText.each_language(lambda: translation.gettext("Finished with failures"))))
        run.finish()
        IntegrationError.record(
            organization_id=tenant.organization.pk, kind="wms_orders", subject="Order 17",
            message=StoredText(gettext_noop("%(message)s Until then Brygga cannot read them."),
                               message=StoredText.verbatim("Saknar behörighet för scope.")),
        )
    AbsenceType.objects.ensure_defaults(tenant.organization)
    colleague = hr_actions.do_create_employee(  # no manager: the organization's HR people decide
        tenant.organization, employee_values(given_name="Göran", family_name="Bäckström"), acting_user=tenant.hr_admin)
    absence = hr_actions.do_request_absence(
        colleague, {"absence_type": AbsenceType.objects.get(organization=tenant.organization, code="vacation"), "start_date": date(2026, 7, 6),
                          "end_date": date(2026, 7, 7)}, acting_user=tenant.hr_admin,
    )
    hr_actions.do_approve_absence(absence, acting_user=tenant.hr_admin)
    return run, absence


def walk(window, run, absence, name: str, *, expected: dict) -> None:
    pages = {
        "syncs": reverse("hr_integration"), "run": reverse("hr_sync_run", args=[run.pk]),
        "errors": reverse("integration_errors"), "notifications": reverse("notifications"),
        "absence": reverse("hr:absence_edit", args=[absence.pk]),
    }
    for page_name, url in pages.items():
        window.goto(url)
        shown = window.inner_text("body")
        for raw in RAW:
            assert raw not in shown, f"{raw!r} on {url}"
        for words in expected.get(page_name, ()):
            expect(window.locator("main, #content, body").first).to_contain_text(words)
        save_artifact(window, f"stored-texts-{page_name}-{name}")
    check_accessibility(window)


def test_the_same_stored_rows_read_in_swedish_and_then_in_english(tenant, page, phone):
    run, absence = written_by_a_swedish_job(tenant)
    tenant.owner.language = "sv"
    tenant.owner.save(update_fields=["language"])

    log_in_on(page, tenant.owner.email)
    log_in_on(phone, tenant.owner.email)
    swedish = {
        "syncs": ["Skapade i Brygga: 3"], "run": ["Läste 14 anställda från Fortnox"], "notifications": ["ansöker om Semester"],
        "errors": ["Saknar behörighet för scope."], "absence": ["Semester", "Godkänd"],
    }
    walk(page, run, absence, "sv-1280", expected=swedish)
    walk(phone, run, absence, "sv-390", expected=swedish)

    page.goto(reverse("preferences"))
    page.get_by_label("Språk").select_option("en")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Your preferences were saved.")).to_be_visible()  # in the language just chosen

    english = {
        "syncs": ["Created in Brygga: 3"], "run": ["Read 14 Fortnox employees in 2 calls.", "Dan Nyman: skipped"],
        "errors": ["Saknar behörighet för scope. Until then Brygga cannot read them."],
        "notifications": ["asks for Vacation"], "absence": ["Vacation", "Approved"],
    }
    walk(page, run, absence, "en-1280", expected=english)
    walk(phone, run, absence, "en-390", expected=english)
