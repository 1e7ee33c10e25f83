"""Benchmarks (not tests): each measures one performance target and returns Markdown rows.

Register a function with `@benchmark("name")`; `python manage.py benchmark [--quick] [--only
name]` runs them and prints one table. A benchmark that needs Fortnox starts its own Brygga
server with the sandbox (`BenchmarkServer`) on a throwaway database, so it neither needs nor
touches the caller's data.

This module imports no models at import time: its worker functions run in fresh processes that
configure Django themselves.
"""

import atexit
import functools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

BASE_DIR = Path(__file__).resolve().parents[2]
BENCHMARKS = {}


@dataclass
class Row:
    measure: str
    target: str
    result: str
    passed: bool
    api_calls: str = ""
    benchmark: str = ""  # the registered name that produced it (set by the command)


def benchmark(name: str):
    def register(function):
        BENCHMARKS[name] = function
        return function

    return register


def markdown_table(rows: list[Row]) -> str:
    return "\n".join([TABLE_HEADER, *(
        f"| {r.benchmark} | {r.measure} | {r.target} | {r.result} | {'✅' if r.passed else '❌'} | {r.api_calls} |" for r in rows
    )])


TABLE_HEADER = "| benchmark | measure | target | result | pass | API calls |\n|---|---|---|---|---|---|"


# --- a private Brygga + sandbox --------------------------------------------------------------


def stop_processes(processes) -> None:
    """Ask each helper process (stream server, cluster, listener) to stop, then kill any that has
    not stopped within 15 s, so a benchmark never leaves one running."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


TEMPLATE_VARIABLE = "BRYGGA_BENCH_TEMPLATE"


@functools.cache
def _migrated_template() -> Path:
    """An empty migrated database, made once per command and copied for each server: migrating
    takes several seconds, and a full benchmark run starts a dozen servers. Benchmarks run side by
    side (`--jobs`) get the parent's through the environment."""
    if os.environ.get(TEMPLATE_VARIABLE):
        return Path(os.environ[TEMPLATE_VARIABLE])
    directory = Path(tempfile.mkdtemp(prefix="brygga-bench-template-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    path = directory / "template.sqlite3"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1", "DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), "migrate", "--no-input", "-v0"], env=env, cwd=BASE_DIR, check=True)
    return path


@dataclass
class BenchmarkServer:
    """Brygga (runserver, sandbox on) on a free port with its own SQLite database."""

    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="brygga-bench-")))
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{self.directory / 'bench.sqlite3'}",
            "SITE_URL": self.url,
            "FORTNOX_SANDBOX_ENABLED": "1",
            "FORTNOX_AUTH_BASE_URL": f"{self.url}/sandbox/fortnox",
            "FORTNOX_API_BASE_URL": f"{self.url}/sandbox/fortnox",
            "LOG_LEVEL": "WARNING",
        }

    def __enter__(self) -> "BenchmarkServer":
        manage = [sys.executable, str(BASE_DIR / "manage.py")]
        shutil.copyfile(_migrated_template(), self.directory / "bench.sqlite3")
        self.process = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{self.port}", "--noreload"], env=self.env, cwd=BASE_DIR,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/healthz", timeout=1)
                return self
            except requests.ConnectionError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("the benchmark server did not start within 60 s")

    def __exit__(self, *exc_info):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.directory, ignore_errors=True)

    def in_processes(self, function, arguments: list[tuple]) -> list:
        """Run `function(*args)` for each args tuple, each in its own fresh process configured
        for this server, all at once; their results in order."""
        with get_context("spawn").Pool(len(arguments)) as pool:
            return pool.starmap(_configured, [(self.env, function, args) for args in arguments])


def _configured(env: dict, function, args: tuple):
    os.environ.update(env)
    import django

    django.setup()
    return function(*args)


# --- setting up a connected organization over HTTP -----------------------------------------------


def connect_sandbox_company(sandbox_url: str, name: str, organisation_number: str, *, every_module: bool = False) -> int:
    """A sandbox company and user (through the sandbox's control API), a Brygga organization,
    and a connection made through the sandbox's real consent page: for HR, or with
    `every_module` for HR and the warehouse (Lager, Lager+, custom documents) too. Returns the
    connection id. Runs in a configured process (`BenchmarkServer.in_processes`)."""
    from devtools.sandbox_control import SandboxControl
    from integrations.connection import actions
    from integrations.core.models import FortnoxConnection
    from integrations.fortnox import oauth
    from organizations.models import Organization

    control = SandboxControl(sandbox_url)
    modules = {"warehouse_licence": True, "purchase_orders_licence": True, "negative_stock_allowed": True} if every_module else {}
    company = control.create_company(name=name, **modules)
    user = control.create_user(company)
    organization, _ = Organization.objects.get_or_create(organisation_number=organisation_number, defaults={"name": name})
    features = FortnoxConnection(hr_enabled=True, warehouse_enabled=every_module, warehouse_custom_documents=every_module)
    back = control.consent(oauth.authorization_url(features.requested_scopes(), "benchmark"), user)
    code = parse_qs(urlsplit(back).query)["code"][0]
    connection = actions.do_connect(organization, oauth.exchange_code(code), user=None)
    FortnoxConnection.objects.filter(pk=connection.pk).update(
        warehouse_enabled=every_module, warehouse_custom_documents=every_module)
    return connection.pk


# --- the benchmarks ---------------------------------------------------------------------------


def _call_repeatedly(connection_id: int, calls: int) -> dict:
    from integrations.core.models import FortnoxConnection
    from integrations.fortnox.client import CallCounter, FortnoxClient

    counter = CallCounter()
    started = time.time()
    with FortnoxClient(FortnoxConnection.objects.get(pk=connection_id), call_counter=counter) as client:
        for _ in range(calls):
            client.get("/3/companyinformation")
    return {"started": started, "finished": time.time(), "by_status": dict(counter.by_status), "total": counter.total}


@benchmark("ratelimit")
def rate_limit_throughput(quick: bool = False) -> list[Row]:
    """N calls through two processes sharing one connection at Fortnox's real limit (25 per
    5 s): they should take (N/25 − 1) × 5 s plus a little, and never meet a 429."""
    calls = 30 if quick else 1000
    with BenchmarkServer() as server:
        from django.conf import settings

        limit, window = settings.FORTNOX_RATE_LIMIT_REQUESTS, settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS
        (connection_id,) = server.in_processes(
            connect_sandbox_company, [(f"{server.url}/sandbox/fortnox", "Benchmark AB", "556036-0793")]
        )
        results = server.in_processes(_call_repeatedly, [(connection_id, calls // 2), (connection_id, calls - calls // 2)])
    elapsed = max(r["finished"] for r in results) - min(r["started"] for r in results)
    statuses = sum((Counter(r["by_status"]) for r in results), Counter())
    theoretical = calls / limit * window
    too_many = statuses.get(429, 0)
    return [Row(
        measure=f"Rate limit: {calls:,} calls, 2 processes, one connection",
        target=f"≤ {1.05 * theoretical:.0f} s (1.05 × {theoretical:.0f} s), 0 × 429",
        result=f"{elapsed:.1f} s ({calls / elapsed:.2f} calls/s), {too_many} × 429",
        passed=elapsed <= 1.05 * theoretical and too_many == 0,
        api_calls=f"{sum(r['total'] for r in results):,} for {calls:,} calls",
    )]
from . import (  # noqa: E402,F401  (each registers its benchmarks)
    absence,
    events,
    events_scale,
    hr,
    reliability,
    warehouse,
)
