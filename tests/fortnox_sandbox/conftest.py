"""Sandbox fixtures: a company, a sandbox user, Brygga's built-in client, and a helper that
issues a token directly (the OAuth tests go through the real endpoints instead)."""

import pytest
from django.conf import settings
from django.test import Client

from fortnox_sandbox.models import Company, OAuthClient, SandboxUser, Token
from tests.support.sandbox_api import ALL_SCOPES, Api
from tests.support.sandbox_stream import STREAM_TOPICS, access_token


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


@pytest.fixture
def unlimited(company):
    """For tests about business rules, not the rate limit (tested in tests/fortnox_sandbox/test_api_rules.py)."""
    company.rate_limit_requests = 100_000
    company.save(update_fields=["rate_limit_requests"])
    return company


@pytest.fixture
def api(unlimited, connect) -> Api:
    """A token with every scope on a company without a rate limit; a module about other scopes
    defines its own `api`."""
    return connect(ALL_SCOPES)


@pytest.fixture
def listening(sandbox_stream, api):
    """A client subscribed to the stream's five topics for the company, from now."""
    with sandbox_stream.client() as client:
        client.subscribe(settings.FORTNOX_CLIENT_SECRET, [access_token(api)], STREAM_TOPICS)
        yield client


@pytest.fixture
def browser(db, django_user_model) -> Client:
    """The HTML panel as a person uses it outside DEBUG: a Brygga superuser's session."""
    admin = django_user_model.objects.create_superuser(email="root@brygga.test", password="pw-for-tests-1")
    client = Client()
    client.force_login(admin)
    return client
