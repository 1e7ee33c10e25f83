"""Absence in hours (part of one day), without a payroll system: the day's hours come from Brygga's
work-day calendar (8 hours on weekdays that are not public holidays). The same rules with the
person's Fortnox schedule are in tests/absence_sync/test_part_day.py."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from hr import actions
from hr.models import Absence, AbsenceStatus, ChangeRecord

MONDAY = date(2026, 3, 2)
SATURDAY = date(2026, 3, 7)
GOOD_FRIDAY = date(2026, 4, 3)


def post_own(client, **fields):
    data = {"length": "hours", "start_date": MONDAY.isoformat(), "end_date": "", "grade": "", "hours": "2", "note": "Förskolan ringde"}
    data.update(fields)
    return client.post(reverse("hr:my_absences"), data)


@pytest.fixture
def own(tenant, staff, absence_types, client_for):
    client = client_for(tenant.employee)
    return lambda **fields: post_own(client, **{"absence_type": absence_types["care_of_child"].pk, **fields})


def test_an_employee_registers_two_hours_of_care_of_a_sick_child_as_one_day_in_hours(own, staff):
    response = own()
    assert response.status_code == 302
    absence = Absence.objects.get(employee=staff.report)
    assert (absence.start_date, absence.end_date, absence.hours, absence.grade) == (MONDAY, MONDAY, Decimal("2"), 100)
    assert absence.status == AbsenceStatus.APPROVED  # care of child needs no approval
    assert absence.period_display.endswith(", 2 h")


@pytest.mark.parametrize(("hours", "message"), [
    ("0", "more than 0"),
    ("-1", "more than 0"),
    ("25", "A day has 24 hours: 25 hours cannot be part of one day"),
    ("two", "Enter the hours as a number, e.g. 2 or 1.5."),
    ("1.3", "quarter hours: enter 1.25 or 1.5 instead of 1.3"),
    ("", "Enter how many hours of the day you are away"),
])
def test_bad_hours_are_refused_with_a_clear_message_and_the_form_keeps_what_was_typed(own, staff, hours, message):
    response = own(hours=hours)
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert 'value="Förskolan ringde"' in page or "Förskolan ringde</textarea>" in page
    assert f'value="{hours}"' in page or hours == ""
    assert not Absence.objects.filter(employee=staff.report).exists()


def test_more_than_the_days_hours_is_refused_naming_the_limit(own, staff):
    page = own(hours="9").content.decode()
    assert "works 8 hours on 2 Mar 2026" in page and "at most 8 hours, not 9" in page
    assert "Brygga&#x27;s work-day calendar" in page
    assert not Absence.objects.filter(employee=staff.report).exists()
    assert own(hours="8").status_code == 302  # the whole working day, in hours, is allowed


@pytest.mark.parametrize("day", [SATURDAY, GOOD_FRIDAY])
def test_a_day_without_working_time_is_refused(own, staff, day):
    page = own(start_date=day.isoformat()).content.decode()
    assert "has no working time on" in page and "0 hours" in page
    assert not Absence.objects.filter(employee=staff.report).exists()


def test_hours_over_several_days_are_refused_on_the_last_day(own, staff):
    page = own(end_date="2026-03-04").content.decode()
    assert "An absence in hours is part of one day, so its last day is its first day" in page
    assert 'value="2026-03-04"' in page and 'value="2"' in page  # nothing typed is lost
    assert not Absence.objects.filter(employee=staff.report).exists()


def test_hours_without_the_length_choice_still_make_a_part_day_absence(own, staff):
    """A post without the radio (e.g. an older page): hours mean part of a day."""
    assert own(length="", hours="1.5").status_code == 302
    assert Absence.objects.get(employee=staff.report).hours == Decimal("1.5")


def test_whole_days_drop_hours_left_in_the_hidden_field(own, staff):
    assert own(length="days", end_date="2026-03-03", grade="100", hours="25").status_code == 302
    absence = Absence.objects.get(employee=staff.report)
    assert absence.hours is None and absence.end_date == date(2026, 3, 3)


def test_part_day_absences_share_a_day_up_to_its_hours_and_a_whole_day_absence_does_not(own, staff, absence_types, tenant):
    assert own(hours="5").status_code == 302
    page = own(hours="4", absence_type=absence_types["sick_leave"].pk).content.decode()
    assert "already has 5 hours of absence that day, so at most 3 more hours can be registered, not 4" in page
    assert own(hours="3", absence_type=absence_types["sick_leave"].pk).status_code == 302
    with pytest.raises(ValidationError, match="already has an absence in this period"):
        actions.do_request_absence(staff.report, {"absence_type": absence_types["vacation"], "start_date": MONDAY,
                                                  "end_date": MONDAY, "grade": 100, "note": ""}, acting_user=tenant.employee)


def test_the_actions_refuse_what_the_form_refuses(staff, absence_types, tenant):
    values = {"absence_type": absence_types["care_of_child"], "start_date": MONDAY, "end_date": None, "grade": 100, "note": ""}
    with pytest.raises(ValidationError, match="at most 8 hours, not 10"):
        actions.do_request_absence(staff.report, {**values, "hours": Decimal("10")}, acting_user=tenant.employee)
    with pytest.raises(ValidationError, match="part of one day"):
        actions.do_request_absence(staff.report, {**values, "hours": Decimal("2"), "end_date": date(2026, 3, 3)},
                                   acting_user=tenant.employee)
    absence = actions.do_request_absence(staff.report, {**values, "hours": Decimal("2")}, acting_user=tenant.employee)
    assert absence.end_date == MONDAY


def test_editing_hours_is_recorded_in_the_history_and_checked_again(staff, absence_types, tenant, client_for):
    absence = actions.do_register_absence(staff.report, {
        "absence_type": absence_types["care_of_child"], "start_date": MONDAY, "end_date": MONDAY, "grade": 100,
        "hours": Decimal("2"), "note": ""}, acting_user=tenant.hr_admin)
    client = client_for(tenant.hr_admin)
    page = client.get(reverse("hr:absence_edit", args=[absence.pk])).content.decode()
    assert 'value="hours" data-length-choice="" id="id_length_1" checked' in page.replace("\n", " ") or "checked" in page
    form = {"absence_type": absence.absence_type_id, "length": "hours", "start_date": MONDAY.isoformat(), "hours": "9",
            "note": ""}
    assert "at most 8 hours, not 9" in client.post(reverse("hr:absence_edit", args=[absence.pk]), form).content.decode()
    assert client.post(reverse("hr:absence_edit", args=[absence.pk]), {**form, "hours": "3,5"}).status_code == 302
    absence.refresh_from_db()
    assert absence.hours == Decimal("3.5")
    record = ChangeRecord.objects.get(absence=absence, field_name="hours")
    assert (record.old_shown, record.new_shown) == ("2", "3.5")


def test_a_decision_does_not_read_the_schedule_again(staff, absence_types, tenant, monkeypatch):
    absence = actions.do_request_absence(staff.report, {
        "absence_type": absence_types["leave"], "start_date": MONDAY, "end_date": None, "grade": 100,
        "hours": Decimal("2"), "note": ""}, acting_user=tenant.employee)
    from hr import working_time

    monkeypatch.setattr(working_time, "scheduled_day", lambda *args: pytest.fail("the schedule was read for a decision"))
    actions.do_approve_absence(absence, acting_user=tenant.manager)
    assert Absence.objects.get(pk=absence.pk).status == AbsenceStatus.APPROVED


def test_every_list_shows_hours_instead_of_days(staff, absence_types, tenant, client_for):
    absence = actions.do_request_absence(staff.report, {
        "absence_type": absence_types["leave"], "start_date": MONDAY, "end_date": None, "grade": 100,
        "hours": Decimal("1.5"), "note": "Tandläkaren"}, acting_user=tenant.employee)
    pages = [
        (tenant.hr_admin, reverse("hr:absence_list")),
        (tenant.hr_admin, reverse("hr:employee_detail", args=[staff.report.pk])),
        (tenant.hr_admin, reverse("hr:absence_edit", args=[absence.pk])),
        (tenant.employee, reverse("hr:my_absences")),
        (tenant.manager, reverse("hr:approvals")),
    ]
    for user, url in pages:
        page = client_for(user).get(url).content.decode()
        assert "1.5 h" in page, url
    with translation.override("sv"):
        assert absence.hours_display == "1,5 h"


def test_the_edit_form_shows_hours_as_people_write_them(staff, absence_types, tenant, client_for):
    absence = actions.do_register_absence(staff.report, {
        "absence_type": absence_types["care_of_child"], "start_date": MONDAY, "end_date": MONDAY, "grade": 100,
        "hours": Decimal("2"), "note": ""}, acting_user=tenant.hr_admin)
    page = client_for(tenant.hr_admin).get(reverse("hr:absence_edit", args=[absence.pk])).content.decode()
    assert 'name="hours" value="2"' in page


def test_the_django_admin_reads_the_days_schedule_outside_any_transaction_and_still_checks_the_hours(
        transactional_db, staff, absence_types, tenant, client_for, monkeypatch):
    """The schedule may come over HTTP from a payroll system; a stand-in source (no payroll system
    here to time) notes whether a transaction was open while it was asked."""
    from django.db import connection

    from hr import working_time
    from organizations.models import User

    asked_in_transaction = []

    class Payroll:
        def day_of(self, employee, day):
            asked_in_transaction.append(connection.in_atomic_block)
            return working_time.ScheduledDay(Decimal("6"), "payroll")

    monkeypatch.setattr(working_time, "SOURCES", [Payroll()])
    absence = actions.do_register_absence(staff.report, {
        "absence_type": absence_types["care_of_child"], "start_date": MONDAY, "end_date": MONDAY, "grade": 100,
        "hours": Decimal("2"), "note": ""}, acting_user=tenant.hr_admin)
    asked_in_transaction.clear()
    client = client_for(User.objects.create_superuser(email="root@alfa.test", password="pw-for-tests-1"))
    url = reverse("admin:hr_absence_change", args=[absence.pk])
    data = {"organization": tenant.organization.pk, "employee": staff.report.pk, "absence_type": absence.absence_type_id,
            "start_date": MONDAY.isoformat(), "end_date": MONDAY.isoformat(), "grade": "100", "status": absence.status,
            "note": ""}
    assert "at most 6 hours, not 7" in client.post(url, {**data, "hours": "7"}).content.decode()
    assert client.post(url, {**data, "hours": "3"}).status_code == 302
    assert Absence.objects.get(pk=absence.pk).hours == Decimal("3")
    assert asked_in_transaction and not any(asked_in_transaction)
