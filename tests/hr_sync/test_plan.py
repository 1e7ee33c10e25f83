"""The planning rules, on Fortnox employee documents as the list endpoint returns them."""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType

from hr.models import Employee
from integrations.core.models import ExternalLink
from integrations.hr_sync.plan import build_plan, problem_texts
from tests.support.hr_sync import employee


def fortnox_employee(employee_id, **fields):
    return {"EmployeeId": employee_id, "FirstName": "Anna", "LastName": "Berg", "Email": "anna@alfa.test", **fields}


def person(plan, key):
    return next(p for p in plan["people"] if p["key"] == key)


def problems_of(plan, key) -> str:
    """A person's problems as the reader (English here) reads them."""
    return " ".join(str(problem) for problem in problem_texts(person(plan, key)))


def link(emp, external_id, values):
    return ExternalLink.objects.create(
        organization=emp.organization, kind="employee", content_type=ContentType.objects.get_for_model(Employee),
        object_id=emp.pk, external_id=external_id, last_synced_values=values,
    )


@pytest.fixture
def anna(tenant):
    return employee(tenant.organization, phone="+46701234567", street="Storgatan 1", postal_code="11122", city="Stockholm",
                    employment_start=date(2024, 1, 15))


def test_people_are_matched_by_email_ignoring_case_the_first_time(tenant, anna):
    plan = build_plan(tenant.organization, [fortnox_employee("7", Email="ANNA@Alfa.test")])
    match = person(plan, f"m{anna.pk}")
    assert match["how"] == "email" and match["external_id"] == "7"


def test_a_fortnox_employee_without_email_is_listed_as_unmatchable_with_the_reason(tenant, anna):
    plan = build_plan(tenant.organization, [fortnox_employee("7", Email="")])
    entry = person(plan, "f7")
    assert entry["section"] == "unmatchable" and "no email address" in problems_of(plan, "f7")
    assert person(plan, f"b{anna.pk}")["section"] == "only_brygga"


def test_differing_values_are_conflicts_and_values_on_one_side_only_are_missing(tenant, anna):
    plan = build_plan(tenant.organization, [fortnox_employee(
        "1001", Phone1="070-765 43 21", Address1="", PostCode="", City="", EmploymentDate="2024-01-15",
        ClearingNo="8327", BankAccountNo="9", EmployedTo="2026-12-31",
    ) | {"ClearingNo": "", "BankAccountNo": ""}])
    match = person(plan, f"m{anna.pk}")
    assert match["conflicts"] == ["phone"]
    assert {(m["field"], m["from"]) for m in match["missing"]} == {("address", "brygga"), ("employment_end", "fortnox")}


def test_the_same_phone_written_differently_is_no_conflict(tenant, anna):
    plan = build_plan(tenant.organization, [fortnox_employee(
        "1001", Phone1="070-123 45 67", Address1="Storgatan 1", PostCode="111 22", City="Stockholm", Country="Sverige",
        EmploymentDate="2024-01-15",
    )])
    match = person(plan, f"m{anna.pk}")
    assert match["conflicts"] == [] and match["missing"] == []


def test_the_employment_id_is_copied_from_fortnox_and_never_a_conflict(tenant, anna):
    plan = build_plan(tenant.organization, [fortnox_employee("77", Phone1="0701234567", EmploymentDate="2024-01-15",
                                                             Address1="Storgatan 1", PostCode="11122", City="Stockholm")])
    match = person(plan, f"m{anna.pk}")
    assert match["automatic"]["brygga"] == ["employment_id"] and match["conflicts"] == []


def test_later_runs_take_one_sided_changes_without_asking_and_only_two_sided_ones_are_conflicts(tenant, anna):
    from integrations.hr_sync.fields import employee_values

    synced = employee_values(anna)
    link(anna, "1001", synced)
    Employee.objects.filter(pk=anna.pk).update(city="Uppsala", given_name="Anne")
    plan = build_plan(tenant.organization, [fortnox_employee(
        "1001", Phone1="0709999999", FirstName="Annika", Address1="Storgatan 1", PostCode="11122", City="Stockholm",
        EmploymentDate="2024-01-15",
    )])
    match = person(plan, f"m{anna.pk}")
    assert match["how"] == "link"
    assert match["automatic"] == {"brygga": ["phone"], "fortnox": ["address"]}
    assert match["conflicts"] == ["given_name"]


def test_duplicate_emails_and_phones_in_fortnox_block_those_people_by_name(tenant):
    plan = build_plan(tenant.organization, [
        fortnox_employee("1", Email="same@x.test", Phone1="0701111111"),
        fortnox_employee("2", Email="SAME@x.test", Phone1="0702222222"),
        fortnox_employee("3", Email="c@x.test", Phone1="0701111111"),
    ])
    assert "also used by Fortnox employee 2" in problems_of(plan, "f1")
    assert "also used by Fortnox employee 1" in problems_of(plan, "f3")


def test_an_invalid_swedish_bank_account_in_fortnox_blocks_the_person(tenant, anna):
    plan = build_plan(tenant.organization, [fortnox_employee("1001", ClearingNo="8327", BankAccountNo="12")])
    assert "Bank account" in problems_of(plan, f"m{anna.pk}")


def test_a_fortnox_value_already_used_by_another_brygga_employee_blocks_the_match(tenant, anna):
    employee(tenant.organization, email="bo@alfa.test", employment_id="1002", phone="+46702222222")
    plan = build_plan(tenant.organization, [fortnox_employee("1002", Phone1="0702222222")])
    problems = problems_of(plan, f"m{anna.pk}")
    assert "Phone" in problems and "Employment ID" in problems


def test_a_brygga_employee_whose_employment_id_fortnox_uses_cannot_be_created_there(tenant, anna):
    plan = build_plan(tenant.organization, [fortnox_employee("1001", Email="other@alfa.test")])
    assert "Employment ID 1001 is already used by Fortnox employee 1001" in problems_of(plan, f"b{anna.pk}")
    assert person(plan, "f1001")["section"] == "only_fortnox"
