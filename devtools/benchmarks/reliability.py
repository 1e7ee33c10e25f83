"""Benchmarks registered for issue 11: the page benchmarks of HR and warehouse (each in a fresh
process on a throw-away database, so the caller's data is never touched and nothing needs to be
migrated first), the chaos runs with more seeds than the test suite has time for, and the
capacity of one worker machine."""

import contextlib
import io
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

from devtools.benchmarks import BenchmarkServer, Row, benchmark, connect_sandbox_company

# Orders bring the ways and terms of delivery they name, read with `settings`.
WAREHOUSE_SCOPES = {"articles": ("article",), "suppliers": ("supplier",), "customers": ("customer",),
                    "orders": ("order", "settings")}


def _page_rows(dotted_name: str, quick: bool) -> list[dict]:
    """Runs a page benchmark (a function returning row dicts) the way the test client expects:
    test environment set up (the `testserver` host allowed, outgoing mail kept in memory)."""
    from importlib import import_module

    from django.test.utils import setup_test_environment

    setup_test_environment()
    module, name = dotted_name.rsplit(".", 1)
    with contextlib.redirect_stdout(io.StringIO()):  # some print their own table; the command prints the one table
        return getattr(import_module(module), name)(quick=quick)


def _pages(dotted_name: str, quick: bool) -> list[Row]:
    with BenchmarkServer() as server:
        (rows,) = server.in_processes(_page_rows, [(dotted_name, quick)])
    return [Row(row["measure"], row["target"], row["result"], row["passed"], api_calls="none") for row in rows]


@benchmark("hr_pages")
def employee_list(quick: bool = False) -> list[Row]:
    return _pages("devtools.benchmarks.hr_pages.bench_employee_list", quick)


@benchmark("warehouse_pages")
def pick_pages(quick: bool = False) -> list[Row]:
    return _pages("devtools.benchmarks.warehouse_pages.bench_pick_pages", quick)


def _chaos_seeds(sandbox_url: str, seeds: list[int], batches: int, steps: int) -> list[dict]:
    from django.conf import settings
    from django.utils import timezone

    from devtools.chaos import ChaosRun, HrChaos
    from devtools.chaos.absence import AbsenceChaos
    from devtools.chaos.warehouse import WarehouseChaos
    from devtools.sandbox_control import SandboxControl
    from integrations.core.models import FortnoxConnection
    from integrations.fortnox.client import FortnoxClient
    from integrations.hr_sync.models import HrIntegrationSettings

    settings.FORTNOX_TIMEOUT_SECONDS = CHAOS_CLIENT_TIMEOUT  # a timed-out request costs this long
    control = SandboxControl(sandbox_url)
    results = []
    for seed in seeds:
        name = f"Kaos {seed} AB"
        connection = FortnoxConnection.objects.get(pk=connect_sandbox_company(
            sandbox_url, name, f"5560{seed:02d}-0000", every_module=True))
        company = next(c for c in control._call("GET", "companies")["companies"] if c["name"] == name)
        HrIntegrationSettings.objects.update_or_create(organization=connection.organization, defaults={
            "activated_at": timezone.now(), "create_employees": True,
        })
        chaos = ChaosRun(connection.organization, control, company, [
            domain(connection.organization, control, company) for domain in (HrChaos, AbsenceChaos, WarehouseChaos)
        ], client_timeout=CHAOS_CLIENT_TIMEOUT)
        with FortnoxClient(connection) as client:
            chaos.prepare(client)
        result = chaos.run(seed, batches=batches, steps_per_batch=steps)
        results.append({"disagreements": result.disagreements, "pushes": result.pushes, "steps": len(result.steps),
                        "failures": result.permanent_failures, "seconds": result.seconds})
    return results


CHAOS_CLIENT_TIMEOUT = 2.0


@benchmark("chaos")
def chaos_seeds(quick: bool = False) -> list[Row]:
    """HR edits, absence changes, fulfilments, stock adjustments, receipts and returns, mixed, under every fault
    profile at the sandbox's real rate limit, one organization per seed; the suite runs two seeds
    with time compressed, this runs more at real speed."""
    seeds, batches, steps = ([101], 3, 3) if quick else (list(range(101, 107)), 6, 8)
    with BenchmarkServer() as server:
        (results,) = server.in_processes(_chaos_seeds, [(f"{server.url}/sandbox/fortnox", seeds, batches, steps)])
    wrong = [line for result in results for line in result["disagreements"]]
    return [Row(
        f"Chaos: {len(seeds)} seeds × {sum(r['steps'] for r in results) // len(seeds)} mixed changes under faults "
        "(HR edits, absence changes, fulfilments, adjustments, receipts, returns)",
        "Brygga = Fortnox: 0 duplicates, 0 missing, every failure in the error log",
        f"{len(wrong)} disagreements{': ' + '; '.join(wrong[:3]) if wrong else ''}; "
        f"{sum(r['failures'] for r in results)} permanent failures, all logged; {max(r['seconds'] for r in results):.0f} s per seed",
        not wrong, api_calls=f"{sum(r['pushes'] for r in results)} push attempts",
    )]


def connect_warehouse_organizations(sandbox_url: str, count: int, *, kinds: list[str], name: str = "Skala") -> list:
    """`count` organizations, each with a sandbox company of its own (one Fortnox company, one
    organization) connected through the sandbox's consent page (so its own access token and rate
    limit), with a warehouse sync of `kinds` on the 15-minute schedule. The companies are made one
    after another, then connected eight at a time."""
    from django.db import connection as db

    from devtools.sandbox_control import SandboxControl
    from integrations.connection import actions
    from integrations.fortnox import oauth
    from integrations.warehouse_sync.models import WarehouseSyncSettings
    from integrations.warehouse_sync.tasks import do_update_schedule
    from organizations.models import Organization

    control = SandboxControl(sandbox_url)
    scopes = ["companyinformation", *(scope for kind in kinds for scope in WAREHOUSE_SCOPES[kind])]
    companies = [control.create_company(name=f"{name} {number} AB") for number in range(count)]
    users = [control.create_user(company) for company in companies]

    def connect(number: int):
        try:
            organization = Organization.objects.create(name=f"{name} {number} AB", organisation_number=f"{550000 + number}-{1000 + number}")
            back = control.consent(oauth.authorization_url(scopes, f"scale-{number}"), users[number])
            actions.do_connect(organization, oauth.exchange_code(parse_qs(urlsplit(back).query)["code"][0]), user=None)
            settings, _ = WarehouseSyncSettings.objects.update_or_create(organization=organization, defaults={
                "active": True, "interval_minutes": 15,
                **{f"pull_{kind}": kind in kinds for kind in [*WAREHOUSE_SCOPES, "purchase_orders"]},
            })
            do_update_schedule(settings)
            return organization
        finally:
            db.close()  # this thread's own database connection

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(connect, range(count)))


IDLE_KINDS = ["suppliers", "articles", "customers", "orders"]
# The warehouse mode, one list per kind, and the ways and terms of delivery that pulling orders reads.
IDLE_RUN_CALLS = 1 + len(IDLE_KINDS) + 2


def _connect_idle_organizations(sandbox_url: str, count: int) -> int:
    return len(connect_warehouse_organizations(sandbox_url, count, kinds=IDLE_KINDS, name="Kapacitet"))


def _one_slot(count: int, timeout: float = 900) -> dict:
    """Make every warehouse schedule due (a slot comes round), wait for the runs; their timing."""
    from django.utils import timezone
    from django_q.models import Schedule

    from integrations.core.models import SyncRun
    from integrations.warehouse_sync.tasks import RUN_KIND

    Schedule.objects.filter(func__endswith="scheduled_sync").update(next_run=timezone.now())
    runs = SyncRun.objects.filter(kind=RUN_KIND)
    deadline = time.monotonic() + timeout
    while runs.filter(status__in=SyncRun.FINISHED).count() < count and time.monotonic() < deadline:
        time.sleep(0.5)
    finished = list(runs.filter(status__in=SyncRun.FINISHED))
    return {
        "finished": len(finished), "succeeded": sum(r.status == SyncRun.Status.SUCCEEDED for r in finished),
        "calls": [r.api_calls for r in finished],
        "seconds": (max(r.finished_at for r in finished) - min(r.created_at for r in finished)).total_seconds() if finished else 0,
        "run_seconds": [(r.finished_at - r.started_at).total_seconds() for r in finished],
    }


@benchmark("capacity")
def worker_capacity(quick: bool = False) -> list[Row]:
    """Idle scheduled warehouse runs (four kinds enabled, nothing changed) of many organizations
    through one job cluster with Q_WORKERS=2, as on one 2-core worker machine; the sandbox server
    shares the machine, so the figure is a floor: the organizations one such machine serves per
    15-minute slot (docs/operations.md)."""
    import statistics
    import subprocess
    import sys

    from devtools.benchmarks import BASE_DIR

    count = 3 if quick else 100
    with BenchmarkServer() as server:
        server.in_processes(_connect_idle_organizations, [(f"{server.url}/sandbox/fortnox", count)])
        cluster = subprocess.Popen([sys.executable, str(BASE_DIR / "manage.py"), "qcluster"], env={**server.env, "Q_WORKERS": "2"},
                                   cwd=BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            (slot,) = server.in_processes(_one_slot, [(count,)])
        finally:
            cluster.terminate()
            cluster.wait(timeout=30)
    if slot["finished"] < count:
        return [Row("Capacity of one 2-core worker", "a slot finishes", f"only {slot['finished']} of {count} runs", False)]
    per_slot = int(count / slot["seconds"] * 900)
    most_calls = max(slot["calls"])
    return [Row(
        f"Capacity: a slot of {count} idle warehouse runs ({len(IDLE_KINDS)} kinds) on one cluster, 2 workers",
        f"measured (docs/operations.md); every run succeeds with ≤ {IDLE_RUN_CALLS} calls (the mode, the kinds, the "
        "delivery registers orders read)",
        f"{slot['seconds']:.1f} s for the slot, median run {statistics.median(slot['run_seconds']):.2f} s → "
        f"{per_slot:,} organizations per 15-minute slot", most_calls <= IDLE_RUN_CALLS and slot["succeeded"] == count,
        api_calls=f"{most_calls} per run",
    )]
