"""Other processes on the test's data: job clusters (`manage.py qcluster`), worker functions in
fresh processes, threads released together, `manage.py shell` as a web machine; and `wait_for`,
the one way a test waits for another process."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from multiprocessing import get_context
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from . import workers

MANAGE = Path(__file__).resolve().parents[2] / "manage.py"
# A cluster for a test that makes schedules due and waits for their runs (see the script).
QCLUSTER_CHECKING_SCHEDULES_OFTEN = Path(__file__).with_name("qcluster_checking_schedules_often.py")


def qcluster_command(*, schedules_checked_often: bool = False) -> list[str]:
    if schedules_checked_often:
        return [sys.executable, str(QCLUSTER_CHECKING_SCHEDULES_OFTEN)]
    return [sys.executable, str(MANAGE), "qcluster"]


def wait_for(condition, seconds: float = 60, what: str = "a condition"):
    """The truthy value `condition()` returns within `seconds`, asked every 0.2 s; fails naming `what`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out after {seconds:g} s waiting for {what}")


def database_url_for_subprocess() -> str:
    """The test database as a DATABASE_URL, so a subprocess (a job cluster, a second worker)
    works on exactly the data the test sees."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}{':' + s['PASSWORD'] if s['PASSWORD'] else ''}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


def subprocess_env(**extra) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url_for_subprocess(), "BRYGGA_TESTING": "1"}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def at_once(work, times: int) -> None:
    """Calls `work` in `times` threads released together, standing in for as many workers; each
    thread's database connection is closed after (a transactional test cannot flush while one is open)."""
    import threading

    from django.db import connections

    released = threading.Barrier(times)

    def thread():
        try:
            released.wait()
            work()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=thread) for _ in range(times)]
    for each in threads:
        each.start()
    for each in threads:
        each.join()


@pytest.fixture
def job_cluster(transactional_db, request):
    """A real django-q2 cluster (`manage.py qcluster`) in its own process on the test database.
    Yields the process; waits until the cluster reports its heartbeat. A test marked
    `schedules_checked_often` gets one that looks for due schedules every second."""
    from django_q.conf import Conf
    from django_q.status import Stat

    often = request.node.get_closest_marker("schedules_checked_often") is not None
    process = subprocess.Popen(
        qcluster_command(schedules_checked_often=often), env=subprocess_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, so teardown can stop the sentinel and its workers at once
    )
    deadline = time.monotonic() + 60
    # Ready means a heartbeat from a cluster whose worker pool is up, not one still starting.
    while not any(s.status in (Conf.IDLE, Conf.WORKING) and s.workers for s in Stat.get_all()):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the job cluster did not start: {process.stderr.read().decode()[-2000:]}")
        time.sleep(0.2)
    yield process
    # After the test: a cluster told to stop waits for its workers' current tasks, which the test no
    # longer needs (seconds per test), so the whole group is killed; its last heartbeat, which would
    # say "running" for up to 3 s more, is removed so the next test sees no cluster until its own.
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    forget_cluster_heartbeats()


def forget_cluster_heartbeats() -> None:
    from django.core.cache import cache
    from django_q.conf import Conf

    cache.delete_many([*(cache.get(Conf.Q_STAT) or []), Conf.Q_STAT])


@pytest.fixture
def cluster(sandbox, live_server, monkeypatch, request, settings):
    """A real job cluster whose Fortnox base URLs point at this test's sandbox, with this
    process's rate limit (a folder that lifts it for its tests lifts it for the cluster too)."""
    base = live_server.url + "/sandbox/fortnox"
    for name, value in {"SITE_URL": live_server.url, "FORTNOX_API_BASE_URL": base, "FORTNOX_AUTH_BASE_URL": base,
                        "FORTNOX_RATE_LIMIT_REQUESTS": str(settings.FORTNOX_RATE_LIMIT_REQUESTS)}.items():
        monkeypatch.setenv(name, value)
    return request.getfixturevalue("job_cluster")


def run_in_processes(function_name: str, arguments: list[tuple]) -> list:
    """`workers.<function_name>(*args)` once per args tuple, each in its own fresh process, all at once."""
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "BRYGGA_TESTING": "1",
        "DATABASE_URL": database_url_for_subprocess(),
        "REDIS_URL": settings.REDIS_URL,
        "SITE_URL": settings.SITE_URL,
        "FORTNOX_AUTH_BASE_URL": settings.FORTNOX_AUTH_BASE_URL,
        "FORTNOX_API_BASE_URL": settings.FORTNOX_API_BASE_URL,
        "FORTNOX_RATE_LIMIT_REQUESTS": str(settings.FORTNOX_RATE_LIMIT_REQUESTS),
        "FORTNOX_RATE_LIMIT_WINDOW_SECONDS": str(settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS),
    }
    with get_context("spawn").Pool(len(arguments)) as pool:
        return pool.starmap(workers.in_process, [(env, function_name, *args) for args in arguments])


class Cluster:
    """One `qcluster` process group, standing in for one worker machine."""

    def __init__(self, *, schedules_checked_often: bool = False, **env):
        self.command = qcluster_command(schedules_checked_often=schedules_checked_often)
        self.env = subprocess_env(**env)
        self.process = None

    def start(self) -> "Cluster":
        self.process = subprocess.Popen(self.command, env=self.env, start_new_session=True,
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


def as_web_machine(code: str, **env) -> None:
    """Runs `code` in `manage.py shell` configured like a web machine of the set-up under test
    (its database and, with REDIS_URL, its Redis broker)."""
    subprocess.run([sys.executable, str(MANAGE), "shell", "-c", code], env=subprocess_env(**env), check=True, timeout=120)


def redeliver_lost_tasks() -> None:
    """Compress django-q2's `retry`: tasks a dead worker had taken become visible to the broker
    again now instead of after Q_CLUSTER["retry"] seconds (ORM broker)."""
    from django_q.models import OrmQ

    OrmQ.objects.filter(lock__gt=timezone.now()).update(lock=timezone.now() - timedelta(seconds=1))
