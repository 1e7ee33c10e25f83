"""Texts Brygga stores for later — run logs, run errors, error-log entries, notifications, history —
read in the language of whoever reads them, not of whoever (or whichever job) wrote them; rows
written before keep showing sensibly. Runs on SQLite and PostgreSQL alike (`./brygga test`)."""

from datetime import date

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from hr import actions as hr_actions
from hr.models import ChangeRecord
from integrations.models import IntegrationError, SyncRun
from organizations.stored_text import StoredLog, StoredText, gettext_noop

RESUMED = "Resumed: the worker applying this synchronisation stopped."


def reads(user, client_for, url: str) -> str:
    return client_for(user).get(url).content.decode()


def as_reader(user, language: str):
    user.language = language
    user.save(update_fields=["language"])
    return user


def history_on(page: str) -> str:
    for heading in ("<h2>History</h2>", "<h2>Historik</h2>"):
        if heading in page:
            return page.split(heading)[1]
    raise AssertionError("the page shows no history")


def swedish(msgid: str) -> str:
    with translation.override("sv"):
        words = translation.gettext(msgid)
    assert words != msgid  # the catalogue has it, so the language shows
    return words


@pytest.fixture
def run(tenant) -> SyncRun:
    run = SyncRun.objects.create(organization=tenant.organization, kind="hr_users", status=SyncRun.Status.RUNNING)
    with translation.override("sv"):  # written by a job of a Swedish organization
        run.append_log(StoredText(gettext_noop(RESUMED)))
        run.append_log(StoredText(gettext_noop("Read %(count)s Fortnox employees in %(calls)s calls."), count=12, calls=3))
    run.finish(error=StoredText.each_language(lambda: translation.gettext("Finished with failures")))
    return run


def test_the_same_run_log_reads_in_each_readers_language(run):
    stored = SyncRun.objects.get(pk=run.pk)
    with translation.override("en"):
        assert RESUMED in stored.log and "Read 12 Fortnox employees in 3 calls." in stored.log
        assert stored.error == "Finished with failures"
    with translation.override("sv"):
        assert swedish(RESUMED) in stored.log and RESUMED not in stored.log
        assert stored.error == swedish("Finished with failures")


def test_the_run_page_shows_the_log_in_the_readers_language(run, tenant, client_for):
    url = reverse("hr_sync_run", args=[run.pk])
    english = reads(as_reader(tenant.owner, "en"), client_for, url)
    assert RESUMED in english and swedish(RESUMED) not in english
    svenska = reads(as_reader(tenant.owner, "sv"), client_for, url)
    assert swedish(RESUMED) in svenska and RESUMED not in svenska


def test_a_log_line_keeps_its_moment_and_shows_it_in_the_organizations_time_zone(run):
    log = SyncRun.objects.get(pk=run.pk).log
    at = log.lines[0][0]
    assert at.tzinfo is not None
    assert str(log).startswith(f"{timezone.localtime(at):%H:%M:%S} ")


def test_an_error_log_entry_reads_in_each_readers_language(tenant, client_for):
    with translation.override("sv"):
        IntegrationError.record(
            organization_id=tenant.organization.pk, kind="wms_orders", sync_run=None,
            subject=StoredText.each_language(lambda: translation.gettext("Orders")),
            message=StoredText(gettext_noop("%(message)s Until then Brygga cannot read them."),
                               message=StoredText.verbatim("Saknar behörighet.")),
            fortnox_message="Saknar behörighet.",
        )
    url = reverse("integration_errors")
    english = reads(as_reader(tenant.owner, "en"), client_for, url)
    assert "Saknar behörighet. Until then Brygga cannot read them." in english  # Fortnox's words stay Fortnox's
    svenska = reads(as_reader(tenant.owner, "sv"), client_for, url)
    assert "Until then Brygga cannot read them." not in svenska
    assert swedish("%(message)s Until then Brygga cannot read them.") % {"message": "Saknar behörighet."} in svenska


def test_the_same_failure_again_is_counted_on_its_stored_entry(tenant):
    def fail():
        return IntegrationError.record(organization_id=tenant.organization.pk, kind="wms_orders", subject="Orders",
                                       message=StoredText(gettext_noop("Finished with failures")))

    first, again = fail(), fail()
    assert first.pk == again.pk and IntegrationError.objects.get().occurrences == 2


def test_rows_written_before_stored_texts_show_as_written(tenant, run):
    with connection.cursor() as cursor:  # as an older Brygga left them: plain text
        cursor.execute(f"UPDATE {SyncRun._meta.db_table} SET log = %s, error = %s WHERE id = %s",
                       ["04:45:18 Skapade i Brygga: 3\n", "Gammalt fel", run.pk])
    old = SyncRun.objects.get(pk=run.pk)
    assert str(old.log) == "04:45:18 Skapade i Brygga: 3\n" and old.error == "Gammalt fel"
    old.append_log(StoredText(gettext_noop(RESUMED)))
    with translation.override("en"):
        assert SyncRun.objects.get(pk=run.pk).log.rendered_lines()[0] == "04:45:18 Skapade i Brygga: 3"
        assert RESUMED in SyncRun.objects.get(pk=run.pk).log


def test_stored_texts_survive_the_round_trip_with_every_kind_of_parameter():
    text = StoredText(gettext_noop("%(name)s: failed — %(reason)s"), name="Anna Berg",
                      reason=StoredText.each_language(lambda: translation.gettext("Finished with failures")))
    again = StoredText.load(text.dump())
    with translation.override("en"):
        assert str(again) == "Anna Berg: failed — Finished with failures"
    with translation.override("sv"):
        assert str(again) == swedish("%(name)s: failed — %(reason)s") % {
            "name": "Anna Berg", "reason": swedish("Finished with failures")}
    assert StoredText.load("plain words from before") == "plain words from before"
    assert StoredText.load(StoredText.verbatim('{"m": "looks like a dump"}').dump()) == '{"m": "looks like a dump"}'
    assert StoredLog.load(StoredLog.load("").dump()).lines == []


def test_absence_history_shows_statuses_types_and_times_in_the_readers_words(staff, tenant, absence_types, client_for):
    absence = hr_actions.do_request_absence(
        staff.report, {"absence_type": absence_types["vacation"], "start_date": date(2026, 7, 6),
                       "end_date": date(2026, 7, 10)}, acting_user=tenant.employee,
    )
    hr_actions.do_approve_absence(absence, acting_user=tenant.manager)
    url = reverse("hr:absence_edit", args=[absence.pk])
    english = history_on(reads(as_reader(tenant.hr_admin, "en"), client_for, url))
    assert ">Requested<" in english and ">Approved<" in english and "Vacation" in english
    svenska = history_on(reads(as_reader(tenant.hr_admin, "sv"), client_for, url))
    for raw in (">requested<", ">approved<", "Vacation", "+00:00"):
        assert raw not in svenska
    assert "Semester" in svenska and f">{swedish('Approved')}<" in svenska


def test_history_rows_from_before_read_sensibly(staff, tenant, absence_types, client_for):
    absence = hr_actions.do_request_absence(
        staff.report, {"absence_type": absence_types["sick_leave"], "start_date": date(2026, 7, 6),
                       "end_date": date(2026, 7, 6)}, acting_user=tenant.employee,
    )
    ChangeRecord.objects.bulk_create([  # as an older Brygga wrote them: str() of the values
        ChangeRecord(organization=tenant.organization, kind=ChangeRecord.Kind.ABSENCE, employee=staff.report,
                     absence=absence, subject="Sick leave, 2026-07-06", action=ChangeRecord.Action.CHANGED,
                     field_name=field, old_value=old, new_value=new)
        for field, old, new in [("status", "requested", "approved"), ("decided_at", "", "2026-12-04 04:45:18.979809+00:00"),
                                ("absence_type", "Vacation", "Sick leave")]
    ])
    svenska = reads(as_reader(tenant.hr_admin, "sv"), client_for, reverse("hr:absence_edit", args=[absence.pk]))
    history = history_on(svenska)
    assert "2026-12-04 05:45" in history  # the organization's time, no raw UTC timestamp
    for raw in ("+00:00", "04:45:18", ">requested<", ">approved<", "Sick leave", ">Vacation<"):
        assert raw not in history
    assert "Sjukfrånvaro" in history and "Semester" in history and swedish("Approved") in history


def test_the_last_synchronisations_name_their_counts_in_words(run, tenant, client_for):
    SyncRun.objects.filter(pk=run.pk).update(counts={"created_in_brygga": 3, "unchanged": 11})
    page = reads(as_reader(tenant.owner, "en"), client_for, reverse("hr_integration"))
    assert "Created in Brygga: 3" in page and "created_in_brygga" not in page and "unchanged:" not in page


def test_why_a_connection_stopped_reads_in_each_readers_language(tenant, client_for):
    from integrations.models import FortnoxConnection

    moved = "A Brygga administrator moved the Fortnox company %(company)s to the organization %(organization)s."
    with translation.override("sv"):
        FortnoxConnection.objects.create(
            organization=tenant.organization, status=FortnoxConnection.Status.DISCONNECTED, last_error_at=timezone.now(),
            last_error=StoredText(gettext_noop(moved), company="Demo AB", organization="Beta AB"),
        )
    url = reverse("fortnox_connection")
    assert moved % {"company": "Demo AB", "organization": "Beta AB"} in reads(as_reader(tenant.owner, "en"), client_for, url)
    svenska = reads(as_reader(tenant.owner, "sv"), client_for, url)
    assert swedish(moved) % {"company": "Demo AB", "organization": "Beta AB"} in svenska
