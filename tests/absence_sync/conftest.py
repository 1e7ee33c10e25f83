"""Fixtures for absences → Fortnox: an organization connected to the sandbox over real HTTP with
"Create absence in Fortnox" on, sickness/parental leave/vacation/care of child mapped, and an
employee linked to a Fortnox employee on the full-time schedule (HEL, 8 h Monday–Friday)."""

from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType

from hr.models import AbsenceType, Employee
from integrations.models import AbsenceTypeMapping, ExternalLink, HrIntegrationSettings
from tests.hr_sync.conftest import (  # noqa: F401 (fixtures)
    FortnoxCompany,
    activated,
    cluster,
    connected,
    create_fortnox_employee,
    employee,
    fortnox,
    fortnox_company,
    in_english,
    make_company,
    other_tenant,
    sandbox,
    tenant,
)

MAPPING = {"sick_leave": "SJK", "parental_leave": "FPE", "vacation": "SEM", "care_of_child": "VAB", "other": ""}


def link_employee(emp: Employee, employee_id: str) -> None:
    ExternalLink.objects.create(organization=emp.organization, kind="employee", external_id=employee_id,
                                content_type=ContentType.objects.get_for_model(Employee), object_id=emp.pk)


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
    link_employee(anna, "1001")
    return World(tenant=tenant, company=fortnox_company, sandbox=sandbox, fortnox=fortnox, anna=anna, types=types)
