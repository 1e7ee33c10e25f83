"""Texts Brygga stores for later — run logs, run errors, error-log entries, why a connection
stopped — read in the language of whoever reads them, not of whoever (or whichever job) wrote
them; rows written before keep showing sensibly. (History: tests/hr/test_history_language.py.)"""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from integrations.core.models import IntegrationError, SyncRun
from organizations.stored_text import StoredLog, StoredText, gettext_noop

RESUMED = "Resumed: the worker applying this synchronisation stopped."


def reads(user, client_for, url: str) -> str:
    return client_for(user).get(url).content.decode()


def as_reader(user, language: str):
    user.language = language
    user.save(update_fields=["language"])
    return user


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


def test_the_last_synchronisations_name_their_counts_in_words(run, tenant, client_for):
    SyncRun.objects.filter(pk=run.pk).update(counts={"created_in_brygga": 3, "unchanged": 11})
    page = reads(as_reader(tenant.owner, "en"), client_for, reverse("hr_integration"))
    assert "Created in Brygga: 3" in page and "created_in_brygga" not in page and "unchanged:" not in page


def test_why_a_connection_stopped_reads_in_each_readers_language(tenant, client_for):
    from integrations.core.models import FortnoxConnection

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
