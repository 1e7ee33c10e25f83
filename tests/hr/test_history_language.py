"""Absence and employee history reads in the reader's words: statuses and types translated, times
in the organization's time zone and the reader's format, never a raw key or a UTC timestamp —
also for rows written before history kept stored texts."""

from datetime import date

from django.urls import reverse
from django.utils import translation

from hr import actions as hr_actions
from hr.models import ChangeRecord


def reads(user, client_for, url: str, language: str) -> str:
    client = client_for(user)  # (this folder's client_for makes the user English first)
    user.language = language
    user.save(update_fields=["language"])
    return client.get(url).content.decode()


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


def test_absence_history_shows_statuses_types_and_times_in_the_readers_words(staff, tenant, absence_types, client_for):
    absence = hr_actions.do_request_absence(
        staff.report, {"absence_type": absence_types["vacation"], "start_date": date(2026, 7, 6),
                       "end_date": date(2026, 7, 10)}, acting_user=tenant.employee,
    )
    hr_actions.do_approve_absence(absence, acting_user=tenant.manager)
    url = reverse("hr:absence_edit", args=[absence.pk])
    english = history_on(reads(tenant.hr_admin, client_for, url, "en"))
    assert ">Requested<" in english and ">Approved<" in english and "Vacation" in english
    svenska = history_on(reads(tenant.hr_admin, client_for, url, "sv"))
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
    svenska = reads(tenant.hr_admin, client_for, reverse("hr:absence_edit", args=[absence.pk]), "sv")
    history = history_on(svenska)
    assert "2026-12-04 05:45" in history  # the organization's time, no raw UTC timestamp
    for raw in ("+00:00", "04:45:18", ">requested<", ">approved<", "Sick leave", ">Vacation<"):
        assert raw not in history
    assert "Sjukfrånvaro" in history and "Semester" in history and swedish("Approved") in history
