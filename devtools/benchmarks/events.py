"""Benchmarks of Fortnox's event stream (issue 19; `python manage.py benchmark --only events
[--quick]`): a private Brygga + sandbox server with the sandbox's stream server, one listener
(`manage.py fortnox_events`) and one job cluster (`WORKERS`), all at the sandbox's real rate limit
(25 requests per 5 s per company).

- Order created in Fortnox → in Brygga's pick queue: orders created through the API, spread over
  the organizations, each timed from Fortnox's answer to the SalesOrder's `created_at`.
- Fortnox calls of an idle organization per 15-minute slot for the stream's kinds, and per day
  with the 6-hourly reconciliation (each organization's scheduled job, as the schedule runs it).
- The listener's CPU time per 1,000 events (from /proc)."""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from devtools.benchmarks import BASE_DIR, BenchmarkServer, Row, benchmark, stop_processes

SIZES = {False: (50, 200), True: (2, 8)}  # (organizations, orders per rate)
# Orders per second: 200 orders over 100 s (a busy hour of 50 web shops compressed), then the same
# 200 in a 20-second burst (a campaign's start), which several events of an organization wait for.
RATES = (2, 10)
# The jobs partly wait: on Fortnox's answers (a quarter of a job's time in a profile here)
# and on SQLite's one writer. Four workers on a 2-core machine keep both cores busy meanwhile.
WORKERS = 4


def _organisation_number(index: int) -> str:
    """A distinct Swedish organisation number (Luhn check digit) per organization."""
    digits = f"556{index:06d}"
    total = sum(sum(divmod(int(d) * (2 - i % 2), 10)) for i, d in enumerate(digits))
    return f"{digits[:6]}-{digits[6:]}{(10 - total % 10) % 10}"


def _connect_many(sandbox_url: str, first: int, count: int) -> list[int]:
    """`count` organizations, each with a sandbox company at the real rate limit, connected with
    the warehouse scopes through the consent page, its sync on; K1 and A1 in each Fortnox."""
    from urllib.parse import parse_qs, urlsplit

    from devtools.sandbox_control import SandboxControl
    from integrations.connection import actions
    from integrations.core.models import FortnoxConnection
    from integrations.fortnox import oauth
    from integrations.fortnox.client import FortnoxClient
    from integrations.warehouse_sync.models import WarehouseSyncSettings
    from organizations.models import Organization

    control = SandboxControl(sandbox_url)
    ids = []
    for index in range(first, first + count):
        company = control.create_company(name=f"Strömmen {index} AB")
        user = control.create_user(company)
        organization = Organization.objects.create(name=f"Strömmen {index} AB", organisation_number=_organisation_number(index))
        connection = FortnoxConnection.objects.create(organization=organization, hr_enabled=False, warehouse_enabled=True)
        back = control.consent(oauth.authorization_url(connection.requested_scopes(), "benchmark"), user)
        actions.do_connect(organization, oauth.exchange_code(parse_qs(urlsplit(back).query)["code"][0]), user=None)
        WarehouseSyncSettings.objects.update_or_create(organization=organization, defaults={"active": True})
        with FortnoxClient(FortnoxConnection.objects.get(pk=connection.pk)) as client:
            client.post("/3/customers", {"Customer": {"CustomerNumber": "K1", "Name": "Kund 1", "Type": "PRIVATE"}})
            client.post("/3/articles", {"Article": {"ArticleNumber": "A1", "Description": "Artikel 1", "StockGoods": True}})
        ids.append(connection.pk)
    return ids


def _stream_ready(organizations: int, seconds: float = 120) -> bool:
    from integrations.fortnox_events.models import ListenerLease

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ListenerLease.objects.filter(subscribed_at__isnull=False, tenants__gte=organizations).exists():
            return True
        time.sleep(0.5)
    return False


def _create_orders(connection_ids: list[int], orders: int, rate: float) -> list[tuple[int, str, float]]:
    """`orders` orders round-robin over the organizations at about `rate` a second:
    (organization, order number, the moment Fortnox answered)."""
    from integrations.core.models import FortnoxConnection
    from integrations.fortnox.client import FortnoxClient

    connections = list(FortnoxConnection.objects.filter(pk__in=connection_ids).order_by("pk"))
    clients = [FortnoxClient(connection) for connection in connections]
    made = []
    started = time.monotonic()
    for index in range(orders):
        client = clients[index % len(clients)]
        answer = client.post("/3/orders", {"Order": {"CustomerNumber": "K1",
                                                     "OrderRows": [{"ArticleNumber": "A1", "OrderedQuantity": "1"}]}})
        made.append((connections[index % len(clients)].organization_id, str(answer["DocumentNumber"]), time.time()))
        pause = started + (index + 1) / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    for client in clients:
        client.close()
    return made


def _arrivals(made: list, seconds: float) -> dict:
    """Each order's seconds from Fortnox's answer to its SalesOrder in Brygga (None: not there)."""
    from warehouse.models import SalesOrder

    wanted = {(organization, number): at for organization, number, at in made}
    deadline = time.monotonic() + seconds
    found = {}
    while time.monotonic() < deadline and len(found) < len(wanted):
        for organization, number, created in SalesOrder.objects.filter(
                organization_id__in={o for o, _n in wanted}).values_list("organization_id", "order_number", "created_at"):
            if (organization, number) in wanted:
                found[(organization, number)] = created.timestamp() - wanted[(organization, number)]
        time.sleep(0.5)
    return {"latencies": sorted(found.values()), "missing": len(wanted) - len(found)}


def _slot_calls(connection_ids: list[int], slots_of: int) -> dict:
    """How many organizations are live; then the first `slots_of` organizations' scheduled job
    once, as the 15-minute schedule runs it with the stream live, then once more as a
    reconciliation (cursors 6 hours old): the Fortnox calls of each (an idle organization's are
    the same in each: the quick run measures one)."""
    from datetime import timedelta

    from django.utils import timezone

    from integrations.core.models import FortnoxConnection, SyncRun
    from integrations.fortnox.values import cursor_value
    from integrations.warehouse_sync import stream, tasks
    from integrations.warehouse_sync.models import WarehouseSyncSettings

    connections = list(FortnoxConnection.objects.filter(pk__in=connection_ids).order_by("pk"))
    live = sum(stream.stream_live_since(connection.organization_id) is not None for connection in connections)
    light, stream_kind_calls, reconciliation = [], [], []
    for connection in connections[:slots_of]:
        organization_id = connection.organization_id
        tasks.scheduled_sync(organization_id)  # the first slot: the first pull (the stream started after it)
        run_id = tasks.scheduled_sync(organization_id)  # an idle slot
        run = SyncRun.objects.get(pk=run_id) if run_id else None
        light.append(run.api_calls if run else 0)
        stream_kind_calls.append(0 if run is None or not set(run.data.get("kinds", [])) & set(stream.STREAM_KINDS)
                                 else run.api_calls)
        settings = WarehouseSyncSettings.objects.get(organization_id=organization_id)
        old = cursor_value(timezone.now() - stream.reconciliation_interval() - timedelta(minutes=1))
        settings.cursors = {kind: old for kind in settings.enabled_pulls()}
        settings.save(update_fields=["cursors"])
        run_id = tasks.scheduled_sync(organization_id)
        reconciliation.append(SyncRun.objects.get(pk=run_id).api_calls if run_id else 0)
    return {"light": light, "stream_kinds": stream_kind_calls, "reconciliation": reconciliation, "live": live}


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(share * (len(values) - 1))))]


def _start_stream(server: BenchmarkServer, manage: list[str]) -> tuple[subprocess.Popen, str]:
    """The sandbox's stream server (`manage.py sandbox_events`, fortnox_sandbox/EVENTS.md) on a
    free port, on the benchmark server's database; its process and URL once it accepts connections."""
    import socket

    from devtools.benchmarks import _free_port

    port = _free_port()
    process = subprocess.Popen([*manage, "sandbox_events", "--port", str(port)], env=server.env, cwd=BASE_DIR,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, f"ws://127.0.0.1:{port}/topics-v1"
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the sandbox's stream server did not start within 30 s")


def _measure(sandbox_url: str, organizations: int, orders: int, listener_pid: int, slots_of: int) -> dict:
    """In one configured process (each costs a Django start-up): connect the organizations (the
    running listener adds them within seconds), make the orders at each rate and time their
    arrival, then the slots."""
    connection_ids = _connect_many(sandbox_url, 0, organizations)
    ready = _stream_ready(organizations)
    phases = {}
    for rate in RATES:
        cpu_before = _cpu_seconds(listener_pid)
        made = _create_orders(connection_ids, orders, rate)
        arrived = _arrivals(made, 120.0)
        phases[rate] = {"arrived": arrived, "cpu": _cpu_seconds(listener_pid) - cpu_before}
    return {"ready": ready, "phases": phases, "calls": _slot_calls(connection_ids, slots_of)}


@benchmark("events")
def order_to_pick_queue(quick: bool = False) -> list[Row]:
    organizations, orders = SIZES[quick]
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    with BenchmarkServer() as server:
        stream, url = _start_stream(server, manage)
        os.environ["FORTNOX_EVENTS_URL"] = url  # the server's environment (and its worker processes') is built from it
        env = {**server.env, "Q_WORKERS": str(WORKERS)}
        processes = [stream, *(subprocess.Popen([*manage, command], env=env, cwd=BASE_DIR, stdout=subprocess.DEVNULL,
                                                stderr=subprocess.DEVNULL) for command in ("qcluster", "fortnox_events"))]
        try:
            (measured,) = server.in_processes(_measure, [(f"{server.url}/sandbox/fortnox", organizations, orders,
                                                          processes[2].pid, 1 if quick else organizations)])
        finally:
            stop_processes(processes)
            os.environ.pop("FORTNOX_EVENTS_URL", None)
    ready, phases, calls = measured["ready"], measured["phases"], measured["calls"]
    light = statistics.mean(calls["light"])
    stream_kinds = statistics.mean(calls["stream_kinds"])
    reconciliation = statistics.mean(calls["reconciliation"])
    slots_per_day, reconciliations_per_day = 96, 24 / 6
    per_day = (slots_per_day - reconciliations_per_day) * light + reconciliations_per_day * reconciliation
    return [
        *(_latency_row(rate, phases[rate]["arrived"], orders, organizations, ready) for rate in RATES),
        Row(measure=f"Fortnox calls of an idle organization per 15-minute slot for the stream's kinds "
                    f"({calls['live']} of {organizations} live)",
            target="0 (polling: 7)", result=f"{stream_kinds:g} (the whole slot, purchase orders included: {light:g})",
            passed=stream_kinds == 0 and calls["live"] == organizations),
        Row(measure="Fortnox calls of an idle organization per day, incl. the reconciliation every 6 h",
            target="as measured (polling: 96 slots × 7 = 672)",
            result=f"{per_day:g} (92 light slots × {light:g} + 4 reconciliations × {reconciliation:g})", passed=True),
        Row(measure=f"Listener CPU time per 1,000 orders created ({orders} orders at {RATES[0]}/s; about two events each)",
            target="as measured", result=f"{1000 * phases[RATES[0]]['cpu'] / max(1, orders):.2f} s", passed=True),
    ]


def _latency_row(rate: int, arrived: dict, orders: int, organizations: int, ready: bool) -> Row:
    latencies = arrived["latencies"]
    p50, p95, p99 = (_percentile(latencies, share) for share in (0.5, 0.95, 0.99))
    return Row(
        measure=f"Order created in Fortnox → in the pick queue, {orders} orders over {organizations} organizations "
                f"at {rate}/s{' (a burst)' if rate > RATES[0] else ''}, one listener, {WORKERS} workers"
                + ("" if ready else " (the stream was not ready in 120 s)"),
        target="p95 ≤ 5 s, p99 ≤ 10 s, 0 missing",
        result=f"p50 {p50:.2f} s, p95 {p95:.2f} s, p99 {p99:.2f} s, {arrived['missing']} missing",
        passed=ready and p95 <= 5 and p99 <= 10 and arrived["missing"] == 0)
