"""Fixtures for the chaos suite: the sandbox over real HTTP (pytest-django's live server), an
organization connected through the real consent page with the HR integration active, and time
compressed — the rate-limit window is 1 s on both sides (instead of Fortnox's 5 s) so a 429's
pause and the outbox's backoff do not make each seed take minutes."""

import pytest

from devtools.chaos import ChaosRun, HrChaos
from integrations.core.models import FortnoxConnection
from integrations.fortnox.client import FortnoxClient
from integrations.hr_sync.models import HrIntegrationSettings
from tests.support.chaos import CLIENT_TIMEOUT


@pytest.fixture(autouse=True)
def in_english(in_english):
    """The chaos runs' disagreements are read in English."""
    return in_english


@pytest.fixture
def compressed_time(settings, sandbox, fortnox_company):
    settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS = 1.0
    settings.FORTNOX_TIMEOUT_SECONDS = CLIENT_TIMEOUT
    sandbox.update_company(fortnox_company.data, rate_limit_window_seconds=1.0)


@pytest.fixture
def hr_chaos(activated, tenant, sandbox, fortnox_company, compressed_time) -> ChaosRun:
    HrIntegrationSettings.objects.filter(organization=tenant.organization).update(create_employees=True)
    chaos = ChaosRun(tenant.organization, sandbox, fortnox_company.data,
                     [HrChaos(tenant.organization, sandbox, fortnox_company.data)], client_timeout=CLIENT_TIMEOUT)
    chaos.prepare(FortnoxClient(activated, timeout=30))  # arranging, not under test: no short timeout
    return chaos


@pytest.fixture
def fortnox_company(make_company, tenant):
    """A company with every module the chaos domains use (Lön, Lager, Lager+ purchase orders),
    which the organization connects to with every scope Brygga can ask for."""
    FortnoxConnection.objects.update_or_create(organization=tenant.organization, defaults={
        "hr_enabled": True, "warehouse_enabled": True, "warehouse_custom_documents": True})
    return make_company(warehouse_licence=True, purchase_orders_licence=True, negative_stock_allowed=True)
