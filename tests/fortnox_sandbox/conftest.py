"""Sandbox fixtures: a company, a sandbox user, Brygga's built-in client, and a helper that
issues a token directly (the OAuth tests go through the real endpoints instead)."""

import pytest

from fortnox_sandbox.models import Company, OAuthClient, SandboxUser, Token
from tests.support.sandbox_api import Api


@pytest.fixture
def company(db):
    return Company.objects.create(database_number=1234567, name="Sandlådan AB", organisation_number="556036-0793",
                                  address="Storgatan 1", zip_code="11122", city="Stockholm")


@pytest.fixture
def sandbox_user(company):
    user = SandboxUser(company=company, username="admin@sandlådan.test", name="Åsa Öberg")
    user.set_password("sandbox-pw")
    user.save()
    return user


@pytest.fixture
def oauth_client(db):
    return OAuthClient.objects.ensure_builtin()


@pytest.fixture
def connect(oauth_client, sandbox_user):
    """connect("salary companyinformation") -> Api with a fresh token for the company."""

    def make(scopes="salary companyinformation", company=None):
        company = company or sandbox_user.company
        company.refresh_from_db()
        _, access, _ = Token.issue(oauth_client, company, sandbox_user, scopes, sorted(company.modules), False)
        return Api(access)

    return make
