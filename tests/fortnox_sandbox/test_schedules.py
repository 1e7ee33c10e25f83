import pytest

from tests.support import openapi_contract as contract
from tests.support.sandbox_api import create_employee, error_code


@pytest.fixture
def api(connect):
    api = connect("salary")
    create_employee(api, EmployeeId="1", ScheduleId="HEL")
    create_employee(api, EmployeeId="2", ScheduleId="DEL")
    create_employee(api, EmployeeId="3")
    return api


def hours(api, employee_id, day):
    return api.get(f"3/scheduletimes/{employee_id}/{day}").json()["ScheduleTime"]["Hours"]


@pytest.mark.parametrize(("employee_id", "day", "expected"), [
    ("1", "2025-03-03", "8"),   # Monday, full time
    ("1", "2025-03-08", "0"),   # Saturday
    ("2", "2025-03-03", "4"),   # Monday, part time
    ("3", "2025-03-03", "0"),   # no schedule given: the 0-hour schedule
    ("1", "2025-12-25", "0"),   # Christmas Day
    ("1", "2025-04-21", "0"),   # Easter Monday
])
def test_scheduled_hours_follow_the_schedule_and_swedish_holidays(api, employee_id, day, expected):
    assert hours(api, employee_id, day) == expected


def test_a_day_can_be_edited_and_reset(api):
    edited = api.put("3/scheduletimes/1/2025-03-03", {"ScheduleTime": {"Hours": "6.5", "IWH1": "1"}})
    assert edited.json()["ScheduleTime"]["Hours"] == "6.5" and edited.json()["ScheduleTime"]["IWH1"] == "1"
    assert hours(api, "1", "2025-03-03") == "6.5"
    reset = api.put("3/scheduletimes/1/2025-03-03/resetday")
    assert reset.json()["ScheduleTime"]["Hours"] == "8" and hours(api, "1", "2025-03-03") == "8"


def test_choosing_another_schedule_for_a_day_takes_its_hours(api):
    edited = api.put("3/scheduletimes/1/2025-03-03", {"ScheduleTime": {"ScheduleId": "DEL"}})
    assert edited.json()["ScheduleTime"]["Hours"] == "4"


def test_bad_schedule_edits_are_refused(api):
    assert error_code(api.put("3/scheduletimes/1/2025-03-03", {"ScheduleTime": {"Hours": "many"}})) == 2000108
    assert error_code(api.put("3/scheduletimes/1/2025-03-03", {"ScheduleTime": {"ScheduleId": "XYZ"}})) == 2003451
    assert error_code(api.put("3/scheduletimes/1/2025-03-03", {"ScheduleTime": {"EmployeeId": "2"}})) == 2000588


def test_an_unknown_employee_or_a_bad_date_is_an_error(api):
    assert api.get("3/scheduletimes/99/2025-03-03").status_code == 404
    assert error_code(api.get("3/scheduletimes/1/03-03-2025")) == 2000359


def test_schedule_time_responses_match_the_spec(api):
    contract.assert_matches(api.get("3/scheduletimes/1/2025-03-03"), "GET", "/3/scheduletimes/{EmployeeId}/{Date}")
    contract.assert_matches(api.put("3/scheduletimes/1/2025-03-03", {"ScheduleTime": {"Hours": "6"}}), "PUT",
                            "/3/scheduletimes/{EmployeeId}/{Date}")
    contract.assert_matches(api.put("3/scheduletimes/1/2025-03-03/resetday"), "PUT",
                            "/3/scheduletimes/{EmployeeId}/{Date}/resetday")
