"""The HR pages for each role: who may open what, what they meet, and how many queries it takes."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from hr import actions
from hr.models import Absence, AbsenceStatus, ChangeRecord, Employee
from tests.support.hr import HR_ROLES, ROLES, employee_values


@pytest.fixture
def requested(staff, absence_types):
    return actions.do_request_absence(
        staff.report, {"absence_type": absence_types["vacation"], "start_date": date(2026, 7, 6),
                       "end_date": date(2026, 7, 10)}, acting_user=staff.report.user,
    )


def hr_pages(staff, requested):
    return [
        ("get", reverse("hr:absence_list")), ("get", reverse("hr:employee_list")), ("get", reverse("hr:employee_export")),
        ("get", reverse("hr:employee_create")), ("get", reverse("hr:employee_detail", args=[staff.report.pk])),
        ("get", reverse("hr:employee_edit", args=[staff.report.pk])),
        ("post", reverse("hr:employee_deactivate", args=[staff.colleague.pk])),
        ("get", reverse("hr:absence_register", args=[staff.report.pk])),
        ("get", reverse("hr:absence_edit", args=[requested.pk])),
        ("post", reverse("hr:absence_delete", args=[requested.pk])),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_only_hr_and_organization_admins_open_the_hr_admin_pages(tenant, staff, requested, client_for, role):
    client = client_for(getattr(tenant, role))
    for method, url in hr_pages(staff, requested):
        status = getattr(client, method)(url).status_code
        assert status in ((200, 302) if role in HR_ROLES else (403,)), (role, url, status)


def test_an_outsider_is_refused_every_hr_page(tenant, staff, requested, outsider, client_for):
    client = client_for(outsider)
    pages = hr_pages(staff, requested) + [("get", reverse("hr:approvals")), ("get", reverse("hr:my_absences"))]
    for method, url in pages:
        assert getattr(client, method)(url).status_code == 403, url


def test_an_anonymous_visitor_is_sent_to_log_in(staff):
    from django.test import Client

    response = Client().get(reverse("hr:employee_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_organizations_employee_and_absence_are_not_found(tenant, other_tenant, staff, requested, client_for):
    client = client_for(other_tenant.hr_admin)
    for method, url in hr_pages(staff, requested)[4:]:
        assert getattr(client, method)(url).status_code == 404, url
    for name in ("hr:absence_approve", "hr:absence_reject", "hr:absence_cancel", "absence_fortnox_retry"):
        assert client.post(reverse(name, args=[requested.pk])).status_code == 404
    assert client.post(reverse("employee_fortnox_retry", args=[staff.report.pk])).status_code == 404
    for url in (reverse("absence_fortnox_badge", args=[requested.pk]), reverse("employee_fortnox_badge", args=[staff.report.pk])):
        assert client.get(url).status_code == 404
    assert Absence.objects.filter(pk=requested.pk, status=AbsenceStatus.REQUESTED).exists()


@pytest.mark.parametrize("role, allowed", [("owner", True), ("hr_admin", True), ("manager", True),
                                           ("employee", False), ("warehouse", False)])
def test_the_approvals_page_is_for_those_who_approve(tenant, staff, client_for, role, allowed):
    assert client_for(getattr(tenant, role)).get(reverse("hr:approvals")).status_code == (200 if allowed else 403)


@pytest.mark.parametrize("role", ROLES)
def test_every_member_may_open_their_own_absence_page(tenant, client_for, role):
    assert client_for(getattr(tenant, role)).get(reverse("hr:my_absences")).status_code == 200


def test_an_hr_admin_creates_an_employee(tenant, client_for):
    data = employee_values(email="ny@alfa.test", clearing_number="5000", account_number="4999622")
    data.update(employment_start="2024-01-15", active="on")
    response = client_for(tenant.hr_admin).post(reverse("hr:employee_create"), data, follow=True)
    employee = Employee.objects.get(email="ny@alfa.test")
    assert response.redirect_chain[-1][0] == reverse("hr:employee_detail", args=[employee.pk])
    assert f"{employee} was added." in response.content.decode()


@pytest.mark.parametrize("overrides, message", [
    ({"clearing_number": "5000", "account_number": "1234567"}, "Account number 1234567 fails SEB&#x27;s check digit"),
    ({"email": "ERIK@ALFA.TEST"}, "Another employee already has this email address"),
    ({"phone": "070-999 88 77"}, "Another employee already has this phone number."),
    ({"employment_start": "2024-05-01", "employment_end": "2024-04-01"}, "The employment cannot end before it starts."),
])
def test_an_hr_admin_meets_a_clear_message_for_invalid_input(tenant, staff, client_for, overrides, message):
    actions.do_update_employee(staff.report, {"email": "erik@alfa.test", "phone": "0709998877"},
                               acting_user=tenant.hr_admin)
    data = employee_values(**overrides)
    data.update(active="on")
    data.setdefault("employment_start", "2024-01-15")
    response = client_for(tenant.hr_admin).post(reverse("hr:employee_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Employee.objects.filter(email=data["email"]).exclude(pk=staff.report.pk).exists()


def test_an_hr_admin_edits_an_employee_and_sees_the_history(tenant, staff, client_for):
    client = client_for(tenant.hr_admin)
    data = {f: getattr(staff.colleague, f) or "" for f in Employee.TRACKED_FIELDS if f not in ("manager", "user")}
    data.update(city="Kiruna", active="on", employment_start="2024-01-15")
    response = client.post(reverse("hr:employee_edit", args=[staff.colleague.pk]), data, follow=True)
    page = response.content.decode()
    assert "The changes to Göran Bäckström" in page
    assert "Kiruna" in page and "Stockholm" in page and tenant.hr_admin.email in page


def test_an_hr_admin_deactivates_an_employee(tenant, staff, client_for):
    response = client_for(tenant.hr_admin).post(
        reverse("hr:employee_deactivate", args=[staff.colleague.pk]), follow=True)
    assert "Göran Bäckström was deactivated." in response.content.decode()
    assert not Employee.objects.get(pk=staff.colleague.pk).active


def test_an_hr_admin_registers_an_approved_absence(tenant, staff, absence_types, client_for):
    response = client_for(tenant.hr_admin).post(reverse("hr:absence_register", args=[staff.colleague.pk]), {
        "absence_type": absence_types["leave_of_absence"].pk, "start_date": "2026-08-03", "end_date": "2026-08-07",
        "grade": "100", "approved": "on",
    }, follow=True)
    absence = Absence.objects.get(employee=staff.colleague)
    assert (absence.status, absence.decided_by) == (AbsenceStatus.APPROVED, tenant.hr_admin)
    assert "was registered" in response.content.decode()


def test_an_hr_admin_edits_and_deletes_an_absence(tenant, staff, requested, client_for):
    client = client_for(tenant.hr_admin)
    client.post(reverse("hr:absence_edit", args=[requested.pk]), {
        "absence_type": requested.absence_type_id, "start_date": "2026-07-06", "end_date": "2026-07-08", "grade": "50",
    })
    assert Absence.objects.get(pk=requested.pk).grade == 50
    page = client.get(reverse("hr:absence_edit", args=[requested.pk])).content.decode()
    assert "extent (%)" in page  # the history names the changed field
    client.post(reverse("hr:absence_delete", args=[requested.pk]))
    assert not Absence.objects.filter(pk=requested.pk).exists()
    assert ChangeRecord.objects.filter(action=ChangeRecord.Action.DELETED, employee=staff.report).exists()


def test_an_employee_requests_absence_and_sees_it(tenant, staff, absence_types, client_for):
    client = client_for(tenant.employee)
    response = client.post(reverse("hr:my_absences"), {
        "absence_type": absence_types["vacation"].pk, "start_date": "2026-06-15", "end_date": "2026-06-21",
        "grade": "100", "note": "Midsommar",
    }, follow=True)
    page = response.content.decode()
    assert "Your absence" in page and "was saved" in page and "Midsommar" in page
    assert Absence.objects.get(employee=staff.report).status == AbsenceStatus.REQUESTED


def test_an_overlapping_request_is_refused_on_the_page(tenant, staff, requested, client_for):
    response = client_for(tenant.employee).post(reverse("hr:my_absences"), {
        "absence_type": requested.absence_type_id, "start_date": "2026-07-08", "grade": "100",
    })
    assert "already has an absence in this period" in response.content.decode()
    assert Absence.objects.filter(employee=staff.report).count() == 1


def test_an_employee_sees_their_own_record_with_the_bank_account_masked(tenant, staff, client_for):
    page = client_for(tenant.employee).get(reverse("hr:my_absences")).content.decode()
    assert "••••-•••9622" in page and "4999622" not in page


def test_an_hr_admin_sees_the_full_bank_account(tenant, staff, client_for):
    page = client_for(tenant.hr_admin).get(reverse("hr:employee_detail", args=[staff.report.pk])).content.decode()
    assert "5000-4999622" in page


def test_a_member_without_an_employee_record_is_told_to_ask_hr(tenant, client_for):
    page = client_for(tenant.warehouse).get(reverse("hr:my_absences")).content.decode()
    assert "not linked to an employee record" in page


def test_an_employee_cancels_their_request_but_not_a_colleagues(tenant, staff, requested, absence_types, client_for):
    other = actions.do_register_absence(
        staff.colleague, {"absence_type": absence_types["vacation"], "start_date": date(2026, 7, 6)},
        acting_user=tenant.hr_admin,
    )
    client = client_for(tenant.employee)
    assert client.post(reverse("hr:absence_cancel", args=[other.pk])).status_code == 403
    response = client.post(reverse("hr:absence_cancel", args=[requested.pk]), follow=True)
    assert "was cancelled" in response.content.decode()
    assert Absence.objects.get(pk=requested.pk).status == AbsenceStatus.CANCELLED


def test_a_manager_sees_and_approves_their_reports_request(tenant, staff, requested, client_for):
    client = client_for(tenant.manager)
    assert "Erik Sjöberg" in client.get(reverse("hr:approvals")).content.decode()
    response = client.post(reverse("hr:absence_approve", args=[requested.pk]), follow=True)
    assert "Vacation for Erik Sjöberg was approved." in response.content.decode()
    assert Absence.objects.get(pk=requested.pk).status == AbsenceStatus.APPROVED


def test_a_manager_neither_sees_nor_decides_other_peoples_requests(tenant, staff, absence_types, client_for):
    other = actions.do_register_absence(
        staff.colleague, {"absence_type": absence_types["vacation"], "start_date": date(2026, 7, 6)},
        acting_user=tenant.hr_admin, approved=False,
    )
    client = client_for(tenant.manager)
    assert "Göran" not in client.get(reverse("hr:approvals")).content.decode()
    assert client.post(reverse("hr:absence_reject", args=[other.pk])).status_code == 403
    assert Absence.objects.get(pk=other.pk).status == AbsenceStatus.REQUESTED


def test_deciding_twice_gives_a_message_not_an_error(tenant, staff, requested, client_for):
    client = client_for(tenant.manager)
    client.post(reverse("hr:absence_reject", args=[requested.pk]))
    response = client.post(reverse("hr:absence_approve", args=[requested.pk]), follow=True)
    assert "This absence is rejected; it can no longer be changed that way." in response.content.decode()


@pytest.mark.parametrize("name", ["hr:absence_approve", "hr:absence_reject", "hr:employee_deactivate",
                                  "hr:absence_cancel"])
def test_state_changing_pages_refuse_get(tenant, staff, requested, client_for, name):
    pk = staff.colleague.pk if name == "hr:employee_deactivate" else requested.pk
    assert client_for(tenant.owner).get(reverse(name, args=[pk])).status_code == 405


def test_deleting_an_absence_asks_first_and_the_question_changes_nothing(tenant, staff, requested, client_for):
    client = client_for(tenant.hr_admin)
    edit_page = client.get(reverse("hr:absence_edit", args=[requested.pk])).content.decode()
    assert f'<a href="{reverse("hr:absence_delete", args=[requested.pk])}"' in edit_page  # a link to the question, not a form

    question = client.get(reverse("hr:absence_delete", args=[requested.pk])).content.decode()

    assert "Delete Vacation for Erik Sjöberg" in question and "It cannot be undone." in question
    assert "Yes, delete it" in question and Absence.objects.filter(pk=requested.pk).exists()


def test_the_employee_list_searches_and_filters(tenant, staff, client_for):
    actions.do_deactivate_employee(staff.colleague, acting_user=tenant.hr_admin)
    client = client_for(tenant.hr_admin)
    page = client.get(reverse("hr:employee_list"), {"q": "sjöb"}).content.decode()
    assert "Sjöberg" in page and "Håkan" not in page
    assert "Bäckström" not in client.get(reverse("hr:employee_list")).content.decode()
    assert "Bäckström" in client.get(reverse("hr:employee_list"), {"status": "inactive"}).content.decode()
    assert "Select a valid choice" in client.get(reverse("hr:employee_list"), {"status": "x"}).content.decode()
    assert client.get(reverse("hr:employee_list"), {"page": "abc"}).status_code == 200


@pytest.mark.parametrize("typed", ["SJÖBERG", "sjöberg", "ÅSA SJÖ"])
def test_the_employee_list_search_ignores_the_case_of_swedish_letters(tenant, staff, client_for, typed):
    staff.report.given_name = "Åsa"
    staff.report.save(update_fields=["given_name"])
    page = client_for(tenant.hr_admin).get(reverse("hr:employee_list"), {"q": typed}).content.decode()
    assert "Sjöberg" in page and "Håkan" not in page


def test_the_csv_export_has_every_field_for_hr_admins(tenant, staff, client_for):
    response = client_for(tenant.hr_admin).get(reverse("hr:employee_export"))
    text = b"".join(response.streaming_content).decode("utf-8")
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Employment ID,Given name,Family name,Email")
    assert len(lines) == 1 + 4
    assert any("Sjöberg" in line and "4999622" in line for line in lines)


def test_the_employee_list_takes_the_same_queries_for_many_employees(tenant, staff, make_employee, client_for,
                                                                    django_assert_max_num_queries):
    for _ in range(60):
        make_employee(manager=staff.manager)
    client = client_for(tenant.hr_admin)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("hr:employee_list")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("hr:employee_list"), {"q": "Öberg", "page": "2"}).status_code == 200


def test_the_approvals_and_own_pages_take_few_queries(tenant, staff, absence_types, client_for,
                                                     django_assert_max_num_queries):
    for week in range(12):
        start = date(2027, 1, 4 + 7 * (week % 4)) if week < 4 else date(2027, 2 + week // 4, 1 + week % 4 * 7)
        actions.do_request_absence(staff.report, {"absence_type": absence_types["vacation"], "start_date": start,
                                                  "end_date": start}, acting_user=tenant.employee)
    manager, employee, hr_admin = (client_for(u) for u in (tenant.manager, tenant.employee, tenant.hr_admin))
    with django_assert_max_num_queries(9):
        assert manager.get(reverse("hr:approvals")).status_code == 200
    with django_assert_max_num_queries(11):
        assert employee.get(reverse("hr:my_absences")).status_code == 200
    with django_assert_max_num_queries(11):
        assert hr_admin.get(reverse("hr:employee_detail", args=[staff.report.pk])).status_code == 200


def test_an_edit_in_the_django_admin_is_recorded_and_signalled(tenant, staff, client_for):
    from organizations.models import User

    superuser = User.objects.create_superuser(email="root@alfa.test", password="pw-for-tests-1")
    client = client_for(superuser)
    url = reverse("admin:hr_employee_change", args=[staff.colleague.pk])
    data = {f: getattr(staff.colleague, f) or "" for f in Employee.TRACKED_FIELDS if f not in ("manager", "user")}
    data.update(organization=tenant.organization.pk, city="Visby", active="on", employment_start="2024-01-15")
    assert client.post(url, data).status_code == 302
    change = ChangeRecord.objects.get(employee=staff.colleague, field_name="city")
    assert (change.new_value, change.changed_by) == ("Visby", superuser)


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_exported_as_text(tenant, staff, client_for):
    """Typed by a person or imported from Fortnox (written directly, as an import does): no cell
    may start with =, +, -, @, a tab or a carriage return."""
    Employee.objects.filter(pk=staff.report.pk).update(
        given_name='=HYPERLINK("https://evil.example","Klicka")', family_name="+46-1", street="-2+3",
        city="@SUM(A1)", phone="\t=1+1", country="\r=",
    )
    response = client_for(tenant.hr_admin).get(reverse("hr:employee_export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff"))))
    exported = next(row for row in rows if "'+46-1" in row)
    assert exported[1:3] == ['\'=HYPERLINK("https://evil.example","Klicka")', "'+46-1"]
    assert exported[4] == "'\t=1+1" and exported[5] == "'-2+3" and exported[7] == "'@SUM(A1)" and exported[8] == "'\r="
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


def test_a_double_clicked_approve_shows_success_and_approves_once(tenant, staff, requested, client_for):
    client = client_for(tenant.manager)
    client.post(reverse("hr:absence_approve", args=[requested.pk]))
    response = client.post(reverse("hr:absence_approve", args=[requested.pk]), follow=True)
    page = response.content.decode()
    assert "Vacation for Erik Sjöberg was approved." in page
    assert "can no longer be changed" not in page
    assert ChangeRecord.objects.filter(absence=requested, field_name="status").count() == 1


def test_approving_what_another_approver_already_approved_names_them_instead_of_an_error(tenant, staff, requested, client_for):
    client_for(tenant.hr_admin).post(reverse("hr:absence_approve", args=[requested.pk]))
    response = client_for(tenant.manager).post(reverse("hr:absence_approve", args=[requested.pk]), follow=True)
    page = response.content.decode()
    assert f"Vacation for Erik Sjöberg was already approved by {tenant.hr_admin}." in page
    assert Absence.objects.get(pk=requested.pk).decided_by == tenant.hr_admin
