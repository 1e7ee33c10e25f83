"""The shared limiter, measured directly: whatever threads and processes share a connection,
no window ever holds more requests than the limit, and the budget is used (nobody idles while
there is room). The sandbox half of the story (no 429 ever arrives) is in test_client_calls."""

import shutil
import socket
import subprocess
import threading
import time

import pytest

from integrations.core.models import FortnoxConnection
from integrations.fortnox.ratelimit import get_rate_limiter
from tests.support.processes import run_in_processes

LIMIT, WINDOW = 5, 0.4


@pytest.fixture
def small_budget(settings):
    settings.FORTNOX_RATE_LIMIT_REQUESTS = LIMIT
    settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS = WINDOW


@pytest.fixture
def shared_connection(transactional_db, tenant):
    return FortnoxConnection.objects.create(organization=tenant.organization)


def busiest_window(times: list[float], window: float) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t < start + window) for i, start in enumerate(times))


def acquire_in_threads(budget: str, threads: int, each: int, slots: int = 1) -> list[float]:
    """Each thread takes `slots` at once (2: a read and the write decided on it), `each` times;
    the moment each slot was taken."""
    times, lock = [], threading.Lock()

    def work():
        limiter = get_rate_limiter()
        for _ in range(each):
            tickets = limiter.acquire_many(budget, slots)
            with lock:
                times.extend([time.time()] * slots)
            for ticket in tickets:
                limiter.done(budget, ticket)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return times


def assert_limit_held(times: list[float]):
    # Full use of the budget is a throughput figure and is measured by the rate-limit benchmark
    # (`manage.py benchmark --only ratelimit`); on a loaded CI machine a wall-clock bound here
    # would only measure the machine.
    assert busiest_window(times, WINDOW) <= LIMIT


def test_threads_sharing_a_connection_never_exceed_the_limit_in_any_window(small_budget, shared_connection):
    times = acquire_in_threads(shared_connection.rate_limit_key, threads=4, each=5)
    assert len(times) == 20
    assert_limit_held(times)


def test_processes_sharing_a_connection_never_exceed_the_limit_in_any_window(small_budget, shared_connection):
    budget = shared_connection.rate_limit_key
    per_process = run_in_processes("acquire_times", [(budget, 8), (budget, 8)])
    times = [t for process_times in per_process for t in process_times]
    assert len(times) == 16
    assert_limit_held(times)


def test_connections_to_different_fortnox_companies_have_budgets_of_their_own(small_budget, shared_connection, other_tenant, settings):
    # A long window: were the budget shared, the sixth request would wait the whole 10 s.
    settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS = 10
    FortnoxConnection.objects.filter(pk=shared_connection.pk).update(tenant_id="1111")
    other = FortnoxConnection.objects.create(organization=other_tenant.organization, tenant_id="2222")
    shared_connection.refresh_from_db()
    limiter = get_rate_limiter()
    started = time.monotonic()
    for _ in range(LIMIT):
        limiter.acquire(shared_connection.rate_limit_key)
        limiter.acquire(other.rate_limit_key)
    assert time.monotonic() - started < 5


def test_a_fortnox_company_moved_to_another_organization_keeps_its_budget(small_budget, shared_connection, other_tenant, settings):
    """Fortnox counts per client id and tenant: moving the company to another organization (or
    connecting it anew) must not double what Brygga sends it."""
    settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS = 1.5
    FortnoxConnection.objects.filter(pk=shared_connection.pk).update(tenant_id="1111")
    shared_connection.refresh_from_db()
    limiter = get_rate_limiter()
    for _ in range(LIMIT):
        limiter.acquire(shared_connection.rate_limit_key)
    FortnoxConnection.objects.filter(pk=shared_connection.pk).update(tenant_id="")  # one company, one organization
    other = FortnoxConnection.objects.create(organization=other_tenant.organization, tenant_id="1111")
    assert other.rate_limit_key == shared_connection.rate_limit_key
    started = time.monotonic()
    limiter.acquire(other.rate_limit_key)
    assert time.monotonic() - started > 1.0  # waited for the first request to leave the window


def test_a_connection_whose_company_is_not_known_yet_has_a_budget_of_its_own(shared_connection, other_tenant):
    other = FortnoxConnection.objects.create(organization=other_tenant.organization)
    assert shared_connection.rate_limit_key != other.rate_limit_key


@pytest.fixture
def redis_url():
    """A private Redis server for the test (the Redis limiter must run against the real thing)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    for _ in range(50):
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


def test_with_redis_configured_threads_and_processes_share_one_budget(small_budget, shared_connection, settings, redis_url):
    settings.REDIS_URL = redis_url
    assert type(get_rate_limiter()).__name__ == "RedisRateLimiter"
    threads_done = []
    thread = threading.Thread(target=lambda: threads_done.extend(acquire_in_threads(shared_connection.rate_limit_key, threads=3, each=4)))
    thread.start()
    per_process = run_in_processes("acquire_times", [(shared_connection.rate_limit_key, 6)])
    thread.join()
    times = threads_done + per_process[0]
    assert len(times) == 18
    assert_limit_held(times)


def test_two_slots_taken_at_once_wait_until_both_fit_and_never_exceed_the_limit(small_budget, shared_connection):
    budget, limiter = shared_connection.rate_limit_key, get_rate_limiter()
    for _ in range(LIMIT - 1):
        limiter.acquire(budget)
    started = time.monotonic()
    first, second = limiter.acquire_many(budget, 2)
    assert time.monotonic() - started > WINDOW * 0.8, "two slots were taken where one was free"
    assert first != second
    limiter.release(budget, second)
    started = time.monotonic()
    limiter.acquire(budget)  # the released slot is free at once
    assert time.monotonic() - started < WINDOW / 2
    times = acquire_in_threads(budget, threads=2, each=3, slots=2) + acquire_in_threads(budget, threads=2, each=3)
    assert len(times) == 18
    assert_limit_held(times)


def test_with_redis_two_slots_taken_at_once_never_exceed_the_limit(small_budget, shared_connection, settings, redis_url):
    settings.REDIS_URL = redis_url
    budget = shared_connection.rate_limit_key
    times = acquire_in_threads(budget, threads=2, each=3, slots=2) + acquire_in_threads(budget, threads=2, each=3)
    assert len(times) == 18
    assert_limit_held(times)
    with pytest.raises(ValueError):
        get_rate_limiter().acquire_many(budget, LIMIT + 1)
