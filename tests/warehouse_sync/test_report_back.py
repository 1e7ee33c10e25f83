"""Reporting back to Fortnox: fulfilment with exactly one invoice, the warehouse module's delivery
state and warehouse-ready flag, custom documents, incoming goods for purchase-order receipts and
the classic stock write-back, against the sandbox over real HTTP."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from integrations.core.models import ExternalLink, IntegrationError, OutboxEvent
from integrations.warehouse_sync import receivers
from organizations.models import Notification
from tests.support.warehouse_sync import (
    article,
    as_if_later,
    configure,
    customer,
    fulfil,
    order,
    pulled_order,
    push,
    sent_purchase_order,
    supplier,
    sync,
)
from warehouse import actions as warehouse_actions
from warehouse.models import Article, PurchaseOrder, SalesOrder, Supplier

pytestmark = pytest.mark.slow

CUSTOM = "/api/warehouse/documentdeliveries/custom"


def invoices(sandbox, company) -> list:
    return sandbox.records(company.data, "invoices")


def test_fulfilment_writes_delivered_quantities_then_one_invoice(fortnox, tenant, sandbox, company):
    customer(fortnox)
    article(fortnox, "A1")
    article(fortnox, "A2")
    created = order(fortnox, [("A1", 3), ("A2", 2)])
    sync(tenant)
    configure(tenant, back_orders_in_fortnox=False)
    fulfil(tenant, created["DocumentNumber"], picked={"A1": 2})
    push()
    fortnox_order = fortnox.get(f"/3/orders/{created['DocumentNumber']}")
    assert [Decimal(str(r["DeliveredQuantity"])) for r in fortnox_order["OrderRows"]] == [2, 2]
    assert fortnox_order["InvoiceReference"] != "0" and len(invoices(sandbox, company)) == 1
    link = ExternalLink.objects.get(kind="wms_invoice")
    assert link.external_id == str(fortnox_order["InvoiceReference"])
    assert not Notification.objects.filter(user=tenant.warehouse).exists()


def test_a_lost_response_to_createinvoice_never_makes_a_second_invoice(fortnox, tenant, sandbox, company):
    created = pulled_order(fortnox, tenant)
    fulfil(tenant, created["DocumentNumber"])
    sandbox.update_company(company.data, fault_drop_rate=1.0)  # every write is applied, then the connection dropped
    push()
    sandbox.update_company(company.data, fault_drop_rate=0.0)
    assert len(invoices(sandbox, company)) == 1
    assert ExternalLink.objects.get(kind="wms_invoice").external_id == str(invoices(sandbox, company)[0]["key"])
    event = OutboxEvent.objects.get(kind="wms_fulfilment")
    assert event.status == OutboxEvent.Status.DONE
    # And a second try (an admin pressing Retry, say) does nothing.
    OutboxEvent.objects.filter(pk=event.pk).update(status=OutboxEvent.Status.PENDING)
    push()
    assert len(invoices(sandbox, company)) == 1


def test_an_order_invoiced_in_fortnox_meanwhile_is_linked_not_invoiced_again(fortnox, tenant, sandbox, company):
    created = pulled_order(fortnox, tenant)
    fulfil(tenant, created["DocumentNumber"])
    fortnox.put(f"/3/orders/{created['DocumentNumber']}/createinvoice")
    push()
    assert len(invoices(sandbox, company)) == 1 and ExternalLink.objects.filter(kind="wms_invoice").count() == 1


def test_with_lager_fulfilment_sets_delivery_state_and_warehouse_ready_and_warns_of_the_back_order(lager_fortnox, tenant, sandbox, lager_company):
    created = pulled_order(lager_fortnox, tenant, 3, DeliveryState="reservation")
    fulfil(tenant, created["DocumentNumber"], picked={"A1": 2})
    notice = Notification.objects.get(user=tenant.warehouse)
    assert "back order" in notice.title and created["DocumentNumber"] in notice.title
    push()
    fortnox_order = lager_fortnox.get(f"/3/orders/{created['DocumentNumber']}")
    assert fortnox_order["DeliveryState"] == "delivery" and fortnox_order["WarehouseReady"]
    assert Decimal(str(fortnox_order["OrderRows"][0]["DeliveredQuantity"])) == 2
    assert fortnox_order["InvoiceReference"] != "0"
    back_orders = [r for r in sandbox.records(lager_company.data, "orders") if r["document"]["OrderType"] == "Backorder"]
    assert len(back_orders) == 1


def test_brygga_with_the_module_and_fortnox_without_refuses_report_fulfilled_with_the_reason(fortnox, tenant):
    created = pulled_order(fortnox, tenant)
    configure(tenant, use_warehouse_module=True)  # behind the form's back, as an old setting would be
    with pytest.raises(ValidationError, match="Fortnox does not have it activated any more"):
        fulfil(tenant, created["DocumentNumber"])
    assert not OutboxEvent.objects.exists()


def test_without_report_fulfilled_nothing_is_sent(fortnox, tenant):
    created = pulled_order(fortnox, tenant)
    configure(tenant, report_fulfilled=False)
    fulfil(tenant, created["DocumentNumber"])
    assert not OutboxEvent.objects.exists()


def test_adjustments_and_returns_become_released_custom_documents_with_lager(lager_fortnox, tenant):
    created = pulled_order(lager_fortnox, tenant, 2)
    a1 = Article.objects.get(organization=tenant.organization, article_number="A1")
    plus = warehouse_actions.do_adjust_stock(a1, Decimal("5"), "counted", tenant.warehouse)
    minus = warehouse_actions.do_adjust_stock(a1, Decimal("-1"), "broken", tenant.warehouse)
    sent = fulfil(tenant, created["DocumentNumber"])
    goods_return = warehouse_actions.do_register_return(sent.rows.get(), Decimal("1"), "wrong size", tenant.warehouse)
    push()
    for path in (f"inbound-v1/BryggaInboundInventory/{plus.pk}", f"outbound-v1/BryggaOutboundInventory/{minus.pk}",
                 f"inbound-v1/BryggaInboundReturn/{goods_return.pk}"):
        document = lager_fortnox.get(f"{CUSTOM}/{path}")
        assert document["warehouseReady"], path
    assert lager_fortnox.get(f"{CUSTOM}/outbound-v1/BryggaOutboundInventory/{minus.pk}")["rows"][0]["quantity"] == 1
    assert ExternalLink.objects.filter(kind="wms_custom_document").count() == 3


def test_adjustments_make_no_documents_in_classic_mode(fortnox, tenant):
    article(fortnox, "A1")
    sync(tenant)
    warehouse_actions.do_adjust_stock(Article.objects.get(article_number="A1"), Decimal("5"), "counted", tenant.warehouse)
    assert not OutboxEvent.objects.exists()


def test_a_receipt_on_a_purchase_order_not_from_fortnox_becomes_a_brygga_inbound_order(lager_fortnox, tenant):
    supplier(lager_fortnox, "L1")
    article(lager_fortnox, "A1")
    sync(tenant)
    org = tenant.organization
    a1 = Article.objects.get(organization=org, article_number="A1")
    purchase_order = PurchaseOrder.objects.create(
        organization=org, order_number="B-1", supplier=Supplier.objects.get(organization=org, supplier_number="L1"))
    row = purchase_order.rows.create(article=a1, ordered_quantity=4)
    receipt = warehouse_actions.do_receive_purchase_order(purchase_order, {row.pk: Decimal("4")}, tenant.warehouse)
    push()
    assert lager_fortnox.get(f"{CUSTOM}/inbound-v1/BryggaInboundOrder/{receipt.pk}")["warehouseReady"]


def receive(tenant, purchase_order: PurchaseOrder, quantity):
    row = purchase_order.rows.get()
    return warehouse_actions.do_receive_purchase_order(purchase_order, {row.pk: Decimal(quantity)}, tenant.warehouse)


def test_a_purchase_order_received_in_two_parts_makes_two_incoming_goods_and_is_received(lager_fortnox, tenant):
    created = sent_purchase_order(lager_fortnox)
    sync(tenant)
    purchase_order = PurchaseOrder.objects.get(organization=tenant.organization)
    receive(tenant, purchase_order, 4)
    assert not OutboxEvent.objects.exists()  # waits for "Report to Fortnox"
    receivers.do_report_purchase_order(purchase_order)
    push()
    assert lager_fortnox.get(f"/api/warehouse/purchaseorders-v1/{created['id']}")["purchaseOrderState"] == "SENT"
    purchase_order.refresh_from_db()
    receive(tenant, purchase_order, 6)
    receivers.do_report_purchase_order(purchase_order)
    push()
    goods = lager_fortnox.get("/api/warehouse/incominggoods-v1")
    assert len(goods) == 2 and all(doc["released"] and doc["completed"] for doc in goods)
    details = [lager_fortnox.get(f"/api/warehouse/incominggoods-v1/{doc['id']}") for doc in goods]
    assert [row["receivedQuantity"] for doc in details for row in doc["rows"]] == [4, 6]
    assert all(row["purchaseOrderId"] == created["id"] for doc in details for row in doc["rows"])
    assert lager_fortnox.get(f"/api/warehouse/purchaseorders-v1/{created['id']}")["purchaseOrderState"] == "RECEIVED"


def test_a_purchase_order_closed_short_is_completed_in_fortnox(lager_fortnox, tenant):
    created = sent_purchase_order(lager_fortnox)
    sync(tenant)
    purchase_order = PurchaseOrder.objects.get(organization=tenant.organization)
    receive(tenant, purchase_order, 3)
    purchase_order = warehouse_actions.do_close_purchase_order_short(purchase_order, tenant.warehouse)
    receivers.do_report_purchase_order(purchase_order)
    push()
    fortnox_order = lager_fortnox.get(f"/api/warehouse/purchaseorders-v1/{created['id']}")
    assert fortnox_order["purchaseOrderState"] == "RECEIVED" and fortnox_order["manuallyCompleted"]
    # Pressing the button again creates nothing new.
    receivers.do_report_purchase_order(purchase_order)
    push()
    assert len(lager_fortnox.get("/api/warehouse/incominggoods-v1")) == 1


def test_classic_mode_writes_changed_stock_levels_at_the_end_of_a_run_and_only_those(fortnox, tenant):
    article(fortnox, "A1", QuantityInStock="3")
    article(fortnox, "A2", QuantityInStock="8")
    configure(tenant, write_stock=True)
    sync(tenant)
    warehouse_actions.do_adjust_stock(Article.objects.get(article_number="A1"), Decimal("7"), "counted", tenant.warehouse)
    as_if_later(tenant)
    run = sync(tenant)
    assert Decimal(str(fortnox.get("/3/articles/A1")["QuantityInStock"])) == 7
    assert Decimal(str(fortnox.get("/3/articles/A2")["QuantityInStock"])) == 8  # never held here: left alone
    assert run.counts["stock_written"] == 1
    as_if_later(tenant)
    assert "stock_written" not in sync(tenant).counts


def test_a_lost_response_to_the_delivered_quantities_is_recovered_although_fortnox_renumbered_the_rows(fortnox, tenant, sandbox, company):
    created = pulled_order(fortnox, tenant, 4)
    configure(tenant, back_orders_in_fortnox=False)
    fulfil(tenant, created["DocumentNumber"], picked={"A1": 3})
    sandbox.update_company(company.data, fault_drop_rate=1.0)
    push()
    sandbox.update_company(company.data, fault_drop_rate=0.0)
    fortnox_order = fortnox.get(f"/3/orders/{created['DocumentNumber']}")
    assert Decimal(str(fortnox_order["OrderRows"][0]["DeliveredQuantity"])) == 3
    assert len(invoices(sandbox, company)) == 1 and OutboxEvent.objects.get().status == OutboxEvent.Status.DONE


def test_a_lost_response_to_completing_a_purchase_order_closed_short_is_not_an_error(lager_fortnox, tenant, sandbox, lager_company):
    created = sent_purchase_order(lager_fortnox)
    sync(tenant)
    purchase_order = PurchaseOrder.objects.get(organization=tenant.organization)
    receive(tenant, purchase_order, 3)
    receivers.do_report_purchase_order(purchase_order)
    push()
    purchase_order = warehouse_actions.do_close_purchase_order_short(purchase_order, tenant.warehouse)
    receivers.do_report_purchase_order(purchase_order)
    sandbox.update_company(lager_company.data, fault_drop_rate=1.0)  # "complete" is applied, its answer lost
    push()
    sandbox.update_company(lager_company.data, fault_drop_rate=0.0)
    assert lager_fortnox.get(f"/api/warehouse/purchaseorders-v1/{created['id']}")["purchaseOrderState"] == "RECEIVED"
    assert not IntegrationError.objects.exists()
    assert set(OutboxEvent.objects.values_list("status", flat=True)) == {OutboxEvent.Status.DONE}


def test_fulfilment_from_delivered_zero_writes_every_row_invoices_what_left_and_the_back_order_comes_back(fortnox, tenant, sandbox, company):
    """Live Fortnox without Lager starts every order row at DeliveredQuantity "0", totals 0 and the
    order warehouse-ready (API-FACTS §11.1): Brygga must neither take that for done nor skip a row."""
    customer(fortnox)
    article(fortnox, "A1")
    article(fortnox, "A2")
    created = fortnox.post("/3/orders", {"Order": {"CustomerNumber": "K1", "OrderRows": [
        {"ArticleNumber": "A1", "OrderedQuantity": "3", "Price": 100},
        {"ArticleNumber": "A2", "OrderedQuantity": "2", "Price": 50}]}})
    assert [row["DeliveredQuantity"] for row in created["OrderRows"]] == ["0", "0"] and created["Total"] == 0
    assert created["WarehouseReady"] is True
    sync(tenant)
    sales_order = SalesOrder.objects.get(organization=tenant.organization, order_number=created["DocumentNumber"])
    assert sales_order.state == SalesOrder.State.OPEN
    assert [row.delivered_quantity for row in sales_order.rows.order_by("position")] == [0, 0]

    fulfil(tenant, created["DocumentNumber"], picked={"A1": 2})
    push()
    fortnox_order = fortnox.get(f"/3/orders/{created['DocumentNumber']}")
    assert [Decimal(str(row["DeliveredQuantity"])) for row in fortnox_order["OrderRows"]] == [2, 2]
    invoice = fortnox.get(f"/3/invoices/{fortnox_order['InvoiceReference']}")
    assert [Decimal(str(row["DeliveredQuantity"])) for row in invoice["InvoiceRows"]] == [2, 2]
    assert invoice["Total"] == 375.0  # (2 × 100 + 2 × 50) plus 25 % VAT: only what was delivered
    assert OutboxEvent.objects.get(kind="wms_fulfilment").status == OutboxEvent.Status.DONE

    sync(tenant)
    back_order = SalesOrder.objects.exclude(pk=sales_order.pk).get(organization=tenant.organization)
    assert [(row.article.article_number, row.ordered_quantity, row.delivered_quantity)
            for row in back_order.rows.select_related("article")] == [("A1", 1, 0)]
    assert back_order.state == SalesOrder.State.OPEN


def test_fortnox_delivering_nothing_for_lack_of_stock_is_a_failure_not_sent(connect_wms, tenant, make_company):
    """With Lager and no negative stock, Fortnox accepts the PUT but forces the delivered
    quantity to 0 (API-FACTS §7): nothing may then say the order is in Fortnox."""
    from integrations.fortnox.client import FortnoxClient

    connection = connect_wms(tenant, make_company(warehouse_licence=True, rate_limit_requests=100_000))
    with FortnoxClient(connection) as fortnox:
        created = pulled_order(fortnox, tenant, 2)
        fulfil(tenant, created["DocumentNumber"])
        push()
        fortnox_order = fortnox.get(f"/3/orders/{created['DocumentNumber']}")
    assert str(fortnox_order["InvoiceReference"]) in ("", "0")
    error = IntegrationError.objects.get(kind="wms_fulfilment")
    assert "did not take the delivered quantities" in error.message and error.subject == f"Order {created['DocumentNumber']}"
    assert OutboxEvent.objects.get().status == OutboxEvent.Status.FAILED
