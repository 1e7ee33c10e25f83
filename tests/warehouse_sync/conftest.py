"""The warehouse ↔ Fortnox integration's own companies and connections (the shared world is in
tests/support/warehouse_sync.py): a classic company and one with Lager, each connected with the
warehouse scopes, and the product's client on each."""

import pytest

from integrations.core.models import FortnoxConnection
from integrations.fortnox.client import FortnoxClient
from tests.support.fortnox import FortnoxCompany
from tests.support.warehouse_sync import FAST, configure


@pytest.fixture(autouse=True)
def in_english(in_english):
    """Every test here reads run logs and messages in English, their source text."""
    return in_english


@pytest.fixture(autouse=True)
def generous_limit(settings):
    """Business rules here, not the rate limit (the benchmark measures that); the job cluster
    gets the same limit."""
    settings.FORTNOX_RATE_LIMIT_REQUESTS = 100_000


@pytest.fixture
def company(make_company) -> FortnoxCompany:
    """A classic company: no warehouse module."""
    return make_company(**FAST)


@pytest.fixture
def lager_company(make_company) -> FortnoxCompany:
    return make_company(warehouse_licence=True, purchase_orders_licence=True, negative_stock_allowed=True, **FAST)


@pytest.fixture
def connection(connect_wms, tenant, company) -> FortnoxConnection:
    return connect_wms(tenant, company)


@pytest.fixture
def lager_connection(connect_wms, tenant, lager_company) -> FortnoxConnection:
    connection = connect_wms(tenant, lager_company)
    configure(tenant, use_warehouse_module=True)
    return connection


@pytest.fixture
def fortnox(connection):
    with FortnoxClient(connection) as client:
        yield client


@pytest.fixture
def lager_fortnox(lager_connection):
    with FortnoxClient(lager_connection) as client:
        yield client
