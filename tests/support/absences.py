"""Absences → Fortnox: an organization connected to the sandbox over real HTTP with "Create
absence in Fortnox" on, sickness/parental leave/vacation/care of child mapped, and an employee
linked to a Fortnox employee on the full-time schedule (HEL, 8 h Monday–Friday)."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from hr import actions as hr_actions
from hr.models import AbsenceType, Employee
from integrations.hr_sync.models import AbsenceTypeMapping, HrIntegrationSettings

from .fortnox import FortnoxCompany
from .hr_sync import create_fortnox_employee, employee, link_to_fortnox

MAPPING = {"sick_leave": "SJK", "parental_leave": "FPE", "vacation": "SEM", "care_of_child": "VAB", "other": ""}
MONDAY = date(2026, 3, 2)


@dataclass
class World:
    tenant: object
    company: FortnoxCompany
    sandbox: object
    fortnox: object
    anna: Employee
    types: dict

    def transactions(self, employee_id="1001") -> list[tuple]:
        """What Fortnox holds for the employee: (Date, CauseCode, Extent, Hours), sorted."""
        documents = [r["document"] for r in self.sandbox.records(self.company.data, "absencetransactions")]
        return sorted((d["Date"], d["CauseCode"], float(d["Extent"]), float(d["Hours"]))
                      for d in documents if d["EmployeeId"] == employee_id)


@pytest.fixture
def world(activated, fortnox, tenant, sandbox, fortnox_company) -> World:
    org = tenant.organization
    AbsenceType.objects.ensure_defaults(org)
    HrIntegrationSettings.objects.filter(organization=org).update(create_absences=True)
    types = {t.code: t for t in AbsenceType.objects.for_organization(org)}
    for code, cause in MAPPING.items():
        AbsenceTypeMapping.objects.create(organization=org, absence_type=types[code], cause_code=cause)
    create_fortnox_employee(fortnox, EmployeeId="1001", Email="anna@alfa.test", ScheduleId="HEL")
    boss = employee(org, given_name="Maja", family_name="Chef", email="maja@alfa.test", employment_id="1000",
                    user=tenant.manager)
    anna = employee(org, user=tenant.employee, manager=boss)
    link_to_fortnox(anna, "1001")
    return World(tenant=tenant, company=fortnox_company, sandbox=sandbox, fortnox=fortnox, anna=anna, types=types)


def sick(world: World, start=MONDAY, end=MONDAY + timedelta(days=6), **values):
    """Anna's sick leave registered by the HR admin (approved), the whole first week by default."""
    return hr_actions.do_register_absence(world.anna, {
        "absence_type": world.types["sick_leave"], "start_date": start, "end_date": end, "grade": 100, "note": "",
        **values}, acting_user=world.tenant.hr_admin)


def week(code="SJK", extent=100.0, hours=8.0, start=MONDAY, days=5):
    """The transactions Fortnox should hold for `days` full days from `start`."""
    return [((start + timedelta(days=n)).isoformat(), code, extent, hours) for n in range(days)]
