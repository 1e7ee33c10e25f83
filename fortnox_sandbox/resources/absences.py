"""Absence transactions `/3/absencetransactions` (scope `salary`), API-FACTS §4.

One transaction is one employee, one date and one cause code; several may share a day (even
the same cause, since Fortnox's March 2022 change), each identified by its uuid `id`. When
`Hours` is omitted it is the day's scheduled hours times `Extent` (100 % when that is omitted
too); when only `Hours` is given, `Extent` is its share of the scheduled day. Absence on or
before the company's locked salary period is refused."""

import uuid
from datetime import date, timedelta

from django.utils import timezone

from .. import searches
from ..api import Family
from ..errors import FortnoxError, NotFound
from ..registers import merged, no_content
from ..seeding import seeder
from ..store import Store
from ..validation import as_strings, parse_date
from .schedules import employee_or_error, planned_hours, schedule_on, scheduled_hours

family = Family(scope="salary")
RESOURCE = "absencetransactions"
SCHEMA = "fortnox_AbsenceTransactionSingleItem"
STRING_NUMBERS = ("Extent", "Hours")
NOT_FOUND = 2003455
LOCKED_PERIOD = 2003456


def present(call, document: dict) -> dict:
    return {"@url": call.url(f"3/absencetransactions/{document['id']}"), **as_strings(document, STRING_NUMBERS)}


def find(call, transaction_id: str):
    record = call.store(RESOURCE).get(transaction_id)
    if record is None:
        raise NotFound(NOT_FOUND, "Kan inte hitta frånvarotransaktionen.")
    return record


def check_open(call, day: str):
    locked = call.company.locked_salary_until
    if locked and date.fromisoformat(day) <= locked:
        raise FortnoxError(LOCKED_PERIOD, f"Löneperioden är låst till och med {locked.isoformat()}. "
                                          f"Frånvaro den {day} kan inte registreras, ändras eller tas bort.")


def with_hours(call, document: dict, recompute_hours: bool) -> dict:
    employee = employee_or_error(call, document["EmployeeId"], not_found=False)
    planned = scheduled_hours(call, employee, parse_date("Date", document["Date"]))
    if document.get("Extent") is None and document.get("Hours") is None:
        document["Extent"] = 100.0
    if document.get("Extent") is None:
        document["Extent"] = round(document["Hours"] / planned * 100, 2) if planned else 0.0
    if recompute_hours or document.get("Hours") is None:
        document["Hours"] = round(planned * document["Extent"] / 100, 2)
    return document


@family.route("3/absencetransactions", "GET", "POST")
def absence_list(call):
    if call.request.method == "POST":
        changes = call.payload("AbsenceTransaction", SCHEMA, frozenset({"id"}))
        document = merged({"HolidayEntitling": False}, changes, "EmployeeId", "CauseCode", "Date")
        check_open(call, document["Date"])
        document = {"id": str(uuid.uuid4()), **with_hours(call, document, recompute_hours=False)}
        call.store(RESOURCE).create(document["id"], document)
        return call.respond({"AbsenceTransaction": present(call, document)}, status=201)
    records, search = call.store(RESOURCE).records(), {"employeeid": "EmployeeId", "date": "Date"}
    for parameter, field in search.items():
        if call.request.GET.get(parameter):
            # Exact, and in the database: an employee's absences are read on every push.
            records = records.filter(**{f"document__{field}": call.request.GET[parameter]})
    return call.page(records, "AbsenceTransactions", present, default_sort=sort_key,
                     search={parameter: searches.exact(field) for parameter, field in search.items()})


def sort_key(document: dict) -> tuple:
    return document["Date"], document["EmployeeId"], document["CauseCode"]


@family.route("3/absencetransactions/<str:EmployeeId>/<str:Date>/<str:CauseCode>", "GET")
def absence_lookup(call, EmployeeId, Date, CauseCode):
    records = call.store(RESOURCE).records().filter(
        document__EmployeeId=EmployeeId, document__Date=Date, document__CauseCode=CauseCode
    )
    return call.page(records, "AbsenceTransactions", present, default_sort=sort_key)


@family.route("3/absencetransactions/<str:id>", "GET", "PUT", "DELETE")
def absence_detail(call, id):
    record = find(call, id)
    if call.request.method == "GET":
        return call.respond({"AbsenceTransaction": present(call, record.document)})
    check_open(call, record.document["Date"])
    if call.request.method == "DELETE":
        call.store(RESOURCE).delete(record)
        return no_content()
    changes = call.payload("AbsenceTransaction", SCHEMA, frozenset({"id"}))
    document = merged(record.document, changes, "EmployeeId", "CauseCode", "Date")
    check_open(call, document["Date"])
    recompute = "Hours" not in changes and bool({"Extent", "Date", "EmployeeId"} & set(changes))
    call.store(RESOURCE).update(record, with_hours(call, document, recompute_hours=recompute))
    return call.respond({"AbsenceTransaction": present(call, record.document)})


@seeder(20)
def seed_absences(company, rng, size):
    """Sick days, care of children and holidays in the last eight weeks for about a fifth of
    the active employees, one transaction per working day as Fortnox keeps them."""
    store = Store(company, RESOURCE)
    today = timezone.localdate()
    people = [r.document for r in Store(company, "employees").records() if not r.document.get("Inactive")]
    for employee in rng.sample(people, k=len(people) // 5):
        cause = rng.choices(("SJK", "VAB", "SEM", "FPE"), weights=(5, 3, 3, 1))[0]
        start = today - timedelta(days=rng.randrange(3, 56))
        extent = 100.0 if rng.random() < 0.8 else 50.0
        for offset in range(rng.randrange(1, 6)):
            day = start + timedelta(days=offset)
            planned = planned_hours(schedule_on(employee, day), day)
            if not planned:
                continue
            document = {"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "EmployeeId": employee["EmployeeId"],
                        "CauseCode": cause, "Date": day.isoformat(), "Extent": extent,
                        "Hours": round(planned * extent / 100, 2), "HolidayEntitling": cause != "SEM"}
            store.create(document["id"], document)
