"""Benchmark of the warehouse staff's busiest pages with a realistic amount of data.

    .venv/bin/python -m devtools.benchmarks.warehouse_pages [--quick]

runs in a throw-away test database and prints a table. `bench_pick_pages` itself only writes
inside a transaction it rolls back, so it leaves any database as it found it.
"""

import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

TARGET_MS = 150
RUNS = 15
BENCH_ORGANISATION_NUMBER = "559900-0005"


def _seed(n_orders: int, n_articles: int, rows_per_order: int = 3):
    from organizations.models import Membership, Organization, User
    from organizations.permissions import Role
    from warehouse.models import Article, Customer, OrderType, SalesOrder, SalesOrderRow
    from warehouse.shipping import Transporter, TransporterService, problem

    organization = Organization.objects.create(name="Benchmark AB", organisation_number=BENCH_ORGANISATION_NUMBER)
    organization.language = "en"
    organization.save(update_fields=["language"])
    user = User.objects.create_user(email="bench-warehouse@brygga.test", password=None)
    Membership.objects.create(user=user, organization=organization, role=Role.WAREHOUSE)
    articles = Article.objects.bulk_create(
        [Article(organization=organization, article_number=f"B{i}", description=f"Article {i}") for i in range(n_articles)],
        batch_size=2000,
    )
    customers = Customer.objects.bulk_create(
        [Customer(organization=organization, customer_number=f"K{i}", name=f"Customer {i}") for i in range(500)]
    )
    order_types = [OrderType.for_kind(organization, kind) for kind in OrderType.Kind]
    # Every order shows its transporter service (issue 23): six services of three transporters,
    # and one order in ten that no rule matched, flagged.
    services = [
        TransporterService.objects.create(organization=organization, transporter=transporter, name=name)
        for transporter in [Transporter.objects.create(organization=organization, name=f"Transporter {t}")
                            for t in range(3)]
        for name in ("Paket", "Express")
    ]
    unmatched = problem("no_rule", way_of_delivery="BUD", terms_of_delivery="", order_kind="b2b", country="Sverige",
                        weight_kg="2.5")  # as stored by the rules, read in the reader's language on each page
    today = timezone.localdate()
    states = list(SalesOrder.State)
    orders = SalesOrder.objects.bulk_create(
        [
            SalesOrder(
                organization=organization, order_number=f"{100000 + i}", customer=customers[i % len(customers)],
                order_type=order_types[i % 2], delivery_date=today + timedelta(days=i % 30), state=states[i % len(states)],
                transporter_service=None if i % 10 == 0 else services[i % len(services)],
                service_problem=unmatched if i % 10 == 0 else "",
            )
            for i in range(n_orders)
        ],
        batch_size=2000,
    )
    SalesOrderRow.objects.bulk_create(
        [
            SalesOrderRow(
                order=order, position=k, article=articles[(i * rows_per_order + k) % n_articles],
                ordered_quantity=Decimal(k + 1),
            )
            for i, order in enumerate(orders)
            for k in range(rows_per_order)
        ],
        batch_size=5000,
    )
    big = SalesOrder.objects.create(organization=organization, order_number="BIG", customer=customers[0])
    SalesOrderRow.objects.bulk_create(
        [SalesOrderRow(order=big, position=k, article=articles[k], ordered_quantity=Decimal(1)) for k in range(30)]
    )
    if connection.vendor == "postgresql":
        # A live database has planner statistics; fresh rows in an open transaction have none.
        with connection.cursor() as cursor:
            for model in (SalesOrder, SalesOrderRow, Customer, Article):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return user, orders[n_orders // 2], big, order_types[0], services[1]


def _measure(client, url) -> tuple[float, int]:
    """Median render time in ms over RUNS requests, and the queries of one request."""
    client.get(url)  # warm caches and connections
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    queries = len(captured)  # now: the capture reads the log lazily, and later requests clear it
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), queries


def bench_pick_pages(quick: bool = False) -> list[dict]:
    n_orders, n_articles = (2000, 500) if quick else (20000, 5000)
    results = []
    with transaction.atomic():
        user, order, big, order_type, service = _seed(n_orders, n_articles)
        client = Client()
        client.force_login(user)
        queue = reverse("warehouse:pick_queue")
        pages = {
            "pick queue": queue,
            "pick queue, filtered": f"{queue}?state=open&order_type={order_type.pk}&delivery_by={timezone.localdate() + timedelta(days=10)}",
            "pick queue, by service": f"{queue}?service={service.pk}",
            "pick queue, no service (flagged)": f"{queue}?service=none",
            "pick queue, page 20": f"{queue}?page=20",
            "order page (3 rows)": reverse("warehouse:order", args=[order.pk]),
            "order page (30 rows)": reverse("warehouse:order", args=[big.pk]),
        }
        measured = {name: _measure(client, url) for name, url in pages.items()}
        transaction.set_rollback(True)
    label = f"{n_orders} orders, {n_articles} articles"
    for name, (median_ms, _queries) in measured.items():
        results.append({
            "measure": f"{name}: median render ({label})", "target": f"< {TARGET_MS} ms",
            "result": f"{median_ms:.1f} ms", "passed": median_ms < TARGET_MS,
        })
    for group in (["pick queue", "pick queue, by service", "pick queue, page 20"],
                  ["order page (3 rows)", "order page (30 rows)"]):
        counts = [measured[name][1] for name in group]
        results.append({
            "measure": f"queries: {' / '.join(group)}", "target": "constant",
            "result": " / ".join(map(str, counts)), "passed": len(set(counts)) == 1,
        })
    return results


def print_table(rows: list[dict]) -> None:
    widths = {key: max(len(key), *(len(str(row[key])) for row in rows)) for key in rows[0]}
    print("  ".join(key.ljust(widths[key]) for key in widths))
    for row in rows:
        print("  ".join(str(row[key]).ljust(widths[key]) for key in widths))


def main(argv: list[str]) -> int:
    import django

    django.setup()
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        rows = bench_pick_pages(quick="--quick" in argv)
    finally:
        teardown_databases(old_config, verbosity=0)
    print_table(rows)
    return 0 if all(row["passed"] for row in rows) else 1


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("BRYGGA_TESTING", "true")
    sys.exit(main(sys.argv[1:]))
