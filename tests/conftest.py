"""The base fixture set: two organizations, each with an owner, a member of every role and
an outsider (someone with an account who belongs to neither)."""

from dataclasses import dataclass


import pytest
from django.test import Client

from organizations.models import Membership, Organization, User
from organizations.permissions import Role


@dataclass
class Tenant:
    organization: Organization
    owner: User
    hr_admin: User
    manager: User
    employee: User
    warehouse: User

    def member(self, role: Role) -> User:
        return {
            Role.ORG_ADMIN: self.owner, Role.HR_ADMIN: self.hr_admin, Role.MANAGER: self.manager,
            Role.EMPLOYEE: self.employee, Role.WAREHOUSE: self.warehouse,
        }[role]


def make_tenant(name: str, organisation_number: str, slug: str) -> Tenant:
    organization = Organization.objects.create(name=name, organisation_number=organisation_number)
    users = {}
    for role in Role:
        user = User.objects.create_user(email=f"{role.value}@{slug}.test", password="pw-for-tests-1")
        Membership.objects.create(user=user, organization=organization, role=role)
        users[role] = user
    return Tenant(
        organization=organization, owner=users[Role.ORG_ADMIN], hr_admin=users[Role.HR_ADMIN],
        manager=users[Role.MANAGER], employee=users[Role.EMPLOYEE], warehouse=users[Role.WAREHOUSE],
    )


@pytest.fixture
def tenant(db) -> Tenant:
    return make_tenant("Alfa AB", "556036-0793", "alfa")


@pytest.fixture
def other_tenant(db) -> Tenant:
    return make_tenant("Beta AB", "212000-0142", "beta")


@pytest.fixture
def outsider(db) -> User:
    return User.objects.create_user(email="outsider@nowhere.test", password="pw-for-tests-1")


@pytest.fixture
def client_for():
    """A logged-in test client for a user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
