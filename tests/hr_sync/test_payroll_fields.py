"""New hires ready for payroll (issue 21): the employment fields payroll needs — personal identity
number, job title, employment form, salary form, personnel type, tax table and column, working-time
schedule — kept in Brygga, validated on both sides and carried both ways through the synced-field
registry, against the sandbox over real HTTP through the product's client."""

import json
import logging

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from hr import actions as hr_actions
from hr.models import ChangeRecord, Employee
from integrations.core import outbox
from integrations.core.models import ExternalLink, OutboxEvent, SyncRun
from integrations.fortnox.errors import FortnoxError
from integrations.hr_sync import fields as hr_fields
from integrations.hr_sync.apply import apply_user_sync, create_in_fortnox, do_start_user_sync
from integrations.hr_sync.plan import build_plan, do_plan_user_sync, problem_texts
from tests.support.hr_sync import create_fortnox_employee, employee, link_to_fortnox

pytestmark = pytest.mark.slow

PIN, PIN_SHOWN_MASKED = "19811218-9876", "••••••••-9876"
COORDINATION_NUMBER = "19701271-2340"  # samordningsnummer: day 11 + 60
OTHER_PIN = "19850101-1236"

# Brygga value -> what Fortnox holds for it, per synced field.
PAYROLL = {
    "personal_identity_number": ({"personal_identity_number": PIN}, {"PersonalIdentityNumber": PIN}),
    "job_title": ({"job_title": "Lagerchef"}, {"JobTitle": "Lagerchef"}),
    "employment_form": ({"employment_form": "probation"}, {"EmploymentForm": "PRO"}),
    "salary_form": ({"salary_form": "hourly"}, {"SalaryForm": "TIM"}),
    "personnel_type": ({"personnel_type": "worker"}, {"PersonelType": "ARB"}),
    "tax_table": ({"tax_table": "32"}, {"TaxTable": "32"}),
    "tax_column": ({"tax_column": 2}, {"TaxColumn": 2}),
    "schedule": ({"schedule": "DEL"}, {"ScheduleId": "DEL"}),
}
# The same fields changed in Fortnox -> what Brygga holds afterwards.
FROM_FORTNOX = {
    "personal_identity_number": ({"PersonalIdentityNumber": COORDINATION_NUMBER}, {"personal_identity_number": COORDINATION_NUMBER}),
    "job_title": ({"JobTitle": "Säljare"}, {"job_title": "Säljare"}),
    "employment_form": ({"EmploymentForm": "SVT"}, {"employment_form": "special_fixed_term"}),
    "salary_form": ({"SalaryForm": "TIM"}, {"salary_form": "hourly"}),
    "personnel_type": ({"PersonelType": "ARB"}, {"personnel_type": "worker"}),
    "tax_table": ({"TaxTable": "35"}, {"tax_table": "35"}),
    "tax_column": ({"TaxColumn": 5}, {"tax_column": 5}),
    "schedule": ({"ScheduleId": "DEL"}, {"schedule": "DEL"}),
}
COMPLETE = {
    "personal_identity_number": PIN, "job_title": "Lagerchef", "employment_form": "permanent", "salary_form": "monthly",
    "personnel_type": "salaried", "tax_table": "33", "tax_column": 1, "schedule": "HEL",
}


def stored(model, column: str, pk: int) -> str:
    """A JSON column as the database holds it, decoded (SQLite stores "•" as \\u2022)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])
        value = cursor.fetchone()[0]
    return json.dumps(json.loads(value) if isinstance(value, str) else value, ensure_ascii=False)


def linked_anna(tenant, fortnox, **brygga):
    """Anna in Brygga and Fortnox, linked, both sides agreeing on every synced field."""
    emp = employee(tenant.organization, **brygga)
    create_fortnox_employee(fortnox, **{"EmployeeId": "1001", **hr_fields.fortnox_document(
        hr_fields.employee_values(emp), creating=True)})
    link = link_to_fortnox(emp, "1001")
    link.remember(hr_fields.employee_values(emp))
    return emp


@pytest.mark.parametrize("field", PAYROLL)
def test_a_payroll_field_changed_in_brygga_reaches_fortnox_in_fortnox_codes(activated, fortnox, tenant, field):
    emp = linked_anna(tenant, fortnox)
    brygga, in_fortnox = PAYROLL[field]
    hr_actions.do_update_employee(emp, brygga, acting_user=tenant.hr_admin)

    assert outbox.push_due() == 1
    event = OutboxEvent.objects.get()
    assert event.status == OutboxEvent.Status.DONE, event.attempt_log
    document = fortnox.get("/3/employees/1001")
    assert {name: document[name] for name in in_fortnox} == in_fortnox


@pytest.mark.parametrize("field", FROM_FORTNOX)
def test_a_payroll_field_changed_in_fortnox_comes_to_brygga_on_synchronising(activated, fortnox, tenant, field):
    emp = linked_anna(tenant, fortnox, **COMPLETE)
    in_fortnox, brygga = FROM_FORTNOX[field]
    fortnox.put("/3/employees/1001", {"Employee": in_fortnox})

    run = do_plan_user_sync(tenant.organization, acting_user=tenant.owner)
    person = next(p for p in run.data["plan"]["people"] if p["key"] == f"m{emp.pk}")
    assert person["automatic"]["brygga"] == [field] and not person["problems"]
    do_start_user_sync(run, {"winners": {}, "fill": {}, "create": []})
    apply_user_sync(run.pk)  # the job, in this process (as test_personal_data.py runs it)

    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, run.log
    emp.refresh_from_db()
    assert {name: getattr(emp, name) for name in brygga} == brygga


@pytest.mark.parametrize("field, value, message", [
    ("personal_identity_number", "19811218-9875", "is not a valid Swedish personal identity number or coordination number"),
    ("personal_identity_number", "19701271-2341", "is not a valid Swedish personal identity number or coordination number"),
    ("job_title", "X" * 31, "Ensure this value has at most 30 characters"),
    ("employment_form", "forever", "Value 'forever' is not a valid choice."),
    ("salary_form", "weekly", "Value 'weekly' is not a valid choice."),
    ("personnel_type", "boss", "Value 'boss' is not a valid choice."),
    ("tax_table", "99", "“99” is not a tax table: Skatteverket's tables are numbered 29–42."),
    ("tax_column", 7, "Ensure this value is less than or equal to 6."),
    ("tax_column", 0, "Ensure this value is greater than or equal to 1."),
])
def test_brygga_refuses_a_bad_payroll_value_with_the_reason(tenant, field, value, message):
    with pytest.raises(ValidationError) as refused:
        hr_actions.do_create_employee(tenant.organization, {
            "given_name": "Anna", "family_name": "Berg", "email": "anna@alfa.test", "employment_id": "1001", field: value,
        }, acting_user=tenant.hr_admin)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Employee.objects.exists()


def test_a_coordination_number_and_a_ten_digit_number_are_stored_in_full_form(tenant):
    emp = employee(tenant.organization)
    hr_actions.do_update_employee(emp, {"personal_identity_number": "701271-2340"}, acting_user=tenant.hr_admin)
    emp.refresh_from_db()
    assert emp.personal_identity_number == COORDINATION_NUMBER


@pytest.mark.parametrize("sent, code", [
    ({"PersonalIdentityNumber": "19811218-9875"}, 2003457),
    ({"EmploymentForm": "XYZ"}, 2000359),
    ({"SalaryForm": "VEC"}, 2000359),
    ({"PersonelType": "CHEF"}, 2000359),
    ({"JobTitle": "X" * 31}, 2000359),
    ({"TaxColumn": 7}, 2000359),
])
def test_the_sandbox_refuses_a_bad_payroll_value_like_fortnox(connected, fortnox, sent, code):
    create_fortnox_employee(fortnox, EmployeeId="1001", Email="nils@alfa.test")
    with pytest.raises(FortnoxError) as refused:
        fortnox.put("/3/employees/1001", {"Employee": sent})
    assert refused.value.code == code
    with pytest.raises(FortnoxError):
        create_fortnox_employee(fortnox, EmployeeId="1002", Email="eva@alfa.test", **sent)


@pytest.mark.parametrize("in_fortnox, reason", [
    ({"TaxTable": "99"}, "is not a tax table"),
    ({"ScheduleId": "HEL", "JobTitle": "Chef", "EmploymentForm": "TV", "TaxTable": "7"}, "is not a tax table"),
])
def test_a_fortnox_value_brygga_cannot_hold_blocks_that_person_with_the_reason(tenant, in_fortnox, reason):
    anna = employee(tenant.organization)
    plan = build_plan(tenant.organization, [{"EmployeeId": "7", "FirstName": "Anna", "LastName": "Berg",
                                             "Email": "anna@alfa.test", **in_fortnox}])
    person = next(p for p in plan["people"] if p["key"] == f"m{anna.pk}")
    assert reason in " ".join(str(text) for text in problem_texts(person))


def test_the_sandbox_stores_and_returns_the_payroll_fields_in_the_list_and_one_by_one(connected, fortnox):
    sent = {"PersonalIdentityNumber": PIN, "JobTitle": "Lagerchef", "EmploymentForm": "VIK", "SalaryForm": "TIM",
            "PersonelType": "ARB", "TaxTable": "34", "TaxColumn": 3, "ScheduleId": "DEL"}
    create_fortnox_employee(fortnox, EmployeeId="1001", Email="nils@alfa.test", **sent)
    one = fortnox.get("/3/employees/1001")
    listed = next(item for item in fortnox.iterate("/3/employees") if item["EmployeeId"] == "1001")
    assert {name: one[name] for name in sent} == sent == {name: listed[name] for name in sent}


def test_a_hire_created_in_fortnox_from_brygga_arrives_complete(activated, fortnox, tenant):
    emp = employee(tenant.organization, **COMPLETE)
    create_in_fortnox(fortnox, emp)
    document = fortnox.get("/3/employees/1001")
    assert {name: document[name] for name in ("PersonalIdentityNumber", "JobTitle", "EmploymentForm", "SalaryForm",
                                               "PersonelType", "TaxTable", "TaxColumn", "ScheduleId")} == {
        "PersonalIdentityNumber": PIN, "JobTitle": "Lagerchef", "EmploymentForm": "TV", "SalaryForm": "MAN",
        "PersonelType": "TJM", "TaxTable": "33", "TaxColumn": 1, "ScheduleId": "HEL"}
    # and both sides now agree on every field: the next synchronisation has nothing to do
    person = next(p for p in build_plan(tenant.organization, [document])["people"] if p["key"] == f"m{emp.pk}")
    assert person["how"] == "link" and not person["conflicts"] and not person["missing"]
    assert person["automatic"] == {"brygga": [], "fortnox": []}


def test_a_hire_added_in_brygga_is_created_in_fortnox_complete_through_the_outbox(activated, fortnox, tenant):
    from integrations.hr_sync.models import HrIntegrationSettings

    HrIntegrationSettings.objects.filter(organization=tenant.organization).update(create_employees=True)
    hr_actions.do_create_employee(tenant.organization, {
        "given_name": "Anna", "family_name": "Berg", "email": "anna@alfa.test", "employment_id": "1001", **COMPLETE,
    }, acting_user=tenant.hr_admin)
    outbox.push_due()
    event = OutboxEvent.objects.get()
    assert event.status == OutboxEvent.Status.DONE, event.attempt_log
    document = fortnox.get("/3/employees/1001")
    assert (document["PersonalIdentityNumber"], document["ScheduleId"], document["TaxColumn"]) == (PIN, "HEL", 1)
    assert PIN not in stored(OutboxEvent, "payload", event.pk) and PIN_SHOWN_MASKED in stored(OutboxEvent, "payload", event.pk)


def test_the_wizard_warns_of_the_zero_hour_schedule_only_for_people_without_a_schedule(activated, fortnox, tenant, client_for):
    org = tenant.organization
    with_schedule = employee(org, schedule="HEL")
    without = employee(org, given_name="Bo", family_name="Lind", email="bo@alfa.test", employment_id="2001")
    client = client_for(tenant.owner)
    planned = client.post(reverse("hr_sync"))
    page = client.get(planned["Location"])
    rows = {p["key"]: p for p in page.context["sections"]["only_brygga"]}
    assert rows[f"b{without.pk}"]["without_schedule"] and not rows[f"b{with_schedule.pk}"]["without_schedule"]
    assert "0-hour schedule" in page.content.decode()

    hr_actions.do_update_employee(without, {"schedule": "DEL"}, acting_user=tenant.hr_admin)
    planned = client.post(reverse("hr_sync"))
    assert "0-hour schedule" not in client.get(planned["Location"]).content.decode()


def test_a_person_without_a_schedule_gets_fortnoxs_0_hour_one_and_that_is_no_change_to_copy_back(activated, fortnox, tenant):
    emp = employee(tenant.organization)
    create_in_fortnox(fortnox, emp)
    document = fortnox.get("/3/employees/1001")
    assert document["ScheduleId"] == "NOLL"
    person = next(p for p in build_plan(tenant.organization, [document])["people"] if p["key"] == f"m{emp.pk}")
    assert person["automatic"] == {"brygga": [], "fortnox": []} and not person["missing"]
    hr_actions.do_update_employee(emp, {"schedule": "HEL"}, acting_user=tenant.hr_admin)
    hr_actions.do_update_employee(emp, {"schedule": ""}, acting_user=tenant.hr_admin)
    outbox.push_due()
    assert fortnox.get("/3/employees/1001")["ScheduleId"] == "NOLL"


def test_the_schedule_field_offers_the_schedules_the_fortnox_company_uses(activated, fortnox, tenant, client_for):
    linked_anna(tenant, fortnox, schedule="DEL")
    page = client_for(tenant.hr_admin).get(reverse("hr:employee_create")).content.decode()
    assert '<datalist id="schedule-codes"><option value="DEL"></datalist>' in page


# Matching by personal identity number on the first synchronisation


def test_people_whose_emails_differ_are_matched_by_personal_identity_number_the_first_time(tenant):
    anna = employee(tenant.organization, personal_identity_number=PIN)
    plan = build_plan(tenant.organization, [{"EmployeeId": "7", "FirstName": "Anna", "LastName": "Berg",
                                             "Email": "anna.berg@privat.test", "PersonalIdentityNumber": "8112189876"}])
    person = next(p for p in plan["people"] if p["key"] == f"m{anna.pk}")
    assert person["how"] == "personal_identity_number" and person["external_id"] == "7"
    assert person["conflicts"] == ["email"]
    assert not [p for p in plan["people"] if p["section"] != "match"]


def test_a_personal_identity_number_two_fortnox_employees_share_matches_nobody(tenant):
    anna = employee(tenant.organization, personal_identity_number=PIN)
    plan = build_plan(tenant.organization, [
        {"EmployeeId": "7", "FirstName": "Anna", "LastName": "Berg", "Email": "a@privat.test", "PersonalIdentityNumber": PIN},
        {"EmployeeId": "8", "FirstName": "Anna", "LastName": "Berg", "Email": "b@privat.test", "PersonalIdentityNumber": PIN},
    ])
    assert {p["section"] for p in plan["people"]} == {"only_fortnox", "only_brygga"}
    assert next(p for p in plan["people"] if p["key"] == f"b{anna.pk}")


def test_an_email_match_wins_over_a_personal_identity_number_match(tenant):
    anna = employee(tenant.organization, personal_identity_number=PIN)
    bo = employee(tenant.organization, given_name="Bo", family_name="Lind", email="bo@alfa.test", employment_id="2001")
    plan = build_plan(tenant.organization, [
        {"EmployeeId": "7", "FirstName": "Anna", "LastName": "Berg", "Email": "anna@alfa.test", "PersonalIdentityNumber": OTHER_PIN},
        {"EmployeeId": "8", "FirstName": "Bo", "LastName": "Lind", "Email": "x@privat.test", "PersonalIdentityNumber": PIN},
    ])
    matched = {p["employee"]: (p["external_id"], p["how"]) for p in plan["people"] if p["section"] == "match"}
    assert matched == {anna.pk: ("7", "email")}
    assert next(p for p in plan["people"] if p["key"] == f"b{bo.pk}")


def test_a_synchronisation_matched_by_personal_identity_number_links_the_person(activated, fortnox, tenant):
    anna = employee(tenant.organization, personal_identity_number=PIN)
    create_fortnox_employee(fortnox, EmployeeId="7", FirstName="Anna", LastName="Berg", Email="anna.berg@privat.test",
                            PersonalIdentityNumber=PIN)
    run = do_plan_user_sync(tenant.organization, acting_user=tenant.owner)
    do_start_user_sync(run, {"winners": {f"m{anna.pk}": {"email": "brygga"}}, "fill": {}, "create": []})
    apply_user_sync(run.pk)
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, run.log
    assert ExternalLink.link_of(anna, "employee").external_id == "7"
    assert fortnox.get("/3/employees/7")["Email"] == "anna@alfa.test"
    assert PIN not in stored(SyncRun, "data", run.pk)


# Who sees what


@pytest.fixture
def anna_with_payroll(tenant):
    return employee(tenant.organization, user=tenant.employee, tax_table="33", tax_column=4, salary_form="hourly",
                    personal_identity_number=PIN, job_title="Lagerchef")


def test_an_hr_admin_sees_and_edits_the_payroll_details(tenant, client_for, anna_with_payroll):
    client = client_for(tenant.hr_admin)
    page = client.get(reverse("hr:employee_detail", args=[anna_with_payroll.pk])).content.decode()
    assert PIN in page and "Hourly pay" in page and "table 33, column 4" in page
    form = client.get(reverse("hr:employee_edit", args=[anna_with_payroll.pk])).context["form"]
    assert {"personal_identity_number", "salary_form", "tax_table", "tax_column"} <= set(form.fields)
    export = b"".join(client.get(reverse("hr:employee_export")).streaming_content).decode()
    assert PIN in export and "Tax column" in export


@pytest.mark.parametrize("role", ["manager", "employee"])
def test_managers_and_employees_do_not_reach_other_peoples_payroll_details(tenant, client_for, anna_with_payroll, role):
    someone = getattr(tenant, role)
    if role == "employee":  # the employee may see their own: make Anna someone else
        Employee.objects.filter(pk=anna_with_payroll.pk).update(user=None)
    client = client_for(someone)
    for url in (reverse("hr:employee_detail", args=[anna_with_payroll.pk]), reverse("hr:employee_export"),
                reverse("hr:employee_edit", args=[anna_with_payroll.pk]), reverse("hr:employee_list")):
        response = client.get(url)
        assert response.status_code == 403, url
    pages = [reverse("hr:my_absences")] + ([reverse("hr:approvals")] if role == "manager" else [])
    for url in pages:
        assert PIN not in client.get(url).content.decode()


def test_an_employee_sees_their_own_payroll_details_read_only(tenant, client_for, anna_with_payroll):
    page = client_for(tenant.employee).get(reverse("hr:my_absences"))
    text = page.content.decode()
    assert PIN in text and "Hourly pay" in text and "table 33, column 4" in text
    assert 'name="personal_identity_number"' not in text and 'name="tax_table"' not in text


def test_another_organizations_hr_admin_sees_nothing_of_them(tenant, other_tenant, client_for, anna_with_payroll):
    client = client_for(other_tenant.hr_admin)
    assert client.get(reverse("hr:employee_detail", args=[anna_with_payroll.pk])).status_code == 404
    export = b"".join(client.get(reverse("hr:employee_export")).streaming_content).decode()
    assert PIN not in export


def test_the_django_admin_hides_the_payroll_details_from_staff_who_are_not_superusers(tenant, client_for, anna_with_payroll):
    from django.contrib.auth.models import Permission

    staff = tenant.hr_admin
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_employee", "change_employee", "view_changerecord"]))
    hr_actions.do_update_employee(anna_with_payroll, {"tax_table": "34"}, acting_user=tenant.hr_admin)
    client = client_for(staff)
    page = client.get(reverse("admin:hr_employee_change", args=[anna_with_payroll.pk])).content.decode()
    assert 'name="given_name"' in page
    assert PIN not in page and 'name="personal_identity_number"' not in page and 'name="tax_table"' not in page
    assert 'name="salary_form"' not in page and 'name="tax_column"' not in page
    history = client.get(reverse("admin:hr_changerecord_changelist"))
    assert history.status_code == 200 and "tax_table" not in history.content.decode()
    assert ChangeRecord.objects.filter(field_name="tax_table").exists()


# Personal data


def test_a_personal_identity_number_is_masked_in_the_history_and_in_what_was_sent_and_never_logged(activated, fortnox, tenant, caplog):
    emp = linked_anna(tenant, fortnox)
    caplog.set_level(logging.DEBUG)
    hr_actions.do_update_employee(emp, {"personal_identity_number": PIN}, acting_user=tenant.hr_admin)
    outbox.push_due()
    event = OutboxEvent.objects.get()
    assert event.status == OutboxEvent.Status.DONE, event.attempt_log
    assert fortnox.get("/3/employees/1001")["PersonalIdentityNumber"] == PIN  # Fortnox gets it in full
    assert PIN not in stored(OutboxEvent, "payload", event.pk)
    record = ChangeRecord.objects.get(field_name="personal_identity_number")
    assert PIN_SHOWN_MASKED in str(record.new_shown) and "9876" in str(record.new_shown)
    assert "1218" not in str(record.new_shown)
    assert "811218" not in caplog.text and "8112189876" not in caplog.text.replace("-", "")
