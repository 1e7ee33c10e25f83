"""Benchmarks of the HR integration (registered in `devtools.benchmarks`; run with
`python manage.py benchmark --only hr_plan --only hr_push`). Both run against a private Brygga +
sandbox server at the sandbox's real rate limit (25 requests per 5 s)."""

import statistics
import subprocess
import sys
import time

from devtools.benchmarks import BASE_DIR, BenchmarkServer, Row, benchmark, connect_sandbox_company


def _organisation_number(serial: int) -> str:
    """A valid Swedish organisation number (Luhn check digit), one per serial."""
    digits = f"556{serial:06d}"
    total = sum(sum(divmod(int(d) * (2 if i % 2 == 0 else 1), 10)) for i, d in enumerate(digits))
    return f"{digits[:6]}-{digits[6:]}{(10 - total % 10) % 10}"


def _connect_seeded(sandbox_url: str, name: str, size: int, serial: int = 0) -> int:
    """A sandbox company seeded with `size` employees of each kind of record (seeding empties a
    company, tokens included, so it comes before connecting), connected through its consent page."""
    from urllib.parse import parse_qs, urlsplit

    from devtools.sandbox_control import SandboxControl
    from integrations.connection import actions
    from integrations.fortnox import oauth
    from organizations.models import Organization

    control = SandboxControl(sandbox_url)
    company = control.create_company(name=name)
    control._call("POST", f"companies/{company['database_number']}/seed", size=size, seed=1)
    user = control.create_user(company)
    number = "556036-0793" if serial == 0 else _organisation_number(serial)
    organization = Organization.objects.create(name=name, organisation_number=number)
    back = control.consent(oauth.authorization_url(["companyinformation", "salary"], "benchmark"), user)
    return actions.do_connect(organization, oauth.exchange_code(parse_qs(urlsplit(back).query)["code"][0]), user=None).pk


def _mirror(connection_id: int) -> None:
    """Brygga gets Fortnox's people by email, every third with another phone (conflicts) and
    every fifth without a city (missing values)."""
    from hr.models import Employee
    from integrations.core.models import FortnoxConnection
    from integrations.fortnox.client import FortnoxClient
    from integrations.hr_sync.fields import fortnox_values

    connection = FortnoxConnection.objects.get(pk=connection_id)
    with FortnoxClient(connection) as client:
        documents = list(client.iterate("/3/employees"))
    employees = []
    for number, document in enumerate(documents):
        values, _problems = fortnox_values(document)
        employees.append(Employee(
            organization_id=connection.organization_id, email=values["email"] or f"x{number}@bench.test",
            employment_id=document["EmployeeId"], given_name=values["given_name"] or "?", family_name=values["family_name"] or "?",
            phone=f"+4670{number:07d}" if number % 3 == 0 else (values.get("phone") or ""),
            city="" if number % 5 == 0 else document.get("City") or "",
        ))
    Employee.objects.bulk_create(employees)


def _plan_and_render(connection_id: int) -> dict:
    from django.db import connection as db
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from integrations.core.models import FortnoxConnection
    from integrations.hr_sync.plan import do_plan_user_sync
    from organizations.models import Membership, User
    from organizations.permissions import Role

    organization = FortnoxConnection.objects.get(pk=connection_id).organization
    admin = User.objects.create_user(email="bench-admin@bench.test", password="bench-pw-12345")
    Membership.objects.create(user=admin, organization=organization, role=Role.ORG_ADMIN)
    started = time.perf_counter()
    run = do_plan_user_sync(organization, acting_user=admin)
    planned = time.perf_counter() - started
    client = Client()
    client.force_login(admin)
    client.get(reverse("hr_sync_review", args=[run.pk]), HTTP_HOST="127.0.0.1")  # warm the template cache
    with CaptureQueriesContext(db) as queries:
        started = time.perf_counter()
        response = client.get(reverse("hr_sync_review", args=[run.pk]), HTTP_HOST="127.0.0.1")
        rendered = time.perf_counter() - started
    people = run.data["plan"]["people"]
    return {"calls": run.api_calls, "planned": planned, "rendered": rendered, "queries": len(queries),
            "status": response.status_code, "conflicts": sum(len(p.get("conflicts", [])) for p in people),
            "missing": sum(len(p.get("missing", [])) for p in people)}


@benchmark("hr_plan")
def plan_first_sync(quick: bool = False) -> list[Row]:
    size = 100 if quick else 1000
    with BenchmarkServer() as server:
        sandbox_url = f"{server.url}/sandbox/fortnox"
        (connection_id,) = server.in_processes(_connect_seeded, [(sandbox_url, "Planering AB", size)])
        server.in_processes(_mirror, [(connection_id,)])
        (result,) = server.in_processes(_plan_and_render, [(connection_id,)])
    found = f"{result['conflicts']} conflicts, {result['missing']} missing values"
    return [
        Row(f"Plan first sync, {size:,} vs {size:,} employees: Fortnox calls", "≤ 3", f"{result['calls']} ({found})",
            result["calls"] <= 3, api_calls=str(result["calls"])),
        Row("Plan first sync: time (reading and comparing)", "—", f"{result['planned']:.2f} s", True),
        Row(f"Conflict page, {size:,} people: render time", "< 1 s", f"{result['rendered']:.2f} s (HTTP {result['status']})",
            result["rendered"] < 1 and result["status"] == 200),
        Row("Conflict page: queries", "bounded (≤ 12)", str(result["queries"]), result["queries"] <= 12),
    ]


def _link_people(connection_id: int, size: int) -> list[int]:
    """Synchronise once (everyone matched by email, nothing created) and activate the integration."""
    from django.utils import timezone

    from integrations.core.models import ExternalLink, FortnoxConnection
    from integrations.hr_sync.apply import apply_user_sync, do_start_user_sync
    from integrations.hr_sync.models import HrIntegrationSettings
    from integrations.hr_sync.plan import do_plan_user_sync

    organization = FortnoxConnection.objects.get(pk=connection_id).organization
    run = do_plan_user_sync(organization, acting_user=None)
    do_start_user_sync(run, {"winners": {}, "fill": {}, "create": []})
    apply_user_sync(run.pk)
    HrIntegrationSettings.objects.update_or_create(organization=organization, defaults={"activated_at": timezone.now()})
    return list(ExternalLink.objects.filter(kind="employee").values_list("object_id", flat=True)[:size])


def _edit_phones(employee_ids: list[int], changes: int) -> list[float]:
    from hr import actions as hr_actions
    from hr.models import Employee
    from integrations.core.models import OutboxEvent

    for number in range(changes):
        employee = Employee.objects.get(pk=employee_ids[number % len(employee_ids)])
        hr_actions.do_update_employee(employee, {"phone": f"+4673{number:07d}"}, acting_user=None)
        # About two changes a second, as people type: within the rate limit, since each push
        # reads the person before it writes (4 calls a second against the budget's 5; at three a
        # second the budget's queue, not the push, is what a p95 would measure).
        time.sleep(0.45)
    deadline = time.monotonic() + 60
    while OutboxEvent.objects.exclude(status=OutboxEvent.Status.DONE).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    return [(event.done_at - event.created_at).total_seconds() for event in OutboxEvent.objects.filter(status="done")]


def _read_to_write_windows(connection_id: int, sandbox_url: str) -> tuple[list[float], int]:
    """For each push's write, seconds from the sandbox logging its answer to the push's read of the
    same person to its logging the write (each logged once handled): the window in which a change
    made in Fortnox is overwritten, as Fortnox sees it (an upper bound: it holds the write's own
    handling before it is applied)."""
    from datetime import datetime

    from devtools.sandbox_control import SandboxControl
    from integrations.core.models import FortnoxConnection

    company = {"database_number": FortnoxConnection.objects.get(pk=connection_id).tenant_id}
    last_read, windows = {}, []
    log = SandboxControl(sandbox_url).request_log(company)
    for entry in sorted(log, key=lambda entry: entry["at"]):
        if not entry["path"].startswith("/sandbox/fortnox/3/employees/") and not entry["path"].startswith("/3/employees/"):
            continue
        at = datetime.fromisoformat(entry["at"])
        if entry["method"] == "GET":
            last_read[entry["path"]] = at
        elif entry["method"] == "PUT" and entry["status"] == 200 and entry["path"] in last_read:
            windows.append((at - last_read.pop(entry["path"])).total_seconds())
    return windows, sum(entry["status"] == 429 for entry in log)


@benchmark("hr_push")
def push_latency(quick: bool = False, samples: int | None = None) -> list[Row]:
    changes = samples or (10 if quick else 60)
    with BenchmarkServer() as server:
        sandbox_url = f"{server.url}/sandbox/fortnox"
        (connection_id,) = server.in_processes(_connect_seeded, [(sandbox_url, "Push AB", 20)])
        server.in_processes(_mirror, [(connection_id,)])
        (employee_ids,) = server.in_processes(_link_people, [(connection_id, 20)])
        cluster = subprocess.Popen([sys.executable, str(BASE_DIR / "manage.py"), "qcluster"], env=server.env, cwd=BASE_DIR,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(3)  # the cluster's workers start
            (latencies,) = server.in_processes(_edit_phones, [(employee_ids, changes)])
        finally:
            cluster.terminate()
            cluster.wait(timeout=15)
        ((windows, refused),) = server.in_processes(_read_to_write_windows, [(connection_id, sandbox_url)])
    if len(latencies) < changes:
        return [Row("Push latency", "p95 ≤ 2 s", f"only {len(latencies)} of {changes} pushed in time", False)]
    cuts = statistics.quantiles(latencies, n=100)
    p50, p95, p99 = cuts[49], cuts[94], cuts[98]
    rows = [Row(f"Push latency, {changes} phone edits, cluster running", "p95 ≤ 2 s",
                f"p50 {p50:.2f} s, p95 {p95:.2f} s, p99 {p99:.2f} s; {refused} answered 429", p95 <= 2,
                api_calls=f"{changes} GETs + {changes} PUTs (each push reads the person first)")]
    if len(windows) >= 2:
        cuts = statistics.quantiles(windows, n=100, method="inclusive")
        rows.append(Row(
            f"Push: read-to-write window (Fortnox's answer to the read → its write, as the sandbox logs them), "
            f"{len(windows)} writes", "as short as the comparison allows (Fortnox has no conditional write)",
            f"p50 {cuts[49] * 1000:.0f} ms, p95 {cuts[94] * 1000:.0f} ms, max {max(windows) * 1000:.0f} ms", True))
    return rows


def _idle_pull(connection_id: int) -> dict:
    """Link everyone (one user synchronisation), then read Fortnox with nothing changed."""
    from integrations.core.models import FortnoxConnection, SyncRun
    from integrations.hr_sync.pull import do_queue_pull, execute_pull

    _link_people(connection_id, 0)
    organization = FortnoxConnection.objects.get(pk=connection_id).organization
    execute_pull(do_queue_pull(organization, trigger=SyncRun.Trigger.SCHEDULED).pk)  # the first notes who is inactive
    run = do_queue_pull(organization, trigger=SyncRun.Trigger.SCHEDULED)
    started = time.perf_counter()
    execute_pull(run.pk)
    run.refresh_from_db()
    return {"calls": run.api_calls, "seconds": time.perf_counter() - started, "people": run.progress_total,
            "updated": run.counts.get("updated", 0), "status": run.status}


def _edit_in_fortnox_at_random_moments(connection_id: int, sandbox_url: str, edits: int, window: float,
                                       interval_minutes: int, seed: int) -> dict:
    """The pull on its real schedule (`interval_minutes`) on a running job cluster; `edits` phones
    edited in Fortnox (through the sandbox's control API, as someone in Fortnox would) at seeded
    random moments within `window` seconds, each timed from the edit until Brygga holds it."""
    import random

    from django.utils import timezone
    from django_q.models import Schedule

    from devtools.sandbox_control import SandboxControl
    from hr.models import Employee
    from integrations.core.models import ExternalLink, FortnoxConnection, SyncRun
    from integrations.hr_sync.models import HrIntegrationSettings
    from integrations.hr_sync.pull import RUN_KIND, do_update_pull_schedule

    connection = FortnoxConnection.objects.get(pk=connection_id)
    control = SandboxControl(sandbox_url)
    settings = HrIntegrationSettings.objects.get(organization=connection.organization)
    do_update_pull_schedule(settings)
    # The first slot one interval from now, as after switching the pull on (a shortened interval
    # is set on the schedule itself: the setting accepts 5 minutes and more).
    Schedule.objects.filter(name=settings.pull_schedule_name).update(
        minutes=interval_minutes, next_run=timezone.now() + timezone.timedelta(minutes=interval_minutes))
    # People whose phone both sides last agreed on (the seeding gives every third another phone in
    # Brygga: those wait for a user synchronisation's decision, not for the pull).
    links = [link for link in ExternalLink.objects.filter(organization=connection.organization, kind="employee")
             if link.last_synced_values.get("phone")][:edits]
    rng = random.Random(seed)
    moments = sorted(rng.uniform(0, window) for _ in links)
    started_at, started = timezone.now(), time.monotonic()
    waiting, latencies = {}, []

    def look() -> None:
        arrived = set(Employee.objects.filter(pk__in=waiting, phone__in=[w[0] for w in waiting.values()])
                      .values_list("pk", flat=True))
        for pk in arrived:
            latencies.append(time.monotonic() - waiting.pop(pk)[1])

    for number, (link, moment) in enumerate(zip(links, moments, strict=True)):
        while time.monotonic() - started < moment:
            look()
            time.sleep(0.25)
        phone = f"076{number:07d}"  # not a number the seeding gave anyone (phones are unique)
        answer = control.in_fortnox(connection.tenant_id, "PUT", f"3/employees/{link.external_id}", {"Employee": {"Phone1": phone}})
        if answer["status"] == 200:
            waiting[link.object_id] = (f"+4676{number:07d}", time.monotonic())
    deadline = time.monotonic() + interval_minutes * 60 + 60
    while waiting and time.monotonic() < deadline:
        look()
        time.sleep(0.25)
    runs = list(SyncRun.objects.filter(organization=connection.organization, kind=RUN_KIND, created_at__gte=started_at)
                .order_by("created_at").values_list("api_calls", "progress_total", "created_at", "finished_at"))
    # Where a latency goes: the wait for the next slot (slots one interval apart) and the run itself.
    spacing = [(b[2] - a[2]).total_seconds() for a, b in zip(runs, runs[1:])]
    lengths = [(run[3] - run[2]).total_seconds() for run in runs if run[3]]
    runs = [run[:2] for run in runs]
    return {"latencies": latencies, "lost": len(waiting), "runs": runs, "seconds": time.monotonic() - started,
            "edited": len(links), "spacing": spacing, "lengths": lengths}


@benchmark("hr_pull")
def scheduled_pull(quick: bool = False) -> list[Row]:
    sizes = (40,) if quick else (100, 500, 501, 1200)
    rows = []
    with BenchmarkServer() as server:
        sandbox_url = f"{server.url}/sandbox/fortnox"
        for size in sizes:
            (connection_id,) = server.in_processes(_connect_seeded, [(sandbox_url, f"Läsning {size} AB", size, 100 + size)])
            server.in_processes(_mirror, [(connection_id,)])
            (result,) = server.in_processes(_idle_pull, [(connection_id,)])
            expected = -(-result["people"] // 500)
            rows.append(Row(f"Idle scheduled pull, {result['people']:,} employees: Fortnox calls", f"⌈n/500⌉ = {expected}",
                            f"{result['calls']} ({result['seconds']:.2f} s, {result['updated']} updated)",
                            result["calls"] == expected and result["updated"] == 0, api_calls=str(result["calls"])))
    return rows


@benchmark("hr_pull_edit")
def fortnox_edit_reaches_brygga(quick: bool = False, samples: int | None = None) -> list[Row]:
    """Fortnox-side edits at random moments until Brygga holds them, through the pull's real
    schedule on a running job cluster: at the default 5-minute interval over two intervals, or
    (quick) at a 1-minute interval over one. `samples` edits instead of 20 (4): each goes to its
    own person whose phone both sides agree on (about two in three of the seeded people), so more
    than 50 take more people (still one call per run up to 500)."""
    interval, edits, intervals = (1, 4, 1) if quick else (5, 20, 2)
    edits = samples or edits
    size = max(100, 2 * edits)
    with BenchmarkServer() as server:
        sandbox_url = f"{server.url}/sandbox/fortnox"
        (connection_id,) = server.in_processes(_connect_seeded, [(sandbox_url, "Ändring AB", size, 7)])
        server.in_processes(_mirror, [(connection_id,)])
        server.in_processes(_idle_pull, [(connection_id,)])
        cluster = subprocess.Popen([sys.executable, str(BASE_DIR / "manage.py"), "qcluster"], env=server.env,
                                   cwd=BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            (result,) = server.in_processes(_edit_in_fortnox_at_random_moments, [
                (connection_id, sandbox_url, edits, intervals * interval * 60.0, interval, 21)])
        finally:
            cluster.terminate()
            cluster.wait(timeout=15)
    latencies = sorted(result["latencies"])
    target = interval * 60
    calls = sorted({calls for calls, _people in result["runs"]})
    expected = -(-size // 500)
    rows = []
    if result["edited"] < edits:
        rows.append(Row("Fortnox edit → Brygga", f"p95 ≤ {interval} min",
                        f"only {result['edited']} of {edits} people to edit", False))
    elif len(latencies) < 2:
        rows.append(Row("Fortnox edit → Brygga", f"p95 ≤ {interval} min", f"only {len(latencies)} of {edits} arrived", False))
    else:
        cuts = statistics.quantiles(latencies, n=100, method="inclusive")
        p50, p95 = cuts[49], cuts[94]
        interval_text = f"{interval} min interval{' (shortened for the quick run)' if quick else ', the default'}"
        rows.append(Row(
            f"Fortnox edit → in Brygga: {edits} phone edits at random moments over {intervals} × {interval_text}, "
            f"{size} employees, cluster running the schedule",
            f"p95 ≤ {interval} min (one interval), none lost",
            f"p50 {p50:.0f} s, p95 {p95:.0f} s, max {latencies[-1]:.0f} s; {result['lost']} not arrived; runs "
            f"{', '.join(f'{gap:.1f}' for gap in result['spacing']) or '–'} s apart, each queued to done in "
            f"{max(result['lengths'], default=0):.1f} s at most",
            p95 <= target and not result["lost"], api_calls=f"{len(result['runs'])} runs"))
    rows.append(Row(f"Scheduled pull, {size} employees: Fortnox calls per run", f"⌈n/500⌉ = {expected}",
                    f"{', '.join(map(str, calls)) or 'no run'} (each of {len(result['runs'])} runs)",
                    calls == [expected], api_calls=f"{expected} per run"))
    return rows


def _both_ways_seeds(sandbox_url: str, seeds: list[int], size: int, batches: int, steps: int) -> list[dict]:
    from django.conf import settings
    from django.db.models import Sum
    from django.utils import timezone

    from devtools.benchmarks.reliability import CHAOS_CLIENT_TIMEOUT
    from devtools.chaos import ChaosRun
    from devtools.chaos.hr_both_ways import HrBothWaysChaos
    from devtools.sandbox_control import SandboxControl
    from integrations.core.models import FortnoxConnection, OutboxEvent
    from integrations.hr_sync.models import HrIntegrationSettings

    settings.FORTNOX_TIMEOUT_SECONDS = CHAOS_CLIENT_TIMEOUT  # a timed-out request costs this long
    control = SandboxControl(sandbox_url)
    results = []
    for seed in seeds:
        connection = FortnoxConnection.objects.get(pk=connect_sandbox_company(
            sandbox_url, f"Båda håll {seed} AB", _organisation_number(300 + seed)))
        company = {"database_number": connection.tenant_id}
        HrIntegrationSettings.objects.update_or_create(organization=connection.organization,
                                                       defaults={"activated_at": timezone.now()})
        domain = HrBothWaysChaos(connection.organization, control, company, size=size)
        chaos = ChaosRun(connection.organization, control, company, [domain], client_timeout=CHAOS_CLIENT_TIMEOUT)
        chaos.prepare(None)
        result = chaos.run(seed, batches=batches, steps_per_batch=steps)
        # Pushed by the cluster's workers and the driver's drain: counted on the events.
        pushes = OutboxEvent.objects.filter(organization=connection.organization).aggregate(total=Sum("attempts"))["total"]
        results.append({**domain.figures, "disagreements": result.disagreements, "pushes": pushes or 0,
                        "failures": result.permanent_failures, "seconds": result.seconds,
                        "pulls": len(domain.pulls)})
    return results


@benchmark("hr_chaos")
def both_ways_under_faults(quick: bool = False) -> list[Row]:
    """Edits in Brygga and in Fortnox, some of one person's field on both sides between two pulls,
    under every fault profile at the sandbox's real rate limit, one organization per seed; pushes
    on a running job cluster (and the driver's drain), the schedule's pull job after every batch."""
    size, seeds, batches, steps = (20, [201], 4, 5) if quick else (100, [201, 202, 203, 204], 6, 10)
    with BenchmarkServer() as server:
        cluster = subprocess.Popen([sys.executable, str(BASE_DIR / "manage.py"), "qcluster"], env=server.env,
                                   cwd=BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            (results,) = server.in_processes(_both_ways_seeds, [(f"{server.url}/sandbox/fortnox", seeds, size, batches, steps)])
        finally:
            cluster.terminate()
            cluster.wait(timeout=15)
    wrong = [line for result in results for line in result["disagreements"]]

    def total(key: str) -> int:
        return sum(result[key] for result in results)

    return [Row(
        f"Chaos both ways: {len(seeds)} seeds × {size} people, {total('edits') // len(seeds)} edits in Brygga and Fortnox "
        f"under faults, {total('pulls') // len(seeds)} pulls",
        "0 lost edits, 0 silent overwrites, every two-sided change one conflict, every failure in the error log",
        f"{total('lost')} lost, {total('overwritten')} overwritten, {total('two_sided')} two-sided changes → "
        f"{total('conflicts')} conflicts ({total('missing_conflicts')} missing, {total('extra_conflicts')} extra); "
        f"{len(wrong)} disagreements{': ' + '; '.join(wrong[:3]) if wrong else ''}; {total('pulls_failed')} pulls failed "
        f"under faults; {max(r['seconds'] for r in results):.0f} s per seed",
        not wrong, api_calls=f"{total('pushes')} push attempts",
    )]
