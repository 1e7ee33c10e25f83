"""HR fixtures: a staff of employee records for the base tenant's users (the manager's record
manages the employee's record), and a factory for more."""

from dataclasses import dataclass

import pytest
from django.utils import translation

from hr import actions
from hr.models import AbsenceType, Employee
from tests.support.hr import employee_values


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
