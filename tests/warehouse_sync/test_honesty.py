"""Warehouse honesty (issue 24, item 8): a run's failures name their records and repeat failures
fold into one error-log entry, against the sandbox over real HTTP."""

from decimal import Decimal

import pytest

from integrations.core.models import IntegrationError, SyncRun
from tests.support.warehouse_sync import article, as_if_later, configure, sync
from warehouse import actions as warehouse_actions
from warehouse.models import Article

pytestmark = pytest.mark.slow


def test_a_classic_run_names_the_brygga_only_article_it_cannot_write_and_its_repeats_fold_into_one_entry(fortnox, tenant):
    article(fortnox, "A1", QuantityInStock="3")
    configure(tenant, write_stock=True)
    sync(tenant)
    only_here = Article.objects.create(organization=tenant.organization, article_number="B-ONLY", description="Brygga only",
                                       is_stock_article=True)
    warehouse_actions.do_adjust_stock(only_here, Decimal("5"), "counted", tenant.warehouse)
    warehouse_actions.do_adjust_stock(Article.objects.get(article_number="A1"), Decimal("7"), "counted", tenant.warehouse)
    as_if_later(tenant)
    first = sync(tenant)
    as_if_later(tenant)
    second = sync(tenant)

    assert first.status == second.status == SyncRun.Status.PARTIAL
    assert "B-ONLY" in first.log and "not in Fortnox" in first.log
    entry = IntegrationError.objects.get()
    assert "B-ONLY" in entry.about and entry.occurrences == 2 and "not in Fortnox" in entry.message
    assert Decimal(str(fortnox.get("/3/articles/A1")["QuantityInStock"])) == 7  # the others are still written


def test_with_lager_each_run_lists_the_articles_whose_stock_differs_between_brygga_and_fortnox(
        lager_fortnox, tenant, client_for):
    from django.urls import reverse

    from tests.support.warehouse_sync import push

    article(lager_fortnox, "A1")
    article(lager_fortnox, "A2")
    sync(tenant)
    warehouse_actions.do_adjust_stock(Article.objects.get(article_number="A1"), Decimal("20"), "counted", tenant.warehouse)
    as_if_later(tenant)
    drifted = sync(tenant)  # the adjustment's document is not in Fortnox yet

    assert drifted.data["stock_differences"] == [{"article": "A1", "brygga": "20", "fortnox": "0"}]
    assert "Article A1: 20 in stock in Brygga, 0 in Fortnox." in drifted.log
    page = client_for(tenant.owner).get(reverse("warehouse_sync_run", args=[drifted.pk])).content.decode()
    assert "Stock that differs between Brygga and Fortnox" in page and "<td>A1</td>" in page

    push()
    as_if_later(tenant)
    agreed = sync(tenant)
    assert agreed.data["stock_differences"] == [] and "Stock that differs" not in client_for(tenant.owner).get(
        reverse("warehouse_sync_run", args=[agreed.pk])).content.decode()


def picked_short(tenant, fortnox, number="A1", ordered=4, picked=3):
    from integrations.warehouse_sync.models import WarehouseSyncSettings  # noqa: F401 (the settings exist once synced)
    from tests.support.warehouse_sync import customer, order
    from warehouse.models import SalesOrder

    customer(fortnox)
    article(fortnox, number)
    created = order(fortnox, [(number, ordered)])
    sync(tenant)
    sales_order = SalesOrder.objects.get(organization=tenant.organization, order_number=str(created["DocumentNumber"]))
    warehouse_actions.do_pick_row(sales_order.rows.get(), Decimal(picked), tenant.warehouse)
    warehouse_actions.do_pack(sales_order, tenant.warehouse)
    return sales_order


def test_the_short_fulfilments_confirmation_names_the_back_order_fortnox_will_make(fortnox, tenant, client_for):
    from django.urls import reverse

    from tests.support.warehouse_sync import configure

    sales_order = picked_short(tenant, fortnox)
    configure(tenant, report_fulfilled=True, back_orders_in_fortnox=True)
    page = client_for(tenant.warehouse).post(reverse("warehouse:order_report_fulfilled", args=[sales_order.pk])).content.decode()
    assert "Report fulfilled with short quantities?" in page
    assert (f"When Brygga invoices order {sales_order.order_number}, Fortnox makes a back order of what is short "
            "(A1 Artikel A1 × 1)") in page

    configure(tenant, back_orders_in_fortnox=False)
    page = client_for(tenant.warehouse).post(reverse("warehouse:order_report_fulfilled", args=[sales_order.pk])).content.decode()
    assert "Fortnox makes no back order" in page


def test_a_return_says_plainly_that_the_credit_note_for_the_orders_invoice_is_made_in_fortnox(fortnox, tenant, client_for):
    from django.urls import reverse

    from integrations.core.models import ExternalLink
    from tests.support.warehouse_sync import configure, push

    sales_order = picked_short(tenant, fortnox, ordered=3)
    configure(tenant, report_fulfilled=True)
    warehouse_actions.do_report_fulfilled(sales_order, tenant.warehouse, allow_short=True)
    push()
    invoice = ExternalLink.objects.get(kind="wms_invoice").external_id
    client = client_for(tenant.warehouse)
    back = client.post(reverse("warehouse:order_return", args=[sales_order.pk]), {
        "row": sales_order.rows.get().pk, "quantity": "1", "reason": "wrong size"}, follow=True).content.decode()
    assert "Return registered; the goods are back in stock." in back
    assert f"make a credit note for invoice {invoice} (order {sales_order.order_number}) in Fortnox" in back


def test_the_fortnox_return_document_names_the_order(lager_fortnox, tenant):
    from tests.support.warehouse_sync import configure, push

    sales_order = picked_short(tenant, lager_fortnox, ordered=3)
    configure(tenant, report_fulfilled=True)
    sent = warehouse_actions.do_report_fulfilled(sales_order, tenant.warehouse, allow_short=True)
    goods_return = warehouse_actions.do_register_return(sent.rows.get(), Decimal("1"), "wrong size", tenant.warehouse)
    push()
    document = lager_fortnox.get(f"/api/warehouse/documentdeliveries/custom/inbound-v1/BryggaInboundReturn/{goods_return.pk}")
    assert document["note"] == f"Return on order {sales_order.order_number}: wrong size"


def test_once_the_short_order_is_invoiced_the_person_who_reported_it_is_told_the_back_orders_number(fortnox, tenant):
    from integrations.core.models import ExternalLink
    from organizations.models import Notification
    from tests.support.warehouse_sync import configure, order, push

    sales_order = picked_short(tenant, fortnox)  # 3 of 4
    order(fortnox, [("A1", 9)])  # another order of the customer's, numbered after it: not its back order
    configure(tenant, report_fulfilled=True, back_orders_in_fortnox=True)
    warehouse_actions.do_report_fulfilled(sales_order, tenant.warehouse, allow_short=True)
    push()

    back_order = ExternalLink.objects.get(kind="wms_back_order").external_id
    made = fortnox.get(f"/3/orders/{back_order}")
    assert made["OrderType"] == "Backorder" and [(r["ArticleNumber"], float(r["OrderedQuantity"])) for r in made["OrderRows"]] == [("A1", 1.0)]
    told = Notification.objects.filter(user=tenant.warehouse).order_by("-pk").first()
    assert told.title == f"Fortnox made back order {back_order} of order {sales_order.order_number}"
