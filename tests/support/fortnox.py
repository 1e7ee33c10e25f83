"""Fortnox as the tests meet it: the sandbox served by pytest-django's live server (real HTTP,
as with Fortnox), a sandbox company with a user who can approve, an organization connected
through the real consent page, and one call through the product's client."""

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from devtools.sandbox_control import SandboxControl
from integrations.core.models import FortnoxConnection
from integrations.fortnox.client import FortnoxClient


@pytest.fixture
def sandbox(live_server, settings) -> SandboxControl:
    base = live_server.url + "/sandbox/fortnox"
    settings.SITE_URL = live_server.url
    settings.FORTNOX_AUTH_BASE_URL = base
    settings.FORTNOX_API_BASE_URL = base
    return SandboxControl(base)


@dataclass
class FortnoxCompany:
    data: dict
    user: dict

    @property
    def database_number(self) -> int:
        return self.data["database_number"]


@pytest.fixture
def make_company(sandbox):
    def make(**fields) -> FortnoxCompany:
        data = sandbox.create_company(**{"name": "Sandlådan AB", "organisation_number": "556036-0793", **fields})
        return FortnoxCompany(data=data, user=sandbox.create_user(data))

    return make


@pytest.fixture
def fortnox_company(make_company) -> FortnoxCompany:
    return make_company()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def start_and_consent(client, sandbox, company: FortnoxCompany, action="approve") -> str:
    """Press Connect in Brygga and answer Fortnox's consent page; the callback URL (path and
    query) Fortnox sends the browser back to."""
    started = client.post(reverse("fortnox_connect"))
    assert started.status_code == 302, started.content
    return path_of(sandbox.consent(started["Location"], company.user, action))


@pytest.fixture
def connect(sandbox, client_for):
    """connect(tenant, company) → the organization's connection, made through the consent page."""

    def make(tenant, company: FortnoxCompany) -> FortnoxConnection:
        client = client_for(tenant.owner)
        response = client.get(start_and_consent(client, sandbox, company))
        assert response.status_code == 302 and response["Location"] == reverse("fortnox_connection"), response.content
        return FortnoxConnection.objects.get(organization=tenant.organization)

    return make


@pytest.fixture
def connection(connect, tenant, fortnox_company) -> FortnoxConnection:
    return connect(tenant, fortnox_company)


def fetch(connection, path="/3/companyinformation", **client_options):
    """One GET through the product's client (closed afterwards, so no connection lingers)."""
    with FortnoxClient(connection, **client_options) as client:
        return client.get(path)
