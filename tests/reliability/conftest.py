"""Fixtures for crash recovery, scale-out and bad input: the sandbox over real HTTP, a connected
organization with the HR integration active, and job clusters (`manage.py qcluster`) started in
their own process groups so a test can SIGKILL one whole cluster (sentinel and workers), as a
machine dying would."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings as hypothesis_settings, strategies as st

from integrations.fortnox.client import FortnoxClient
from integrations.models import FortnoxConnection, HrIntegrationSettings
from tests.conftest import subprocess_env
from tests.fortnox_client.conftest import fortnox_company, make_company, other_tenant, sandbox, tenant  # noqa: F401
from tests.hr_sync.conftest import activated, connected, fortnox, in_english  # noqa: F401 (fixtures)

MANAGE = Path(__file__).resolve().parents[2] / "manage.py"


class Cluster:
    """One `qcluster` process group, standing in for one worker machine."""

    def __init__(self, **env):
        self.env = subprocess_env(**env)
        self.process = None

    def start(self) -> "Cluster":
        self.process = subprocess.Popen([sys.executable, str(MANAGE), "qcluster"], env=self.env, start_new_session=True,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return self

    def kill(self) -> None:
        """SIGKILL to every process of the cluster at once: nothing gets to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """After a test: a cluster told to stop waits for its workers' current tasks, which the
        test no longer needs, so it is killed."""
        if self.process.poll() is None:
            self.kill()


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
    import redis

    client = redis.Redis.from_url(request.module.REDIS_URL)
    client.ping()  # Redis must be there: these tests are never skipped
    client.flushdb()
    return {"REDIS_URL": request.module.REDIS_URL}


def as_web_machine(code: str, **env) -> None:
    """Runs `code` in `manage.py shell` configured like a web machine of the set-up under test
    (its database and, with REDIS_URL, its Redis broker)."""
    subprocess.run([sys.executable, str(MANAGE), "shell", "-c", code], env=subprocess_env(**env), check=True, timeout=120)


@pytest.fixture
def creating_employees(activated, tenant):
    HrIntegrationSettings.objects.filter(organization=tenant.organization).update(create_employees=True)
    return activated


def wait_for(condition, seconds: float = 60, what: str = "a condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def redeliver_lost_tasks() -> None:
    """Compress django-q2's `retry`: tasks a dead worker had taken become visible to the broker
    again now instead of after Q_CLUSTER["retry"] seconds (ORM broker)."""
    from django_q.models import OrmQ

    OrmQ.objects.filter(lock__gt=timezone.now()).update(lock=timezone.now() - timedelta(seconds=1))


# --- bad input: a stand-in for a broken Fortnox ------------------------------------------------

EXAMPLES = hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
HTML_ERROR_PAGE = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"


class BrokenFortnox(ThreadingHTTPServer):
    """Answers a request for a path in `routes` (the path without its query, percent-decoded)
    with that route's reply, and every other request with `reply`: (status, content type, body
    bytes)."""

    daemon_threads = True
    reply = (200, "application/json", b"{}")
    routes: dict = {}


class _Handler(BaseHTTPRequestHandler):
    def _answer(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = unquote(urlsplit(self.path).path)
        status, content_type, body = self.server.routes.get(path, self.server.reply)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def broken_fortnox(settings, monkeypatch):
    server = BrokenFortnox(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.FORTNOX_API_BASE_URL = settings.FORTNOX_AUTH_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    # Time compressed: the stand-in has no rate limit to respect, and the client's pauses between
    # retries (after a 5xx or a 429) are cut to nothing; the retries themselves still happen.
    settings.FORTNOX_RATE_LIMIT_REQUESTS, settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS = 100_000, 0.01
    monkeypatch.setattr(FortnoxClient, "_sleep_backoff", lambda client, attempt: None)
    yield server
    server.shutdown()
    server.server_close()


def fresh_connection(organization) -> FortnoxConnection:
    """A connected organization for each example: an example answering 401 leaves the connection
    needing re-authorization (as it must), which would cut every later example short."""
    FortnoxConnection.objects.filter(organization=organization).delete()
    return FortnoxConnection.objects.create(
        organization=organization, status=FortnoxConnection.Status.CONNECTED, access_token="access",
        refresh_token="refresh", expires_at=timezone.now() + timedelta(hours=1), connected_at=timezone.now(),
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def as_bytes(document) -> bytes:
    return json.dumps(document).encode()


def cut_short(bodies):
    """Bodies cut off somewhere before their end, as by a dropped connection."""
    return st.tuples(bodies, st.integers(min_value=1)).map(lambda pair: pair[0][: pair[1] % max(1, len(pair[0]))])
