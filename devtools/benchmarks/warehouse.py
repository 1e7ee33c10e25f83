"""Benchmarks of the warehouse integration (registered in `devtools.benchmarks`; run with
`python manage.py benchmark --only wms_idle --only wms_import --only wms_fulfil [--quick]`). Each
starts a private Brygga + sandbox server and measures at the sandbox's real rate limit (25
requests per 5 s); only the setup of Fortnox data lifts the limit, to save time."""

import time

from devtools.benchmarks import BenchmarkServer, Row, benchmark

# Quick sizes only prove the code path (CI): just past the first rate-limit window.
SIZES = {"wms_import": (30, 10_000), "wms_fulfil": (8, 500)}


def _connect(sandbox_url: str, **company_fields) -> int:
    """A sandbox company (setup at an unlimited rate), a Brygga organization with warehouse
    sync settings, and a connection with the warehouse scopes made through the consent page."""
    from urllib.parse import parse_qs, urlsplit

    from devtools.sandbox_control import SandboxControl
    from integrations.connection import actions
    from integrations.core.models import FortnoxConnection
    from integrations.fortnox import oauth
    from integrations.warehouse_sync.models import WarehouseSyncSettings
    from organizations.models import Organization

    control = SandboxControl(sandbox_url)
    company = control.create_company(name="Benchmark Lager AB", rate_limit_requests=100_000, **company_fields)
    user = control.create_user(company)
    organization = Organization.objects.create(name="Benchmark Lager AB", organisation_number="556036-0793")
    connection = FortnoxConnection.objects.create(organization=organization, hr_enabled=False, warehouse_enabled=True)
    back = control.consent(oauth.authorization_url(connection.requested_scopes(), "benchmark"), user)
    actions.do_connect(organization, oauth.exchange_code(parse_qs(urlsplit(back).query)["code"][0]), user=None)
    # Connecting already made the settings (it reads the company's warehouse mode).
    WarehouseSyncSettings.objects.filter(organization=organization).update(pull_purchase_orders=False)
    return connection.pk


def _real_rate_limit(sandbox_url: str, connection_id: int, **faults) -> None:
    from devtools.sandbox_control import SandboxControl
    from integrations.core.models import FortnoxConnection

    connection = FortnoxConnection.objects.get(pk=connection_id)
    SandboxControl(sandbox_url).update_company({"database_number": int(connection.tenant_id)}, rate_limit_requests=25,
                                               **faults)


def _create_orders(connection_id: int, first: int, count: int) -> None:
    """`count` orders of three rows each, through the product's client at an unlimited rate."""
    from django.conf import settings

    from integrations.core.models import FortnoxConnection
    from integrations.fortnox.client import FortnoxClient

    settings.FORTNOX_RATE_LIMIT_REQUESTS = 100_000
    with FortnoxClient(FortnoxConnection.objects.get(pk=connection_id)) as client:
        if first == 0:
            for number in range(1, 21):
                client.post("/3/customers", {"Customer": {"CustomerNumber": f"K{number}", "Name": f"Kund {number}",
                                                          "Type": "PRIVATE" if number % 3 else "COMPANY"}})
            for number in range(1, 51):
                client.post("/3/articles", {"Article": {"ArticleNumber": f"A{number}", "Description": f"Artikel {number}",
                                                        "StockGoods": True}})
        for index in range(first, first + count):
            rows = [{"ArticleNumber": f"A{(index + offset) % 50 + 1}", "OrderedQuantity": str(offset + 2)} for offset in range(3)]
            client.post("/3/orders", {"Order": {"CustomerNumber": f"K{index % 20 + 1}", "OrderRows": rows}})


def _prepare(server, count: int) -> int:
    """A connected company holding `count` orders (created by four processes at once), then put
    back at Fortnox's real rate limit."""
    url = f"{server.url}/sandbox/fortnox"
    (connection_id,) = server.in_processes(_connect, [(url,)])
    first = min(count, 50)
    server.in_processes(_create_orders, [(connection_id, 0, first)])
    share = -(-(count - first) // 4)
    chunks = [(connection_id, start, min(share, count - start)) for start in range(first, count, share)] if share else []
    if chunks:
        server.in_processes(_create_orders, chunks)
    server.in_processes(_real_rate_limit, [(url, connection_id)])
    return connection_id


def _timed_run(connection_id: int) -> dict:
    """One synchronisation run in this process: wall time, Python CPU time, calls and answers."""
    from integrations.core.models import FortnoxConnection, SyncRun
    from integrations.fortnox.client import FortnoxClient
    from integrations.warehouse_sync import tasks

    organization = FortnoxConnection.objects.get(pk=connection_id).organization
    run = tasks.do_queue_sync(organization, trigger=SyncRun.Trigger.MANUAL)
    in_client = [0.0]
    request = FortnoxClient.request

    def timed_request(self, *args, **kwargs):  # the CPU the HTTP seam and its rate limiter take
        started = time.process_time()
        try:
            return request(self, *args, **kwargs)
        finally:
            in_client[0] += time.process_time() - started

    FortnoxClient.request = timed_request
    wall, cpu = time.monotonic(), time.process_time()
    try:
        tasks.execute_run(run.pk)
    finally:
        FortnoxClient.request = request
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    run.refresh_from_db()
    return {"wall": wall, "cpu": cpu, "client_cpu": in_client[0], "calls": run.api_calls,
            "responses": run.data.get("responses", {}),
            "counts": run.counts, "status": run.status, "log": str(run.log)}


def _idle(connection_id: int) -> dict:
    """A first run, then (cursors moved on, as 15 minutes later) an idle run."""
    from datetime import timedelta

    from integrations.core.models import FortnoxConnection
    from integrations.fortnox.values import cursor_value, parse_cursor
    from integrations.warehouse_sync.models import WarehouseSyncSettings

    first = _timed_run(connection_id)
    settings = WarehouseSyncSettings.get_or_create_for(FortnoxConnection.objects.get(pk=connection_id).organization)
    settings.cursors = {kind: cursor_value(parse_cursor(value) + timedelta(minutes=15))
                        for kind, value in settings.cursors.items()}
    settings.save(update_fields=["cursors"])
    return {"first": first, "idle": _timed_run(connection_id), "kinds": len(settings.enabled_pulls())}


@benchmark("wms_idle")
def idle_run(quick: bool = False) -> list[Row]:
    with BenchmarkServer() as server:
        connection_id = _prepare(server, 5 if quick else 20)
        (result,) = server.in_processes(_idle, [(connection_id,)])
    idle = result["idle"]
    return [Row(
        measure="Warehouse sync: idle scheduled run (nothing changed)",
        target=f"≤ 1 call for the warehouse mode + 1 per enabled kind ({result['kinds']})",
        result=f"{idle['calls']} calls, {idle['wall']:.1f} s", passed=idle["calls"] <= 1 + result["kinds"],
        api_calls=str(idle["calls"]),
    )]


@benchmark("wms_import")
def first_import(quick: bool = False) -> list[Row]:
    from django.conf import settings

    count = SIZES["wms_import"][0 if quick else 1]
    with BenchmarkServer() as server:
        connection_id = _prepare(server, count)
        (result,) = server.in_processes(_timed_run, [(connection_id,)])
    limit, window = settings.FORTNOX_RATE_LIMIT_REQUESTS, settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS
    allowed = max(0, result["calls"] - limit) / limit * window  # the first window's burst is free
    too_many = result["responses"].get("429", 0)
    imported = result["counts"].get("orders_created", 0)
    per_order_ms = 1000 * (result["cpu"] - result["client_cpu"]) / max(1, imported)
    client_ms = 1000 * result["client_cpu"] / max(1, result["calls"])
    return [
        Row(measure=f"Warehouse sync: first import of {count:,} orders × 3 rows",
            target=f"≤ {1.1 * allowed:.0f} s (1.1 × {allowed:.0f} s the limit allows), 0 × 429, all imported",
            result=f"{result['wall']:.1f} s, {too_many} × 429, {imported:,} imported",
            passed=result["wall"] <= 1.1 * allowed and too_many == 0 and imported == count,
            api_calls=f"{result['calls']:,}"),
        Row(measure="Warehouse sync: Python CPU per imported order (import side, without the HTTP client)",
            target="< 5 ms", result=f"{per_order_ms:.2f} ms (process total {result['cpu']:.1f} s, of it "
                                    f"{client_ms:.1f} ms per call in the client and its rate limiter)",
            passed=per_order_ms < 5, api_calls=f"{result['calls']:,}"),
    ]


def _fulfil_under_faults(sandbox_url: str, connection_id: int, count: int) -> dict:
    """Import, pick everything but one piece of each order's first row, report fulfilled, then
    push the outbox with 10 % errors and 10 % "applied, then connection dropped" until done.
    Anything that lands in the error log is retried as an admin would."""
    from devtools.chaos.warehouse import delivery_problems, fulfil
    from integrations.core import outbox
    from integrations.core.models import FortnoxConnection, IntegrationError, OutboxEvent
    from integrations.fortnox.client import FortnoxClient
    from warehouse.models import SalesOrder

    _timed_run(connection_id)
    connection = FortnoxConnection.objects.get(pk=connection_id)
    organization = connection.organization
    orders = SalesOrder.objects.for_organization(organization).prefetch_related("rows")
    for order in orders:
        fulfil(order, [row.ordered_quantity - (1 if index == 0 else 0) for index, row in enumerate(order.rows.all())], None)
    _real_rate_limit(sandbox_url, connection_id, fault_error_rate=0.1, fault_drop_rate=0.1, fault_seed=7)
    started, rounds = time.monotonic(), 0
    events = OutboxEvent.objects.for_organization(organization)
    while events.exclude(status=OutboxEvent.Status.DONE).exists() and rounds < 500:
        rounds += 1
        outbox.push_due()
        for error in IntegrationError.objects.for_organization(organization).filter(status=IntegrationError.Status.OPEN):
            outbox.do_retry_error(error, acting_user=None)
        time.sleep(0.5)
    elapsed = time.monotonic() - started
    _real_rate_limit(sandbox_url, connection_id, fault_error_rate=0, fault_drop_rate=0)
    with FortnoxClient(connection) as client:
        invoices = list(client.iterate("/3/invoices"))
        wrong = sum(bool(delivery_problems(order, client.get(f"/3/orders/{order.order_number}")["OrderRows"], "Fortnox"))
                    for order in orders.all())
    return {"invoices": len(invoices), "orders": len(orders), "wrong": wrong, "elapsed": elapsed,
            "errors": IntegrationError.objects.for_organization(organization).count()}


@benchmark("wms_fulfil")
def fulfilments_under_faults(quick: bool = False) -> list[Row]:
    count = SIZES["wms_fulfil"][0 if quick else 1]
    with BenchmarkServer() as server:
        connection_id = _prepare(server, count)
        (result,) = server.in_processes(_fulfil_under_faults, [(f"{server.url}/sandbox/fortnox", connection_id, count)])
    return [Row(
        measure=f"Warehouse sync: {count} fulfilments under 20 % faults (10 % errors, 10 % applied-then-dropped)",
        target=f"exactly {count} invoices, all delivered quantities right",
        result=f"{result['invoices']} invoices for {result['orders']} orders, {result['wrong']} wrong, "
               f"{result['errors']} errors retried, {result['elapsed']:.0f} s",
        passed=result["invoices"] == result["orders"] == count and result["wrong"] == 0,
    )]
