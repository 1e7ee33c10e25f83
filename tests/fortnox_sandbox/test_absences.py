from datetime import date

import pytest

from tests.support import openapi_contract as contract
from tests.support.sandbox_api import create_employee, error_code

MONDAY = "2025-03-03"
NATIONAL_DAY = "2025-06-06"  # a Friday


@pytest.fixture
def api(connect):
    api = connect("salary")
    create_employee(api, EmployeeId="1", ScheduleId="HEL")
    create_employee(api, EmployeeId="2", ScheduleId="DEL")
    return api


def absence(api, **fields):
    body = {"EmployeeId": "1", "CauseCode": "SJK", "Date": MONDAY, **fields}
    return api.post("3/absencetransactions", {"AbsenceTransaction": body})


def test_a_new_absence_gets_a_uuid_and_a_url(api):
    created = absence(api)
    assert created.status_code == 201
    transaction = created.json()["AbsenceTransaction"]
    assert len(transaction["id"]) == 36 and transaction["@url"].endswith(transaction["id"])


def test_hours_are_the_scheduled_day_when_extent_and_hours_are_omitted(api):
    transaction = absence(api).json()["AbsenceTransaction"]
    assert (transaction["Extent"], transaction["Hours"]) == ("100", "8")


def test_hours_follow_the_extent_and_the_part_time_schedule(api):
    transaction = absence(api, EmployeeId="2", Extent=50).json()["AbsenceTransaction"]
    assert (transaction["Extent"], transaction["Hours"]) == ("50", "2")


def test_extent_is_derived_from_hours_when_only_hours_are_given(api):
    transaction = absence(api, Hours=2).json()["AbsenceTransaction"]
    assert (transaction["Extent"], transaction["Hours"]) == ("25", "2")


def test_a_public_holiday_has_no_hours_to_be_absent_from(api):
    assert absence(api, Date=NATIONAL_DAY).json()["AbsenceTransaction"]["Hours"] == "0"


def test_an_edited_schedule_day_changes_the_computed_hours(api):
    api.put(f"3/scheduletimes/1/{MONDAY}", {"ScheduleTime": {"Hours": "6"}})
    assert absence(api).json()["AbsenceTransaction"]["Hours"] == "6"


def test_several_absences_on_one_day_are_allowed_and_found_by_the_lookup(api):
    absence(api, Extent=50)
    absence(api, Extent=50)
    absence(api, CauseCode="VAB", Extent=50)
    found = api.get(f"3/absencetransactions/1/{MONDAY}/SJK").json()
    assert [t["CauseCode"] for t in found["AbsenceTransactions"]] == ["SJK", "SJK"]
    assert found["MetaInformation"]["@TotalResources"] == 2


def test_the_list_filters_by_employee_and_date(api):
    absence(api)
    absence(api, EmployeeId="2")
    absence(api, Date="2025-03-04")
    by_employee = api.get("3/absencetransactions", {"employeeid": "1"}).json()["AbsenceTransactions"]
    by_date = api.get("3/absencetransactions", {"date": MONDAY}).json()["AbsenceTransactions"]
    assert len(by_employee) == 2 and len(by_date) == 2


def test_an_absence_is_read_changed_and_deleted_by_its_id(api):
    transaction_id = absence(api).json()["AbsenceTransaction"]["id"]
    assert api.get(f"3/absencetransactions/{transaction_id}").json()["AbsenceTransaction"]["CauseCode"] == "SJK"
    changed = api.put(f"3/absencetransactions/{transaction_id}", {"AbsenceTransaction": {"Extent": 50}})
    assert changed.json()["AbsenceTransaction"]["Hours"] == "4"
    assert api.delete(f"3/absencetransactions/{transaction_id}").status_code == 204
    assert api.get(f"3/absencetransactions/{transaction_id}").status_code == 404


def test_an_unknown_employee_is_a_clear_400(api):
    response = absence(api, EmployeeId="99")
    assert response.status_code == 400
    assert response.json()["ErrorInformation"]["message"] == "Anställd med anställningsnummer 99 finns inte."


def test_an_unknown_cause_code_is_refused(api):
    assert error_code(absence(api, CauseCode="XYZ")) == 2000359


@pytest.mark.parametrize("missing", ["EmployeeId", "CauseCode", "Date"])
def test_employee_cause_and_date_are_required(api, missing):
    body = {"EmployeeId": "1", "CauseCode": "SJK", "Date": MONDAY}
    del body[missing]
    response = api.post("3/absencetransactions", {"AbsenceTransaction": body})
    assert response.status_code == 400 and missing in response.json()["ErrorInformation"]["message"]


def test_absence_in_a_locked_salary_period_is_refused_in_swedish(api, company):
    transaction_id = absence(api).json()["AbsenceTransaction"]["id"]
    company.locked_salary_until = date(2025, 3, 31)
    company.save(update_fields=["locked_salary_until"])
    for response in (absence(api), api.delete(f"3/absencetransactions/{transaction_id}"),
                     api.put(f"3/absencetransactions/{transaction_id}", {"AbsenceTransaction": {"Extent": 50}})):
        assert response.status_code == 400 and error_code(response) == 2003456
        assert "Löneperioden är låst" in response.json()["ErrorInformation"]["message"]
    assert absence(api, Date="2025-04-01").status_code == 201


def test_moving_an_absence_into_a_locked_period_is_refused(api, company):
    transaction_id = absence(api, Date="2025-04-01").json()["AbsenceTransaction"]["id"]
    company.locked_salary_until = date(2025, 3, 31)
    company.save(update_fields=["locked_salary_until"])
    response = api.put(f"3/absencetransactions/{transaction_id}", {"AbsenceTransaction": {"Date": MONDAY}})
    assert error_code(response) == 2003456


def test_absence_responses_match_the_spec(api):
    created = absence(api)
    transaction_id = created.json()["AbsenceTransaction"]["id"]
    contract.assert_matches(created, "POST", "/3/absencetransactions")
    contract.assert_matches(api.get(f"3/absencetransactions/{transaction_id}"), "GET", "/3/absencetransactions/{id}")
    contract.assert_matches(api.put(f"3/absencetransactions/{transaction_id}", {"AbsenceTransaction": {"Extent": 50}}),
                            "PUT", "/3/absencetransactions/{id}")
    contract.assert_matches(api.get("3/absencetransactions"), "GET", "/3/absencetransactions")
    contract.assert_matches(api.get(f"3/absencetransactions/1/{MONDAY}/SJK"), "GET",
                            "/3/absencetransactions/{id}/{Date}/{Code}")
    contract.assert_matches(api.get("3/absencetransactions/nope"), "GET", "/3/absencetransactions/{id}")
