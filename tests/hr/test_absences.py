"""Absence rules: overlaps, dates, extent, default types and counting work days in Sweden."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from hr import actions, calendar
from hr.forms import AbsenceForm
from hr.models import Absence, AbsenceStatus, AbsenceType


def request(staff, types, start, end=None, code="vacation", **extra):
    return actions.do_request_absence(
        staff.report, {"absence_type": types[code], "start_date": start, "end_date": end, **extra},
        acting_user=staff.report.user,
    )


def test_midsummer_eve_is_a_work_day_as_in_fortnoxs_schedules_and_midsummer_day_and_the_weekend_are_not():
    # Midsommarafton is Friday 19 June 2026 (Fortnox's schedules give it a full day), midsommardagen Saturday 20.
    assert calendar.work_days_between(date(2026, 6, 15), date(2026, 6, 21)) == 5
    assert calendar.is_work_day(date(2026, 6, 19)) and calendar.holiday_name(date(2026, 6, 19)) is None
    assert calendar.holiday_name(date(2026, 6, 20)) == "Midsummer Day"


def test_a_week_without_holidays_has_five_work_days():
    assert calendar.work_days_between(date(2026, 9, 7), date(2026, 9, 13)) == 5
    assert calendar.work_days_between(date(2026, 9, 13), date(2026, 9, 7)) == 0


def test_an_absence_over_christmas_counts_the_eves_but_not_the_holidays(staff, absence_types):
    # 21 Dec 2026 (Mon) – 1 Jan 2027 (Fri): juldagen, nyårsdagen and the weekends off (annandag jul is a Saturday).
    absence = request(staff, absence_types, date(2026, 12, 21), date(2027, 1, 1))
    assert absence.days == 8  # 21–24 and 28–31 December, with julafton and nyårsafton


def test_a_type_not_counted_in_work_days_counts_calendar_days(staff, absence_types):
    parental = absence_types["parental_leave"]
    parental.counts_as_work_days = False
    parental.save(update_fields=["counts_as_work_days"])
    assert request(staff, absence_types, date(2026, 6, 15), date(2026, 6, 21), code="parental_leave").days == 7


def test_an_open_ended_absence_has_no_day_count_yet(staff, absence_types):
    assert request(staff, absence_types, date(2026, 3, 2), code="sick_leave").days is None


def test_each_organization_gets_the_swedish_default_types_once(tenant, other_tenant):
    AbsenceType.objects.ensure_defaults(tenant.organization)
    AbsenceType.objects.ensure_defaults(tenant.organization)
    codes = set(AbsenceType.objects.for_organization(tenant.organization).values_list("code", flat=True))
    assert {"vacation", "sick_leave", "self_certification", "care_of_child", "parental_leave", "leave_of_absence",
            "compensatory_leave"} <= codes
    assert AbsenceType.objects.for_organization(tenant.organization).count() == len(codes)
    assert not AbsenceType.objects.for_organization(other_tenant.organization).exists()


def test_an_absence_type_is_named_in_the_active_language(absence_types):
    from django.utils import translation

    with translation.override("sv"):
        assert str(absence_types["care_of_child"]) == "Vård av barn"
    assert str(absence_types["care_of_child"]) == "Care of child"


@pytest.mark.parametrize("start, end", [
    (date(2026, 9, 9), date(2026, 9, 11)),  # inside
    (date(2026, 9, 4), date(2026, 9, 8)),  # over the first day
    (date(2026, 9, 10), None),  # open-ended from the middle
])
def test_an_overlapping_absence_is_refused_with_a_clear_message(staff, absence_types, start, end):
    request(staff, absence_types, date(2026, 9, 8), date(2026, 9, 12))
    with pytest.raises(ValidationError) as refused:
        request(staff, absence_types, start, end, code="care_of_child")
    assert "Erik Sjöberg already has an absence in this period: Vacation, 2026-09-08 – 2026-09-12 (Requested)." in (
        refused.value.messages)


def test_an_open_ended_absence_blocks_everything_after_it(staff, absence_types):
    request(staff, absence_types, date(2026, 3, 2), code="sick_leave")
    with pytest.raises(ValidationError):
        request(staff, absence_types, date(2027, 1, 4), date(2027, 1, 5))


def test_adjacent_absences_do_not_overlap(staff, absence_types):
    request(staff, absence_types, date(2026, 9, 8), date(2026, 9, 12))
    assert request(staff, absence_types, date(2026, 9, 13), date(2026, 9, 14)).pk


@pytest.mark.parametrize("status", [AbsenceStatus.REJECTED, AbsenceStatus.CANCELLED])
def test_rejected_and_cancelled_absences_free_their_days(staff, absence_types, status):
    earlier = request(staff, absence_types, date(2026, 9, 8), date(2026, 9, 12))
    Absence.objects.filter(pk=earlier.pk).update(status=status)
    assert request(staff, absence_types, date(2026, 9, 8), date(2026, 9, 12)).pk


def test_another_employees_absence_does_not_overlap(staff, absence_types):
    actions.do_register_absence(
        staff.colleague, {"absence_type": absence_types["vacation"], "start_date": date(2026, 9, 8),
                          "end_date": date(2026, 9, 12)}, acting_user=staff.hr_admin.user,
    )
    assert request(staff, absence_types, date(2026, 9, 8), date(2026, 9, 12)).pk


def absence_form(staff, **data):
    return AbsenceForm(data, instance=Absence(organization=staff.report.organization, employee=staff.report))


def test_the_form_reports_an_overlap_too(staff, absence_types):
    request(staff, absence_types, date(2026, 9, 8), date(2026, 9, 12))
    form = absence_form(staff, absence_type=absence_types["vacation"].pk, start_date="2026-09-10", grade=100)
    assert not form.is_valid()
    assert "already has an absence in this period" in form.non_field_errors()[0]


def test_a_last_day_before_the_first_is_refused_on_the_last_day(staff, absence_types):
    form = absence_form(staff, absence_type=absence_types["vacation"].pk, start_date="2026-09-10",
                        end_date="2026-09-09", grade=100)
    assert not form.is_valid()
    assert form.errors["end_date"] == ["The last day cannot be before the first day."]


@pytest.mark.parametrize("grade, message", [
    (0, "Ensure this value is greater than or equal to 1."), (101, "Ensure this value is less than or equal to 100."),
])
def test_an_extent_outside_1_to_100_percent_is_refused(staff, absence_types, grade, message):
    form = absence_form(staff, absence_type=absence_types["vacation"].pk, start_date="2026-09-10", grade=grade)
    assert not form.is_valid()
    assert form.errors["grade"] == [message]


def test_the_form_offers_only_this_organizations_active_types(staff, absence_types, other_tenant):
    AbsenceType.objects.ensure_defaults(other_tenant.organization)
    absence_types["other"].active = False
    absence_types["other"].save(update_fields=["active"])
    offered = set(absence_form(staff).fields["absence_type"].queryset)
    assert offered == {t for t in absence_types.values() if t.code != "other"}


@pytest.mark.parametrize("values", [
    {"start_date": date(2026, 9, 10), "end_date": date(2026, 9, 9), "grade": 100},
    {"start_date": date(2026, 9, 10), "end_date": None, "grade": 0},
    {"start_date": date(2026, 9, 10), "end_date": None, "grade": 101},
])
def test_the_database_refuses_invalid_absences_that_bypass_validation(staff, absence_types, values):
    with pytest.raises(IntegrityError), transaction.atomic():
        Absence.objects.create(organization=staff.report.organization, employee=staff.report,
                               absence_type=absence_types["vacation"], **values)
