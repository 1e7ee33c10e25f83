"""Fixtures for the warehouse ↔ Fortnox integration: the sandbox over real HTTP (pytest-django's
live server), a sandbox company with the switches a test needs (set through the control API), an
organization connected with the warehouse scopes through the real consent page, and Fortnox
records created through the product's own client."""

import time
from datetime import datetime, timedelta

import pytest

from integrations import outbox
from integrations.fortnox.client import FortnoxClient
from integrations.models import FortnoxConnection, SyncRun, WarehouseSyncSettings
from integrations.warehouse_sync import tasks
from tests.fortnox_client.conftest import (  # noqa: F401 (fixtures)
    FortnoxCompany,
    connect,
    make_company,
    other_tenant,
    sandbox,
    tenant,
)

FAST = {"rate_limit_requests": 100_000}


@pytest.fixture(autouse=True)
def in_english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def generous_limit(settings):
    """Business rules here, not the rate limit (the benchmark measures that)."""
    settings.FORTNOX_RATE_LIMIT_REQUESTS = 100_000


@pytest.fixture
def connect_wms(connect):
    """connect_wms(tenant, company) → a connection with the warehouse (and custom document) scopes."""

    def make(tenant, company: FortnoxCompany) -> FortnoxConnection:
        FortnoxConnection.objects.update_or_create(organization=tenant.organization, defaults={
            "hr_enabled": False, "warehouse_enabled": True, "warehouse_custom_documents": True})
        return connect(tenant, company)

    return make


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


@pytest.fixture
def cluster(sandbox, live_server, monkeypatch, request):
    """A real job cluster whose Fortnox base URLs point at this test's sandbox (and whose rate
    limit is as generous as this process's)."""
    base = live_server.url + "/sandbox/fortnox"
    for name, value in {"SITE_URL": live_server.url, "FORTNOX_API_BASE_URL": base, "FORTNOX_AUTH_BASE_URL": base,
                        "FORTNOX_RATE_LIMIT_REQUESTS": "100000"}.items():
        monkeypatch.setenv(name, value)
    return request.getfixturevalue("job_cluster")


def configure(tenant, **values) -> WarehouseSyncSettings:
    settings = WarehouseSyncSettings.for_organization(tenant.organization)
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save()
    return settings


def sync(tenant) -> SyncRun:
    """One run, in this process (the job cluster tests start runs the way the product does)."""
    run = tasks.do_queue_sync(tenant.organization, trigger=SyncRun.Trigger.MANUAL)
    tasks.execute_run(run.pk)
    run.refresh_from_db()
    return run


def as_if_later(tenant, minutes=10):
    """Move every cursor forward, as if the last run had started `minutes` later: records changed
    before it then fall outside the pull's overlap, as they do between scheduled runs 15 minutes
    apart (the tests cannot wait for Fortnox's minute-resolution clock)."""
    settings = WarehouseSyncSettings.for_organization(tenant.organization)
    for kind, value in settings.cursors.items():
        moment = datetime.strptime(value, tasks.CURSOR_FORMAT) + timedelta(minutes=minutes)
        settings.cursors[kind] = moment.strftime(tasks.CURSOR_FORMAT)
    settings.save(update_fields=["cursors"])


def push():
    """Push what the outbox holds, in this process."""
    return outbox.push_due()


def wait_for(condition, seconds=45):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


# --- Fortnox records, through the product's client ---------------------------------------------


def customer(fortnox, number="K1", **fields) -> dict:
    return fortnox.post("/3/customers", {"Customer": {"CustomerNumber": number, "Name": f"Kund {number}", **fields}})


def article(fortnox, number, **fields) -> dict:
    return fortnox.post("/3/articles", {"Article": {"ArticleNumber": number, "Description": f"Artikel {number}",
                                                    "StockGoods": True, **fields}})


def order(fortnox, rows, customer_number="K1", **fields) -> dict:
    rows = [{"ArticleNumber": number, "OrderedQuantity": str(qty)} for number, qty in rows]
    return fortnox.post("/3/orders", {"Order": {"CustomerNumber": customer_number, "OrderRows": rows, **fields}})


def supplier(fortnox, number="L1", **fields) -> dict:
    return fortnox.post("/3/suppliers", {"Supplier": {"SupplierNumber": number, "Name": f"Leverantör {number}", **fields}})
