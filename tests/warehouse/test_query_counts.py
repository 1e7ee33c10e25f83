"""Pages that list things run a fixed number of queries however many rows they show."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from warehouse.actions import do_adjust_stock, do_receive_purchase_order
from warehouse.models import Adjustment, OrderType, PurchaseOrder, Receipt, Return, SalesOrder, StockLocation

MAX_QUERIES = 12


@pytest.fixture
def staff(tenant, client_for):
    client = client_for(tenant.warehouse)
    client.get(reverse("warehouse:pick_queue"))  # session and language set-up out of the way
    # Content types are looked up once per process (for the Fortnox states of a list), not per page.
    ContentType.objects.get_for_models(SalesOrder, PurchaseOrder, Receipt, Adjustment, Return)
    return client


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    assert len(captured) > 3, "the capture saw the page's queries"
    return len(captured)


def test_the_pick_queue_runs_the_same_queries_for_3_and_30_orders(build, staff, tenant, django_assert_max_num_queries):
    b2b = OrderType.for_kind(tenant.organization, "b2b")
    for _ in range(3):
        build.order(order_type=b2b)
    few = queries_for(staff, reverse("warehouse:pick_queue"))
    for _ in range(27):
        build.order(order_type=b2b, customer=build.customer())
    assert queries_for(staff, reverse("warehouse:pick_queue")) == few
    with django_assert_max_num_queries(MAX_QUERIES):
        staff.get(reverse("warehouse:pick_queue"))


def test_the_order_page_runs_the_same_queries_for_2_and_20_rows(build, staff, django_assert_max_num_queries):
    small = build.order(*[(build.article(), 1) for _ in range(2)])
    large = build.order(*[(build.article(), 1) for _ in range(20)])
    assert queries_for(staff, reverse("warehouse:order", args=[small.pk])) == queries_for(
        staff, reverse("warehouse:order", args=[large.pk])
    )
    with django_assert_max_num_queries(MAX_QUERIES):
        staff.get(reverse("warehouse:order", args=[large.pk]))


def test_the_receiving_page_runs_the_same_queries_for_1_and_10_receipts(build, staff, tenant):
    articles = [build.article() for _ in range(5)]
    purchase_order = build.purchase_order(*[(article, 100) for article in articles])
    rows = list(purchase_order.rows.all())
    url = reverse("warehouse:purchase_order", args=[purchase_order.pk])
    do_receive_purchase_order(purchase_order, {rows[0].pk: Decimal(1)}, tenant.warehouse)
    one = queries_for(staff, url)
    for _ in range(9):
        do_receive_purchase_order(purchase_order, {row.pk: Decimal(1) for row in rows}, tenant.warehouse)
    assert queries_for(staff, url) == one


def test_the_stock_pages_run_the_same_queries_for_few_and_many_articles_and_movements(build, staff, tenant):
    shelf = StockLocation.objects.create(organization=tenant.organization, code="A-1")
    article = build.article()
    do_adjust_stock(article, Decimal(1), "count", tenant.warehouse, location=shelf)
    stock_few = queries_for(staff, reverse("warehouse:stock"))
    ledger_few = queries_for(staff, reverse("warehouse:article", args=[article.pk]))
    for _ in range(15):
        do_adjust_stock(build.article(), Decimal(1), "count", tenant.warehouse, location=shelf)
        do_adjust_stock(article, Decimal(1), "count", tenant.warehouse)
    assert queries_for(staff, reverse("warehouse:stock")) == stock_few
    assert queries_for(staff, reverse("warehouse:article", args=[article.pk])) == ledger_few
