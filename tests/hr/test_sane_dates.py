"""Issue 15, defect 4 and "sane values only": dates outside 1900-01-01 … 2100-12-31 are refused with
a message wherever a date is entered, an absence longer than two years must be split, and no
page crashes on a date already stored (absences saved before the rule, or written around it)."""

from datetime import date

import pytest
from django.urls import reverse

from hr.models import Absence, AbsenceStatus, Employee
from tests.support.hr import employee_values

OUT_OF_RANGE = "is outside the dates Brygga accepts: enter a date from 1900-01-01 to 2100-12-31."


@pytest.mark.parametrize("start, end", [("9999-12-31", "9999-12-31"), ("0001-01-01", "2026-08-07"), ("2026-08-03", "2101-01-01")])
def test_an_absence_outside_1900_to_2100_is_refused_with_a_message_on_every_absence_form(
        tenant, staff, absence_types, client_for, start, end):
    absence = {"absence_type": absence_types["vacation"].pk, "start_date": start, "end_date": end, "grade": "100"}
    registered = client_for(tenant.hr_admin).post(reverse("hr:absence_register", args=[staff.colleague.pk]),
                                                  {**absence, "approved": "on"})
    requested = client_for(tenant.employee).post(reverse("hr:my_absences"), absence)

    for response in (registered, requested):
        assert response.status_code == 200 and OUT_OF_RANGE in response.content.decode()
    assert not Absence.objects.exists()


def test_an_employment_date_outside_1900_to_2100_is_refused_with_a_message(tenant, staff, client_for):
    data = {**employee_values(email="ny@alfa.test"), "employment_start": "0001-01-01", "active": "on"}
    response = client_for(tenant.hr_admin).post(reverse("hr:employee_create"), data)
    assert response.status_code == 200 and f"0001-01-01 {OUT_OF_RANGE}" in response.content.decode()
    assert not Employee.objects.filter(email="ny@alfa.test").exists()


def test_an_absence_longer_than_two_years_must_be_split(tenant, staff, absence_types, client_for):
    response = client_for(tenant.hr_admin).post(reverse("hr:absence_register", args=[staff.colleague.pk]), {
        "absence_type": absence_types["leave_of_absence"].pk, "start_date": "2026-01-01", "end_date": "2028-01-01",
        "grade": "100", "approved": "on"})
    assert "its last day can be 2027-12-31 at the latest. Register a longer one as two or more absences" in response.content.decode()
    assert not Absence.objects.exists()
    two_years = client_for(tenant.hr_admin).post(reverse("hr:absence_register", args=[staff.colleague.pk]), {
        "absence_type": absence_types["leave_of_absence"].pk, "start_date": "2026-01-01", "end_date": "2027-12-31",
        "grade": "100", "approved": "on"})
    assert two_years.status_code == 302 and Absence.objects.get().days == 510


@pytest.mark.parametrize("start, end", [(date(9999, 12, 31), date(9999, 12, 31)), (date(1, 1, 1), date(9999, 12, 31)),
                                        (date(1, 1, 1), date(1, 1, 1))])
def test_pages_show_an_absence_stored_with_dates_out_of_range_instead_of_failing(
        tenant, staff, absence_types, client_for, start, end):
    """Written around the forms (as data from before the rule): the pages must still open."""
    absence = Absence.objects.create(organization=tenant.organization, employee=staff.report, start_date=start,
                                     end_date=end, absence_type=absence_types["vacation"], status=AbsenceStatus.APPROVED)
    hr_admin, employee = client_for(tenant.hr_admin), client_for(tenant.employee)
    for client, url in ((hr_admin, reverse("hr:employee_detail", args=[staff.report.pk])),
                        (hr_admin, reverse("hr:absence_edit", args=[absence.pk])),
                        (employee, reverse("hr:my_absences"))):
        response = client.get(url)
        assert response.status_code == 200, url
        assert end.isoformat() in response.content.decode()
