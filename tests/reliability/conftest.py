"""Fixtures for crash recovery, scale-out and bad input: the sandbox over real HTTP, a connected
organization with the HR integration active, and job clusters (`manage.py qcluster`) started in
their own process groups so a test can SIGKILL one whole cluster (sentinel and workers), as a
machine dying would."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from integrations.models import HrIntegrationSettings
from tests.conftest import subprocess_env
from tests.hr_sync.conftest import activated, connected, fortnox, in_english  # noqa: F401 (fixtures)
from tests.fortnox_client.conftest import fortnox_company, make_company, other_tenant, sandbox, tenant  # noqa: F401

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
