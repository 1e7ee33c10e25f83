"""Pulling from Fortnox: articles, suppliers, customers, orders and purchase orders, against the
sandbox over real HTTP through the product's client."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from integrations.core.models import ExternalLink, IntegrationError, SyncRun
from integrations.fortnox.values import STOCKHOLM
from integrations.warehouse_sync.models import WarehouseSyncSettings
from organizations.origin import Origin
from tests.support.warehouse_sync import article, as_if_later, configure, customer, order, pulled_order, supplier, sync
from warehouse import actions as warehouse_actions, signals as warehouse_signals
from warehouse.models import Article, Customer, OrderType, PurchaseOrder, SalesOrder, Supplier

pytestmark = pytest.mark.slow


def test_a_first_run_imports_articles_suppliers_customers_and_confirmed_orders_with_rows_and_address(fortnox, tenant):
    org = tenant.organization
    supplier(fortnox, "L1", Email="order@grossist.test", Active=True)
    article(fortnox, "A1", EAN="7310865004703", Weight=250, Width=10, Height=20, Depth=30, SupplierNumber="L1", Unit="st")
    article(fortnox, "FRAKT", StockGoods=False, Type="SERVICE")
    customer(fortnox, "K1", Type="PRIVATE")
    customer(fortnox, "K2", Type="COMPANY")
    confirmed = order(fortnox, [("A1", 3), ("FRAKT", 1)], "K1", DeliveryName="Anna Berg", DeliveryAddress1="Storgatan 1",
                      DeliveryZipCode="111 22", DeliveryCity="Stockholm", WayOfDelivery="PN", YourReference="Anna")
    order(fortnox, [("A1", 1)], "K2", NotCompleted=True)
    cancelled = order(fortnox, [("A1", 1)], "K2")
    fortnox.put(f"/3/orders/{cancelled['DocumentNumber']}/cancel")

    run = sync(tenant)

    assert run.status == SyncRun.Status.SUCCEEDED, run.log
    a1 = Article.objects.get(organization=org, article_number="A1")
    assert (a1.ean, a1.weight, a1.width, a1.height, a1.depth, a1.is_stock_article) == ("7310865004703", 250, 10, 20, 30, True)
    assert a1.supplier.supplier_number == "L1" and a1.supplier.email == "order@grossist.test"
    assert not Article.objects.get(organization=org, article_number="FRAKT").is_stock_article
    imported = SalesOrder.objects.get(organization=org)
    assert imported.order_number == str(confirmed["DocumentNumber"])
    assert (imported.delivery_name, imported.delivery_address1, imported.delivery_zip_code, imported.delivery_city) == (
        "Anna Berg", "Storgatan 1", "111 22", "Stockholm")
    assert (imported.way_of_delivery, imported.your_reference) == ("PN", "Anna")
    assert [(r.article.article_number, r.ordered_quantity) for r in imported.rows.all()] == [("A1", 3), ("FRAKT", 1)]
    assert imported.order_type.kind == OrderType.Kind.B2C and imported.customer.customer_type == Customer.Type.PRIVATE
    assert run.counts["orders_created"] == 1 and run.counts["articles_created"] == 2
    assert run.api_calls > 0 and "orders:" in run.log


def test_the_open_orders_setting_also_pulls_orders_not_marked_ready(fortnox, tenant):
    customer(fortnox, "K1", Type="COMPANY")
    article(fortnox, "A1")
    order(fortnox, [("A1", 1)], NotCompleted=True)
    configure(tenant, order_selection=WarehouseSyncSettings.OrderSelection.OPEN)
    sync(tenant)
    assert SalesOrder.objects.get(organization=tenant.organization).order_type.kind == OrderType.Kind.B2B


def test_without_the_order_type_setting_orders_get_no_b2b_or_b2c_type(fortnox, tenant):
    customer(fortnox, "K1", Type="PRIVATE")
    article(fortnox, "A1")
    order(fortnox, [("A1", 1)])
    configure(tenant, set_order_type=False)
    sync(tenant)
    assert SalesOrder.objects.get(organization=tenant.organization).order_type is None


def test_an_idle_run_costs_one_call_per_enabled_kind_and_one_for_the_warehouse_mode(fortnox, tenant):
    customer(fortnox)
    article(fortnox, "A1")
    order(fortnox, [("A1", 1)])
    sync(tenant)
    as_if_later(tenant)
    configure(tenant, pull_purchase_orders=False)
    idle = sync(tenant)
    # the warehouse mode; suppliers, articles, customers, ways and terms of delivery, orders
    assert idle.api_calls == 1 + 6 and idle.status == SyncRun.Status.SUCCEEDED, idle.log
    as_if_later(tenant)
    configure(tenant, pull_suppliers=False, pull_customers=False)
    assert sync(tenant).api_calls == 1 + 4


def test_a_run_stores_its_cursors_as_aware_moments_and_a_cursor_an_older_brygga_stored_still_reads(fortnox, tenant):
    customer(fortnox)
    article(fortnox, "A1")
    order(fortnox, [("A1", 1)])
    configure(tenant, pull_purchase_orders=False)
    run = sync(tenant)
    settings = WarehouseSyncSettings.get_or_create_for(tenant.organization)
    assert set(settings.cursors.values()) == {run.started_at.isoformat()}
    assert all(datetime.fromisoformat(value).tzinfo is not None for value in settings.cursors.values())
    # As an older Brygga stored them: Fortnox's naive local format, 10 minutes on (see `as_if_later`).
    later = timezone.localtime(run.started_at + timedelta(minutes=10), STOCKHOLM).strftime("%Y-%m-%d %H:%M:%S")
    settings.cursors = dict.fromkeys(settings.cursors, later)
    settings.save(update_fields=["cursors"])
    idle = sync(tenant)
    assert idle.api_calls == 1 + 6 and idle.status == SyncRun.Status.SUCCEEDED, idle.log
    assert not any(count for name, count in idle.counts.items() if name.endswith("_created")), idle.counts


def test_changed_records_are_upserted_not_duplicated(fortnox, tenant):
    customer(fortnox)
    article(fortnox, "A1")
    supplier(fortnox, "L1")
    sync(tenant)
    fortnox.put("/3/articles/A1", {"Article": {"Description": "Ny beskrivning", "StockGoods": False}})
    fortnox.put("/3/suppliers/L1", {"Supplier": {"Name": "Nytt namn AB"}})
    run = sync(tenant)
    a1 = Article.objects.get(organization=tenant.organization)
    assert (a1.description, a1.is_stock_article) == ("Ny beskrivning", False)
    assert Supplier.objects.get(organization=tenant.organization).name == "Nytt namn AB"
    assert run.counts["articles_updated"] == 1


def test_an_order_update_and_a_cancellation_are_applied_before_work_starts(fortnox, tenant):
    customer(fortnox)
    article(fortnox, "A1")
    article(fortnox, "A2")
    first = order(fortnox, [("A1", 1)])
    second = order(fortnox, [("A1", 1)])
    sync(tenant)
    fortnox.put(f"/3/orders/{first['DocumentNumber']}", {"Order": {"OrderRows": [
        {"ArticleNumber": "A1", "OrderedQuantity": "5"}, {"ArticleNumber": "A2", "OrderedQuantity": "2"}],
        "DeliveryCity": "Göteborg"}})
    fortnox.put(f"/3/orders/{second['DocumentNumber']}/cancel")
    sync(tenant)
    updated = SalesOrder.objects.get(order_number=first["DocumentNumber"])
    assert [(r.article.article_number, r.ordered_quantity) for r in updated.rows.all()] == [("A1", 5), ("A2", 2)]
    assert updated.delivery_city == "Göteborg" and not updated.changed_at_source
    assert SalesOrder.objects.get(order_number=second["DocumentNumber"]).state == SalesOrder.State.CANCELLED


def test_a_pull_without_a_cursor_still_cancels_an_order_fortnox_cancelled(fortnox, tenant):
    """Orders can arrive by the event stream before any pull has set a cursor; the lists a pull
    without one reads (what Fortnox has open now) leave a cancelled order out, so the pull reads
    the queue's orders it did not list."""
    customer(fortnox)
    article(fortnox, "A1")
    kept, cancelled = order(fortnox, [("A1", 1)]), order(fortnox, [("A1", 2)])
    sync(tenant)
    WarehouseSyncSettings.objects.filter(organization=tenant.organization).update(cursors={})
    fortnox.put(f"/3/orders/{cancelled['DocumentNumber']}/cancel")

    run = sync(tenant)

    assert run.status == SyncRun.Status.SUCCEEDED, run.log
    states = dict(SalesOrder.objects.for_organization(tenant.organization).values_list("order_number", "state"))
    assert states == {str(kept["DocumentNumber"]): SalesOrder.State.OPEN,
                      str(cancelled["DocumentNumber"]): SalesOrder.State.CANCELLED}


def test_orders_written_by_the_pull_are_marked_as_coming_from_outside(fortnox, tenant):
    customer(fortnox)
    article(fortnox, "A1")
    placed = order(fortnox, [("A1", 1)])
    heard = []

    def listener(sender, document, created, origin, **kwargs):
        heard.append((sender, document.order_number, created, origin, document.rows.count()))

    warehouse_signals.document_imported.connect(listener)
    try:
        sync(tenant)
        fortnox.put(f"/3/orders/{placed['DocumentNumber']}", {"Order": {"OrderRows": [
            {"ArticleNumber": "A1", "OrderedQuantity": "3"}, {"ArticleNumber": "A1", "OrderedQuantity": "1"}]}})
        sync(tenant)
    finally:
        warehouse_signals.document_imported.disconnect(listener)
    number = placed["DocumentNumber"]
    assert heard == [(SalesOrder, number, True, Origin.EXTERNAL, 1), (SalesOrder, number, False, Origin.EXTERNAL, 2)]


def test_a_change_after_picking_began_is_not_applied_and_the_order_says_what_changed(fortnox, tenant):
    customer(fortnox)
    article(fortnox, "A1")
    first = order(fortnox, [("A1", 2)])
    second = order(fortnox, [("A1", 2)])
    sync(tenant)
    for number in (first["DocumentNumber"], second["DocumentNumber"]):
        warehouse_actions.do_start_picking(SalesOrder.objects.get(order_number=number), tenant.warehouse)
    fortnox.put(f"/3/orders/{first['DocumentNumber']}", {"Order": {"OrderRows": [{"ArticleNumber": "A1", "OrderedQuantity": "9"}]}})
    fortnox.put(f"/3/orders/{second['DocumentNumber']}/cancel")
    run = sync(tenant)
    changed = SalesOrder.objects.get(order_number=first["DocumentNumber"])
    assert changed.rows.get().ordered_quantity == 2 and changed.changed_at_source
    assert "rows" in changed.source_change_note
    cancelled_there = SalesOrder.objects.get(order_number=second["DocumentNumber"])
    assert cancelled_there.state == SalesOrder.State.PICKING and "cancelled" in cancelled_there.source_change_note
    assert run.counts["orders_not_applied"] == 2 and "Not applied" in run.log


def test_purchase_orders_sent_for_the_warehouse_are_pulled_with_rows_when_lager_plus(lager_fortnox, tenant):
    supplier(lager_fortnox, "L1")
    article(lager_fortnox, "A1")
    body = {"supplierNumber": "L1", "orderDate": "2026-01-05", "currencyCode": "SEK", "currencyRate": 1,
            "paymentTermsCode": "30", "deliveryName": "Lager", "deliveryAddress": "Gatan 1", "deliveryZipCode": "11122",
            "deliveryCity": "Stockholm", "rows": [{"itemId": "A1", "orderedQuantity": 10, "currencyCode": "SEK"}]}
    sent = lager_fortnox.post("/api/warehouse/purchaseorders-v1", body)
    lager_fortnox.post(f"/api/warehouse/purchaseorders-v1/{sent['id']}/send", {"receiver": "a@b.test", "replyTo": "a@b.test",
                                                                              "subject": "PO", "body": "PO"})
    lager_fortnox.post("/api/warehouse/purchaseorders-v1", body)  # not sent: stays out
    run = sync(tenant)
    purchase_order = PurchaseOrder.objects.get(organization=tenant.organization)
    assert purchase_order.order_number == str(sent["id"]) and purchase_order.supplier.supplier_number == "L1"
    assert [(r.article.article_number, r.ordered_quantity) for r in purchase_order.rows.all()] == [("A1", 10)]
    assert run.counts["purchase_orders_created"] == 1


def test_purchase_orders_with_keys_from_before_lager_plus_tell_the_admin_to_reconnect(sandbox, connection, company, tenant, client_for):
    sandbox.update_company(company.data, warehouse_licence=True, purchase_orders_licence=True)
    run = sync(tenant)
    assert run.status == SyncRun.Status.PARTIAL
    error = IntegrationError.objects.get(organization=tenant.organization, kind="wms_purchase_orders")
    assert "re-connect" in error.message and error.sync_run == run
    page = client_for(tenant.owner).get("/integrations/fortnox/warehouse/").content.decode()
    assert "re-connect Fortnox to grant access to purchase orders" in page


def test_without_lager_plus_purchase_orders_are_skipped_quietly(connection, tenant):
    run = sync(tenant)
    assert run.status == SyncRun.Status.SUCCEEDED and "no Lager+" in run.log
    assert not IntegrationError.objects.exists()


def test_links_bind_each_order_to_its_fortnox_number(fortnox, tenant):
    created = pulled_order(fortnox, tenant)
    link = ExternalLink.objects.get(organization=tenant.organization, kind="wms_order")
    assert link.external_id == str(created["DocumentNumber"]) and link.local_object.order_number == link.external_id
