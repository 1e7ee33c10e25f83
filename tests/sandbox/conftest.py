"""Sandbox fixtures: a company, a sandbox user, Brygga's built-in client, and a helper that
issues a token directly (the OAuth tests go through the real endpoints instead)."""

import base64

import pytest
from django.conf import settings
from django.test import Client

from fortnox_sandbox.models import Company, OAuthClient, SandboxUser, Token

API = "/sandbox/fortnox/"


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


def basic(client_id=None, secret=None) -> str:
    raw = f"{client_id or settings.FORTNOX_CLIENT_ID}:{secret or settings.FORTNOX_CLIENT_SECRET}"
    return "Basic " + base64.b64encode(raw.encode()).decode()


class Api:
    """A test client that sends a Bearer token and JSON."""

    def __init__(self, access_token: str):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {access_token}"}

    def get(self, tail, params=None, **headers):
        return self.client.get(API + tail, params or {}, headers={**self.headers, **headers})

    def post(self, tail, body):
        return self.client.post(API + tail, body, content_type="application/json", headers=self.headers)

    def put(self, tail, body=None):
        return self.client.put(API + tail, body or {}, content_type="application/json", headers=self.headers)

    def delete(self, tail):
        return self.client.delete(API + tail, headers=self.headers)


@pytest.fixture
def connect(oauth_client, sandbox_user):
    """connect("salary companyinformation") -> Api with a fresh token for the company."""

    def make(scopes="salary companyinformation", company=None):
        company = company or sandbox_user.company
        company.refresh_from_db()
        _, access, _ = Token.issue(oauth_client, company, sandbox_user, scopes, sorted(company.modules), False)
        return Api(access)

    return make
