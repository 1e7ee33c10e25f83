"""The demo's Fortnox side of the HR story: Brygga's demo employees as Fortnox Employee documents,
with the drift a real company has after years of keeping two systems by hand — so the first
"Synchronise users" in the demo shows real conflicts, missing values and people on one side only.

Written to a JSON file that `sandbox_seed --employees` loads; the product never imports the sandbox
(DESIGN.md), the file is where they meet."""

import unicodedata

from hr.models import Employee
from integrations.hr_sync import fields as hr_fields

BRYGGA_ONLY = 3  # the last demo employees are left out of Fortnox: "only in Brygga"
# "Only in Fortnox": people payroll knows and Brygga does not; the last has no email, so Brygga
# cannot match them and says why.
FORTNOX_ONLY = [
    {"EmployeeId": "9001", "FirstName": "Tilde", "LastName": "Marklund", "Email": "tilde.marklund@demo.brygga.se",
     "Phone1": "070-611 20 01", "Address1": "Sjögatan 3", "PostCode": "41117", "City": "Göteborg", "Country": "Sverige"},
    {"EmployeeId": "9002", "FirstName": "Jonas", "LastName": "Berglöf", "Email": "jonas.berglof@demo.brygga.se",
     "Phone1": "070-611 20 02", "EmploymentDate": "2025-09-01"},
    {"EmployeeId": "9003", "FirstName": "Rut", "LastName": "Almqvist", "Email": "", "Phone1": "070-611 20 03"},
]


def _without_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _drift(document: dict, index: int) -> dict:
    """One kind of drift per person, by position, so every kind appears and most people agree."""
    kind = index % 6
    if kind == 1 and document.get("Phone1"):
        document["Phone1"] = f"070-{7000000 + index:07d}"  # a conflict: both sides have a phone
    elif kind == 2 and document.get("Address1"):
        document["Address1"] = f"{document['Address1']} B"  # a conflict in the address
    elif kind == 3:
        document.update(ClearingNo="", BankAccountNo="")  # missing in Fortnox: offered to be filled from Brygga
    elif kind == 4:
        document.update(Address1="", PostCode="", City="", Country="")  # missing in Fortnox too
    elif kind == 5 and document["FirstName"] != _without_accents(document["FirstName"]):
        document["FirstName"] = _without_accents(document["FirstName"])  # "Hakan" typed without å
    return document


def fortnox_employees(organization) -> list[dict]:
    employees = list(Employee.objects.for_organization(organization).order_by("employment_id"))
    documents = []
    for index, employee in enumerate(employees[:-BRYGGA_ONLY] if len(employees) > BRYGGA_ONLY else employees):
        document = hr_fields.fortnox_document(hr_fields.employee_values(employee), creating=True)
        if index == 0:
            document["Email"] = document["Email"].upper()  # still the same person: email matches ignoring case
        documents.append(_drift(document, index))
    return documents + [dict(person, ScheduleId="HEL") for person in FORTNOX_ONLY]
