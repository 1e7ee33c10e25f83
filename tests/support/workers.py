"""Code that tests run in separate processes (spawned fresh, so nothing is inherited but the
environment): each process configures Django for the test database itself."""

import logging
import os
import time


def in_process(env: dict, function_name: str, *args):
    os.environ.update(env)
    import django

    django.setup()
    return globals()[function_name](*args)


def acquire_times(budget: str, count: int) -> list[float]:
    from integrations.fortnox.ratelimit import get_rate_limiter

    limiter = get_rate_limiter()
    times = []
    for _ in range(count):
        ticket = limiter.acquire(budget)
        times.append(time.time())
        limiter.done(budget, ticket)
    return times


class _RefreshCounter(logging.Handler):
    def __init__(self):
        super().__init__()
        self.count = 0

    def emit(self, record):
        if record.getMessage().startswith("fortnox refresh token exchanged"):
            self.count += 1


def call_company_information(connection_id: int, start_at: float) -> dict:
    """One API call through the product's client; whether it worked and how many refreshes
    this process sent to Fortnox."""
    from integrations.core.models import FortnoxConnection
    from integrations.fortnox.client import FortnoxClient

    counter = _RefreshCounter()
    logging.getLogger("integrations.fortnox").addHandler(counter)
    logging.getLogger("integrations.fortnox").setLevel(logging.INFO)
    connection = FortnoxConnection.objects.get(pk=connection_id)
    time.sleep(max(0.0, start_at - time.time()))
    with FortnoxClient(connection) as client:
        company = client.get("/3/companyinformation")
    return {"company": company["CompanyName"], "refreshes": counter.count}


class _LogCounter(logging.Handler):
    def __init__(self, start: str):
        super().__init__()
        self.start, self.count = start, 0

    def emit(self, record):
        if record.getMessage().startswith(self.start):
            self.count += 1


def keep_calling_fortnox(connection_id: int, seconds: float) -> dict:
    """A job for the job clusters: calls Fortnox through the product's client for `seconds`;
    how many calls worked, how many service-account tokens this process asked for, and which
    cluster (the worker's parent process) ran it."""
    from integrations.core.models import FortnoxConnection
    from integrations.fortnox.client import FortnoxClient

    counter = _LogCounter("fortnox service-account token requested")
    logger = logging.getLogger("integrations.fortnox")
    logger.addHandler(counter)
    logger.setLevel(logging.INFO)
    calls = 0
    try:
        deadline = time.monotonic() + seconds
        with FortnoxClient(FortnoxConnection.objects.get(pk=connection_id)) as client:
            while time.monotonic() < deadline:
                assert client.get("/3/companyinformation")["CompanyName"]
                calls += 1
                time.sleep(0.05)
    finally:
        logger.removeHandler(counter)
    return {"cluster": os.getppid(), "calls": calls, "renewals": counter.count}
