"""The base fixture set: two organizations, each with an owner, a member of every role and
an outsider (someone with an account who belongs to neither); logged-in clients, the language
tests read, and what a browser would post back."""

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
    # English, so assertions read the source strings; tests about Swedish switch it on purpose.
    organization = Organization.objects.create(name=name, organisation_number=organisation_number, language="en")
    users = {}
    for role in Role:
        user = User.objects.create_user(email=f"{role.value}@{slug}.test", password="pw-for-tests-1")
        Membership.objects.create(user=user, organization=organization, role=role)
        users[role] = user
    return Tenant(
        organization=organization, owner=users[Role.ORG_ADMIN], hr_admin=users[Role.HR_ADMIN],
        manager=users[Role.MANAGER], employee=users[Role.EMPLOYEE], warehouse=users[Role.WAREHOUSE],
    )


@pytest.fixture(autouse=True)
def english_by_default(settings):
    """Pages for people without a language choice (anonymous, no organization) fall back to
    LANGUAGE_CODE, Swedish in production; tests read English unless they test Swedish."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def in_english():
    """Messages asserted by their English source text in code that runs outside a request (jobs,
    emails, actions); a folder whose tests all need it switches it on for all of them."""
    from django.utils import translation

    with translation.override("en"):
        yield


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


def form_data(response, **changes) -> dict:
    """What a browser would post back from the page `response` rendered: every field of its form as
    shown (a bound form's values as re-rendered after an error), with `changes` typed over them."""
    form = response.context["form"]
    data = {}
    for field in form:
        value = field.value()
        if isinstance(value, bool) or field.widget_type == "checkbox":
            if value:
                data[field.html_name] = "on"
        elif value is not None:
            data[field.html_name] = value if isinstance(value, list | str) else str(value)
    data.update(changes)
    return data


def settings_with(model, tenant, **values):
    """The organization's settings row of `model` (made if missing) with `values` saved on it."""
    settings = model.get_or_create_for(tenant.organization)
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save()
    return settings
