"""A warehouse company connected with the warehouse scopes and its sync on, and the product's
client on it; the event stream configured (the URL only: tests that need the stream server
start it)."""

import pytest

from integrations.fortnox.client import FortnoxClient
from tests.support.warehouse_sync import FAST, configure


@pytest.fixture(autouse=True)
def in_english(in_english):
    return in_english


@pytest.fixture(autouse=True)
def stream_configured(settings):
    settings.FORTNOX_RATE_LIMIT_REQUESTS = 100_000
    if not settings.FORTNOX_EVENTS_URL:
        settings.FORTNOX_EVENTS_URL = "ws://127.0.0.1:9/topics-v1"  # replaced by the stream fixture where one runs


@pytest.fixture
def company(make_company):
    return make_company(**FAST)


@pytest.fixture
def connection(connect_wms, tenant, company):
    connection = connect_wms(tenant, company)
    configure(tenant, active=True)
    return connection


@pytest.fixture
def fortnox(connection):
    with FortnoxClient(connection) as client:
        yield client
