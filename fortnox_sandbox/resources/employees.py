"""Employees `/3/employees` (scope `salary`), API-FACTS §3. No DELETE: Fortnox has none."""

from datetime import date, timedelta

from django.utils import timezone
from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import personnummer

from .. import spec
from ..api import Family
from ..demo_people import person
from ..errors import FortnoxError
from ..registers import Register, merged, number_order
from ..seeding import seeder
from ..store import DuplicateKey, Store
from .schedules import EMPTY_SCHEDULE, EPOCH, check_schedule, schedule_on

family = Family(scope="salary")
employees = Register(
    resource="employees", wrapper="Employee", list_key="Employees", key_field="EmployeeId",
    schema="fortnox_Employee", list_schema="fortnox_EmployeeListItem",
    not_found_code=2003450, not_found_message="Kan inte hitta den anställda.",
)
# Sandbox codes: Fortnox documents none for these cases.
EMPLOYEE_ID_TAKEN = 2003452
EMPLOYEE_ID_FIXED = 2003453
DATED_ROWS = 2003454
INVALID_PERSONAL_IDENTITY_NUMBER = 2003457


def check_payroll_fields(changes: dict) -> None:
    """`TaxColumn` within the spec's 1–6 (the shared validation checks types, enums and lengths,
    not ranges). Fortnox's payroll checks a personnummer's (or samordningsnummer's) date and check digit;
    the sandbox refuses what python-stdnum refuses. Empty (or API_BLANK, already "") passes."""
    column = changes.get("TaxColumn")
    if column not in (None, "") and str(column) not in ("1", "2", "3", "4", "5", "6"):
        raise FortnoxError(2000359, f"Ogiltigt värde för TaxColumn: {column} (tillåtet 1–6).")
    value = changes.get("PersonalIdentityNumber")
    if value and not _valid_identity_number(str(value)):
        raise FortnoxError(INVALID_PERSONAL_IDENTITY_NUMBER, f"Ogiltigt personnummer eller samordningsnummer: {value}.")


def _valid_identity_number(value: str) -> bool:
    """A personnummer, or a samordningsnummer (day + 60: its date read with the day less 60,
    its check digit over the digits as written; python-stdnum knows only personnummer)."""
    try:
        number = personnummer.compact(value)
        day_at = 6 if len(number) == 13 else 4
        day = int(number[day_at:day_at + 2])
        if day <= 60:
            personnummer.validate(number)
            return True
        personnummer.get_birth_date(f"{number[:day_at]}{day - 60:02d}{number[day_at + 2:]}")
        return luhn.is_valid("".join(c for c in number if c.isdigit())[-10:])
    except (StdnumError, ValueError):
        return False


def read_only() -> frozenset:
    return frozenset(name for name in spec.properties("fortnox_Employee") if name == "FullName" or (
        name.startswith(("VacationDaysRegistered", "VacationDaysPending", "VacationDaysSaved"))
        or name in ("VacationDaysPaid", "VacationDaysUnpaid", "VacationDaysPrepaid")
    ))


def present(call, document: dict) -> dict:
    """Current ScheduleId and wages are derived from the dated rows, as GET does live."""
    today = timezone.localdate()
    wages = [row for row in document.get("DatedWages") or [] if row["FirstDay"] <= today.isoformat()]
    current_wage = max(wages, key=lambda row: row["FirstDay"], default={})
    shown = {
        **document,
        "FullName": f"{document.get('FirstName', '')} {document.get('LastName', '')}".strip(),
        "ScheduleId": schedule_on(document, today),
        "MonthlySalary": current_wage.get("MonthlySalary", document.get("MonthlySalary")),
        "HourlyPay": current_wage.get("HourlyPay", document.get("HourlyPay")),
    }
    return employees.list_item(call, shown)


@family.route("3/employees", "GET", "POST")
def employee_list(call):
    if call.request.method == "POST":
        return create(call)
    return call.page(
        employees.store(call).records(), "Employees", present,
        filters={"active": lambda doc: not doc.get("Inactive"), "inactive": lambda doc: bool(doc.get("Inactive"))},
        default_sort=lambda doc: number_order(doc["EmployeeId"]),
    )


def create(call):
    changes = call.payload("Employee", employees.schema, read_only())
    check_payroll_fields(changes)
    employee_id = changes.get("EmployeeId") or employees.next_key(call)
    document = merged({"EmployeeId": employee_id, "Inactive": False, "DatedSchedules": [], "DatedWages": []},
                      dated_rows(employee_id, changes, creating=True), "FirstName", "LastName", "Email")
    try:
        employees.store(call).create(employee_id, document)
    except DuplicateKey:
        raise FortnoxError(EMPLOYEE_ID_TAKEN, f"Anställningsnummer {employee_id} används redan.") from None
    return call.respond({"Employee": present(call, document)}, status=201)


@family.route("3/employees/<str:EmployeeId>", "GET", "PUT")
def employee_detail(call, EmployeeId):
    record = employees.find(call, EmployeeId)
    if call.request.method == "PUT":
        changes = call.payload("Employee", employees.schema, read_only())
        check_payroll_fields(changes)
        if changes.get("EmployeeId", EmployeeId) != EmployeeId:
            raise FortnoxError(EMPLOYEE_ID_FIXED, "Anställningsnumret kan inte ändras.")
        document = merged(record.document, dated_rows(EmployeeId, changes, creating=False),
                          "FirstName", "LastName")
        employees.store(call).update(record, document)
    return call.respond({"Employee": present(call, record.document)})


def dated_rows(employee_id: str, changes: dict, creating: bool) -> dict:
    """The spec's rules for DatedSchedules/ScheduleId and DatedWages/MonthlySalary/HourlyPay.
    A ScheduleId sent alone replaces the schedule history with that schedule from 1970-01-01
    (the sandbox's reading: Fortnox keeps the history only when DatedSchedules are sent)."""
    changes = {**changes, "EmployeeId": employee_id}
    if "DatedSchedules" in changes and "ScheduleId" in changes:
        raise FortnoxError(DATED_ROWS, "Skicka antingen DatedSchedules eller ScheduleId, inte båda.")
    if changes.get("DatedWages") is not None and ({"MonthlySalary", "HourlyPay"} & set(changes)):
        raise FortnoxError(DATED_ROWS, "DatedWages kan inte kombineras med MonthlySalary eller HourlyPay.")
    for field in ("DatedSchedules", "DatedWages"):
        if changes.get(field) is not None:
            changes[field] = _checked_rows(field, employee_id, changes[field])
    schedule_id = changes.pop("ScheduleId", None)
    if schedule_id is not None or (creating and changes.get("DatedSchedules") is None):
        changes["DatedSchedules"] = [{"EmployeeId": employee_id, "FirstDay": EPOCH,
                                      "ScheduleId": schedule_id or EMPTY_SCHEDULE}]
    if {"MonthlySalary", "HourlyPay"} & set(changes):
        changes["DatedWages"] = []
    elif changes.get("DatedWages") is not None:
        changes.update(MonthlySalary=None, HourlyPay=None)
    for row in changes.get("DatedSchedules") or []:
        check_schedule(row.get("ScheduleId") or EMPTY_SCHEDULE)
    return changes


def _checked_rows(field: str, employee_id: str, rows: list) -> list:
    days = [row.get("FirstDay") or "" for row in rows]
    if days.count(EPOCH) != 1:
        raise FortnoxError(DATED_ROWS, f"{field} måste ha exakt en rad med FirstDay {EPOCH}.")
    if len(set(days)) != len(days) or min(days) < EPOCH:
        raise FortnoxError(DATED_ROWS, f"FirstDay i {field} måste vara unika och från och med {EPOCH}.")
    return sorted(({**row, "EmployeeId": employee_id} for row in rows), key=lambda row: row["FirstDay"])


@seeder(10)
def seed_employees(company, rng, size):
    """`size` employees: most full time, some part time, a few hourly on the 0-hour schedule,
    some who changed schedule this year and a few who have left."""
    store = Store(company, employees.resource)
    for number in range(1, size + 1):
        schedule = rng.choices(("HEL", "DEL", EMPTY_SCHEDULE), weights=(70, 20, 10))[0]
        rows = [{"EmployeeId": str(number), "FirstDay": EPOCH, "ScheduleId": schedule}]
        if schedule != EMPTY_SCHEDULE and rng.random() < 0.1:
            rows.append({"EmployeeId": str(number), "FirstDay": f"{timezone.localdate().year}-01-01",
                         "ScheduleId": "DEL" if schedule == "HEL" else "HEL"})
        hourly = schedule == EMPTY_SCHEDULE
        started = date(2010, 1, 1) + timedelta(days=rng.randrange(5000))
        store.create(str(number), {
            **person(rng, number), "EmployeeId": str(number), "Inactive": rng.random() < 0.05,
            "EmploymentDate": started.isoformat(), "EmploymentForm": "TV" if rng.random() < 0.85 else "TID",
            "PersonelType": "ARB" if hourly else "TJM", "SalaryForm": "TIM" if hourly else "MAN",
            "MonthlySalary": None if hourly else str(rng.randrange(26, 62) * 1000),
            "HourlyPay": str(rng.randrange(150, 260)) if hourly else None,
            "DatedSchedules": rows, "DatedWages": [], "TaxTable": "33", "TaxColumn": 1,
        })
    company.next_number(employees.resource, at_least=size)


def upsert(company, documents: list) -> int:
    """Create or update employees from Fortnox Employee documents (e.g. a demo's JSON file), by
    the rules POST and PUT apply: known fields only, names required, dated schedule rows. Raises
    FortnoxError for a document Fortnox would refuse; returns how many were written."""
    store = Store(company, employees.resource)
    known = set(spec.properties("fortnox_Employee")) - read_only()
    for document in documents:
        unknown = sorted(set(document) - known)
        if unknown:
            raise FortnoxError(2000588, f"Okänt fält för Employee: {', '.join(unknown)}.")
        employee_id = str(document.get("EmployeeId") or "").strip()
        if not employee_id:
            raise FortnoxError(2000588, "EmployeeId saknas.")
        record = store.get(employee_id)
        current = record.document if record else {
            "EmployeeId": employee_id, "Inactive": False, "DatedSchedules": [], "DatedWages": []}
        check_payroll_fields(document)
        changes = dated_rows(employee_id, {**document, "EmployeeId": employee_id}, creating=record is None)
        store.put(employee_id, merged(current, changes, "FirstName", "LastName"))
    return len(documents)
