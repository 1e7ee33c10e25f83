"""HR fixtures: a staff of employee records for the base tenant's users (the manager's record
manages the employee's record), and a factory for more."""

from dataclasses import dataclass
from datetime import date
from itertools import count

import pytest
from django.utils import translation

from hr import actions
from hr.models import AbsenceType, Employee

VALID_BANK_ACCOUNTS = [("5000", "4999622"), ("6000", "812865707"), ("9150", "6030620"), ("83279", "2786838738")]
_numbers = count(1)


def employee_values(**overrides) -> dict:
    n = next(_numbers)
    values = {
        "given_name": "Åsa", "family_name": f"Öberg{n}", "email": f"person{n}@alfa.test",
        "employment_id": f"E{n}", "phone": f"070-3{n % 1_000_000:06d}", "street": "Storgatan 1",
        "postal_code": "111 22", "city": "Stockholm", "country": "SE",
        "clearing_number": "", "account_number": "", "employment_start": date(2024, 1, 15),
    }
    values.update(overrides)
    return values


@pytest.fixture
def make_employee(tenant):
    def make(organization=None, **overrides) -> Employee:
        return actions.do_create_employee(
            organization or tenant.organization, employee_values(**overrides), acting_user=tenant.hr_admin,
        )

    return make


@dataclass
class Staff:
    manager: Employee  # linked to tenant.manager
    report: Employee  # linked to tenant.employee, reports to `manager`
    colleague: Employee  # reports to nobody, no login
    hr_admin: Employee  # linked to tenant.hr_admin


@pytest.fixture
def staff(tenant, make_employee) -> Staff:
    manager = make_employee(user=tenant.manager, given_name="Märta", family_name="Åström")
    return Staff(
        manager=manager,
        report=make_employee(user=tenant.employee, manager=manager, given_name="Erik", family_name="Sjöberg",
                             clearing_number="5000", account_number="4999622"),
        colleague=make_employee(given_name="Göran", family_name="Bäckström"),
        hr_admin=make_employee(user=tenant.hr_admin, given_name="Håkan", family_name="Öberg"),
    )


@pytest.fixture
def absence_types(tenant) -> dict[str, AbsenceType]:
    AbsenceType.objects.ensure_defaults(tenant.organization)
    return {t.code: t for t in AbsenceType.objects.for_organization(tenant.organization)}


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in the English source text."""
    with translation.override("en"):
        yield


@pytest.fixture
def client_for(client_for):
    """The base fixture's logged-in client, for a user who reads Brygga in English."""

    def make(user):
        user.language = "en"
        user.save(update_fields=["language"])
        return client_for(user)

    return make
