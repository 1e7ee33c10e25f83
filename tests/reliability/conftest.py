"""Fixtures for crash recovery, scale-out and bad input: the sandbox over real HTTP, a connected
organization with the HR integration active, job clusters (`manage.py qcluster`) started in
their own process groups so a test can SIGKILL one whole cluster (sentinel and workers), as a
machine dying would, and a stand-in for a broken Fortnox."""

import threading

import pytest

from integrations.fortnox.client import FortnoxClient
from integrations.hr_sync.models import HrIntegrationSettings
from tests.support.bad_input import BrokenFortnox, BrokenFortnoxHandler
from tests.support.processes import Cluster


@pytest.fixture(autouse=True)
def in_english(in_english):
    """Error-log entries and run logs are asserted by their English source text."""
    return in_english


@pytest.fixture
def clusters(sandbox, live_server, transactional_db):
    """Makes clusters whose Fortnox base URLs point at this test's sandbox; stops them all after."""
    base = live_server.url + "/sandbox/fortnox"
    made = []

    def make(**env) -> Cluster:
        cluster = Cluster(SITE_URL=live_server.url, FORTNOX_API_BASE_URL=base, FORTNOX_AUTH_BASE_URL=base, **env)
        made.append(cluster)
        return cluster

    yield make
    for cluster in made:
        cluster.stop()


@pytest.fixture(params=["orm", "redis"])
def broker(request) -> dict:
    """The environment of a set-up with the ORM broker, or with the Redis broker on the test
    module's `REDIS_URL` (a Redis database of its own, emptied first: tests run in parallel)."""
    if request.param == "orm":
        return {}
    from django.db import connection

    if connection.vendor != "postgresql":
        # A set-up with Redis runs PostgreSQL; CI proves it in its PostgreSQL pass, which also keeps
        # the two passes (run side by side) off each other's Redis databases.
        pytest.skip("the Redis set-up is proved on PostgreSQL")
    import redis

    client = redis.Redis.from_url(request.module.REDIS_URL)
    client.ping()  # Redis must be there: these tests are never skipped
    client.flushdb()
    return {"REDIS_URL": request.module.REDIS_URL}


@pytest.fixture
def creating_employees(activated, tenant):
    HrIntegrationSettings.objects.filter(organization=tenant.organization).update(create_employees=True)
    return activated


@pytest.fixture
def broken_fortnox(settings, monkeypatch):
    server = BrokenFortnox(("127.0.0.1", 0), BrokenFortnoxHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.FORTNOX_API_BASE_URL = settings.FORTNOX_AUTH_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    # Time compressed: the stand-in has no rate limit to respect, and the client's pauses between
    # retries (after a 5xx or a 429) are cut to nothing; the retries themselves still happen.
    settings.FORTNOX_RATE_LIMIT_REQUESTS, settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS = 100_000, 0.01
    monkeypatch.setattr(FortnoxClient, "_sleep_backoff", lambda client, attempt: None)
    yield server
    server.shutdown()
    server.server_close()
