import pytest

from tests.support import openapi_contract as contract
from tests.support.sandbox_api import ANNA, create_employee, error_code


@pytest.fixture
def api(connect):
    return connect("salary")


def test_an_employee_id_is_generated_when_omitted(api):
    first, second = create_employee(api), create_employee(api, FirstName="Björn")
    assert (first["EmployeeId"], second["EmployeeId"]) == ("1", "2")
    assert first["FullName"] == "Anna Berg" and first["@url"].endswith("/sandbox/fortnox/3/employees/1")


def test_generated_ids_continue_after_a_typed_in_number(api):
    create_employee(api, EmployeeId="41")
    assert create_employee(api)["EmployeeId"] == "42"


def test_a_taken_employee_id_is_refused(api):
    create_employee(api, EmployeeId="7")
    response = api.post("3/employees", {"Employee": {**ANNA, "EmployeeId": "7"}})
    assert response.status_code == 400 and "används redan" in response.json()["ErrorInformation"]["message"]


def test_the_employee_id_cannot_be_changed(api):
    create_employee(api, EmployeeId="7")
    response = api.put("3/employees/7", {"Employee": {"EmployeeId": "8"}})
    assert response.status_code == 400 and error_code(response) == 2003453
    assert api.get("3/employees/8").status_code == 404


def test_employees_cannot_be_deleted(api):
    create_employee(api, EmployeeId="7")
    assert api.delete("3/employees/7").status_code == 405
    assert api.get("3/employees/7").status_code == 200


@pytest.mark.parametrize("missing", ["FirstName", "LastName", "Email"])
def test_the_fields_the_spec_requires_are_required(api, missing):
    body = {key: value for key, value in ANNA.items() if key != missing}
    response = api.post("3/employees", {"Employee": body})
    assert response.status_code == 400 and missing in response.json()["ErrorInformation"]["message"]


def test_an_employee_created_without_a_schedule_gets_the_zero_hour_schedule(api):
    employee = create_employee(api)
    assert employee["ScheduleId"] == "NOLL"
    assert employee["DatedSchedules"] == [{"EmployeeId": "1", "FirstDay": "1970-01-01", "ScheduleId": "NOLL"}]


def test_schedule_id_and_dated_schedules_cannot_both_be_sent(api):
    response = api.post("3/employees", {"Employee": {**ANNA, "ScheduleId": "HEL", "DatedSchedules": [
        {"EmployeeId": "1", "FirstDay": "1970-01-01", "ScheduleId": "HEL"}]}})
    assert error_code(response) == 2003454


@pytest.mark.parametrize("rows", [
    [{"EmployeeId": "1", "FirstDay": "2024-01-01", "ScheduleId": "HEL"}],
    [{"EmployeeId": "1", "FirstDay": "1970-01-01", "ScheduleId": "HEL"},
     {"EmployeeId": "1", "FirstDay": "1970-01-01", "ScheduleId": "DEL"}],
    [{"EmployeeId": "1", "FirstDay": "1970-01-01", "ScheduleId": "HEL"},
     {"EmployeeId": "1", "FirstDay": "2024-01-01", "ScheduleId": "HEL"},
     {"EmployeeId": "1", "FirstDay": "2024-01-01", "ScheduleId": "DEL"}],
])
def test_dated_schedules_need_one_1970_row_and_unique_days(api, rows):
    response = api.post("3/employees", {"Employee": {**ANNA, "DatedSchedules": rows}})
    assert response.status_code == 400 and error_code(response) == 2003454


def test_an_unknown_schedule_is_refused(api):
    assert error_code(api.post("3/employees", {"Employee": {**ANNA, "ScheduleId": "XYZ"}})) == 2003451


def test_the_current_schedule_follows_the_dated_rows(api):
    employee = create_employee(api, DatedSchedules=[
        {"EmployeeId": "x", "FirstDay": "1970-01-01", "ScheduleId": "DEL"},
        {"EmployeeId": "x", "FirstDay": "2000-01-01", "ScheduleId": "HEL"},
        {"EmployeeId": "x", "FirstDay": "2999-01-01", "ScheduleId": "NOLL"},
    ])
    assert employee["ScheduleId"] == "HEL" and len(employee["DatedSchedules"]) == 3


def test_dated_wages_cannot_be_combined_with_a_monthly_salary(api):
    response = api.post("3/employees", {"Employee": {**ANNA, "MonthlySalary": "35000", "DatedWages": [
        {"EmployeeId": "1", "FirstDay": "1970-01-01", "MonthlySalary": "30000"}]}})
    assert error_code(response) == 2003454


def test_salaries_come_back_as_strings(api):
    assert create_employee(api, MonthlySalary=35000)["MonthlySalary"] == "35000"


def test_put_changes_only_the_fields_sent(api):
    create_employee(api, EmployeeId="7", City="Malmö")
    updated = api.put("3/employees/7", {"Employee": {"Phone1": "070-1234567", "ScheduleId": "HEL"}}).json()["Employee"]
    assert (updated["City"], updated["Phone1"], updated["ScheduleId"]) == ("Malmö", "070-1234567", "HEL")


def test_read_only_fields_are_ignored_on_writes(api):
    employee = create_employee(api, FullName="Someone Else")
    assert employee["FullName"] == "Anna Berg"


@pytest.mark.parametrize(("body", "code"), [
    ({"Inactive": "yes"}, 2000134),
    ({"TaxColumn": "many"}, 2000108),
    ({"EmploymentForm": "XX"}, 2000359),
    ({"JobTitle": "x" * 31}, 2000359),
    ({"EmploymentDate": "15/01/2024"}, 2000359),
    ({"Shoesize": 42}, 2001399),
])
def test_bodies_are_checked_against_the_spec(api, body, code):
    response = api.post("3/employees", {"Employee": {**ANNA, **body}})
    assert response.status_code == 400 and error_code(response) == code


def test_the_active_and_inactive_filters(api):
    create_employee(api)
    create_employee(api, Inactive=True)
    assert [e["EmployeeId"] for e in api.get("3/employees", {"filter": "active"}).json()["Employees"]] == ["1"]
    assert [e["EmployeeId"] for e in api.get("3/employees", {"filter": "inactive"}).json()["Employees"]] == ["2"]


def test_an_unknown_employee_is_a_404_with_capitalised_keys(api):
    response = api.get("3/employees/999")
    assert response.status_code == 404
    assert response.json() == {"ErrorInformation": {"Error": 1, "Message": "Kan inte hitta den anställda.", "Code": 2003450}}


def test_employee_responses_match_the_spec(api):
    created = api.post("3/employees", {"Employee": {**ANNA, "ScheduleId": "HEL", "MonthlySalary": "35000"}})
    contract.assert_matches(created, "POST", "/3/employees")
    contract.assert_matches(api.get("3/employees/1"), "GET", "/3/employees/{EmployeeId}")
    contract.assert_matches(api.put("3/employees/1", {"Employee": {"City": "Luleå"}}), "PUT", "/3/employees/{EmployeeId}")
    listed = api.get("3/employees")
    contract.assert_list_has_meta(listed)
    contract.assert_matches(listed, "GET", "/3/employees")
    contract.assert_matches(api.get("3/employees/404"), "GET", "/3/employees/{EmployeeId}")


def test_an_empty_dated_schedules_list_is_refused(api):
    assert error_code(api.post("3/employees", {"Employee": {**ANNA, "DatedSchedules": []}})) == 2003454
