"""Schedule times `/3/scheduletimes/{EmployeeId}/{Date}` (scope `salary`), API-FACTS §4.

A day's hours come from the employee's schedule on that date (`DatedSchedules`), unless the
day was edited with PUT (kept as a `scheduletimes` record until `resetday`). Swedish public
holidays have 0 hours in every schedule."""

from datetime import date
from functools import cache

import holidays

from ..api import Family
from ..errors import FortnoxError, NotFound
from ..validation import format_number, numeric, parse_date

family = Family(scope="salary")
RESOURCE = "scheduletimes"
EPOCH = "1970-01-01"
# Hours per weekday, Monday first. NOLL is what an employee created without a schedule gets.
SCHEDULES = {
    "HEL": (8, 8, 8, 8, 8, 0, 0),
    "DEL": (4, 4, 4, 4, 4, 0, 0),
    "NOLL": (0, 0, 0, 0, 0, 0, 0),
}
EMPTY_SCHEDULE = "NOLL"
IWH_FIELDS = ("IWH1", "IWH2", "IWH3", "IWH4", "IWH5")
# Sandbox codes: Fortnox documents none for these cases.
UNKNOWN_EMPLOYEE = 2003450
UNKNOWN_SCHEDULE = 2003451


@cache
def _public_holidays(year: int):
    return holidays.Sweden(years=year)


def schedule_on(employee: dict, day: date) -> str:
    """The schedule in force on `day`: the row with the latest FirstDay not after it."""
    rows = sorted(employee.get("DatedSchedules") or [], key=lambda row: row["FirstDay"])
    current = EMPTY_SCHEDULE
    for row in rows:
        if row["FirstDay"] <= day.isoformat():
            current = row.get("ScheduleId") or EMPTY_SCHEDULE
    return current


def planned_hours(schedule_id: str, day: date) -> float:
    if day in _public_holidays(day.year):
        return 0.0
    return float(SCHEDULES[schedule_id][day.weekday()])


def check_schedule(schedule_id: str):
    if schedule_id not in SCHEDULES:
        raise FortnoxError(UNKNOWN_SCHEDULE, f"Schemat {schedule_id} finns inte (finns: {', '.join(SCHEDULES)}).")


def employee_or_error(call, employee_id: str, not_found: bool = True) -> dict:
    record = call.store("employees").get(employee_id)
    if record is None:
        message = f"Anställd med anställningsnummer {employee_id} finns inte."
        raise NotFound(UNKNOWN_EMPLOYEE, message) if not_found else FortnoxError(UNKNOWN_EMPLOYEE, message)
    return record.document


def day_schedule(call, employee: dict, day: date) -> dict:
    """The ScheduleTime of one employee and day, edited or from the schedule."""
    edited = call.store(RESOURCE).get(f"{employee['EmployeeId']}/{day.isoformat()}")
    if edited:
        return edited.document
    schedule_id = schedule_on(employee, day)
    return {"EmployeeId": employee["EmployeeId"], "Date": day.isoformat(), "ScheduleId": schedule_id,
            "Hours": planned_hours(schedule_id, day), **{name: 0.0 for name in IWH_FIELDS}}


def scheduled_hours(call, employee: dict, day: date) -> float:
    return float(day_schedule(call, employee, day)["Hours"])


def present(document: dict) -> dict:
    return {"ScheduleTime": {key: format_number(value) if key in ("Hours", *IWH_FIELDS) else value
                             for key, value in document.items()}}


@family.route("3/scheduletimes/<str:EmployeeId>/<str:Date>", "GET", "PUT")
def schedule_time(call, EmployeeId, Date):
    day = parse_date("Date", Date)
    employee = employee_or_error(call, EmployeeId)
    current = day_schedule(call, employee, day)
    if call.request.method == "PUT":
        changes = call.payload("ScheduleTime", "fortnox_ScheduleTime")
        for name, expected in (("EmployeeId", EmployeeId), ("Date", Date)):
            if changes.get(name, expected) != expected:
                raise FortnoxError(2000588, f"{name} i anropet stämmer inte med adressen.")
        if "ScheduleId" in changes:
            check_schedule(changes["ScheduleId"])
            if "Hours" not in changes:
                changes["Hours"] = planned_hours(changes["ScheduleId"], day)
        current = {**current, **{key: numeric(key, value) if key in ("Hours", *IWH_FIELDS) else value
                                 for key, value in changes.items()}}
        call.store(RESOURCE).put(f"{EmployeeId}/{Date}", current)
    return call.respond(present(current))


@family.route("3/scheduletimes/<str:EmployeeId>/<str:Date>/resetday", "PUT")
def reset_day(call, EmployeeId, Date):
    day = parse_date("Date", Date)
    employee = employee_or_error(call, EmployeeId)
    edited = call.store(RESOURCE).get(f"{EmployeeId}/{Date}")
    if edited:
        call.store(RESOURCE).delete(edited)
    return call.respond(present(day_schedule(call, employee, day)))
