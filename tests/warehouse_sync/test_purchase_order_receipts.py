"""Read before write for purchase-order receipts (issue 15, defect 3): a purchase order Fortnox
has partly received comes in with its received quantities; a receipt re-reads the purchase order
right before reporting and never takes Fortnox past what the person received on top of what
Fortnox already had; an over-receipt needs a confirmation and is reported as one."""

from decimal import Decimal

import pytest
from django.urls import reverse

from integrations.core.models import IntegrationError, OutboxEvent
from integrations.warehouse_sync import receivers
from tests.support.warehouse_sync import (
    PURCHASE_ORDERS,
    as_if_later,
    push,
    receive_in_fortnox,
    sent_purchase_order,
    sync,
)
from warehouse import actions as warehouse_actions
from warehouse.models import PurchaseOrder

pytestmark = pytest.mark.slow



def fortnox_received(fortnox, created) -> Decimal:
    return Decimal(str(fortnox.get(f"{PURCHASE_ORDERS}/{created['id']}")["rows"][0]["receivedQuantity"]))


def the_purchase_order(tenant) -> PurchaseOrder:
    return PurchaseOrder.objects.get(organization=tenant.organization)


def receive(tenant, quantity, **options):
    purchase_order = the_purchase_order(tenant)
    row = purchase_order.rows.get()
    return warehouse_actions.do_receive_purchase_order(purchase_order, {row.pk: Decimal(quantity)}, tenant.warehouse,
                                                       **options)


def report(tenant) -> None:
    receivers.do_report_purchase_order(the_purchase_order(tenant))
    push()


def test_a_purchase_order_fortnox_partly_received_is_pulled_with_its_received_quantity_and_receiving_the_rest_completes_it(
        lager_fortnox, tenant, client_for):
    created = sent_purchase_order(lager_fortnox, quantity=10)
    receive_in_fortnox(lager_fortnox, created, 5)
    sync(tenant)
    purchase_order = the_purchase_order(tenant)
    row = purchase_order.rows.get()
    assert (row.received_quantity, row.outstanding_quantity) == (5, 5)
    assert purchase_order.state == PurchaseOrder.State.PARTLY_RECEIVED
    with pytest.raises(warehouse_actions.OverReceiptNeedsConfirmation):
        receive(tenant, 10)  # what the page showed as outstanding before: 0 received
    receive(tenant, 5)
    page = client_for(tenant.warehouse).get(reverse("warehouse:purchase_order", args=[purchase_order.pk])).content.decode()
    assert page.count("Not reported to Fortnox yet") == 2  # the purchase order and its receipt
    report(tenant)
    assert fortnox_received(lager_fortnox, created) == 10
    assert lager_fortnox.get(f"{PURCHASE_ORDERS}/{created['id']}")["purchaseOrderState"] == "RECEIVED"
    assert the_purchase_order(tenant).state == PurchaseOrder.State.RECEIVED
    page = client_for(tenant.warehouse).get(reverse("warehouse:purchase_order", args=[purchase_order.pk])).content.decode()
    assert page.count("Sent to Fortnox") == 2


def test_goods_received_in_fortnox_after_a_receipt_in_brygga_are_added_to_the_rows_without_counting_the_receipt_twice(
        lager_fortnox, tenant):
    created = sent_purchase_order(lager_fortnox, quantity=10)
    sync(tenant)
    receive(tenant, 3)
    receive_in_fortnox(lager_fortnox, created, 2)
    as_if_later(tenant)
    sync(tenant)
    assert the_purchase_order(tenant).rows.get().received_quantity == 5
    report(tenant)  # Fortnox: 2 by hand + Brygga's 3
    as_if_later(tenant)
    sync(tenant)
    assert the_purchase_order(tenant).rows.get().received_quantity == 5 and fortnox_received(lager_fortnox, created) == 5


def test_a_receipt_re_reads_the_purchase_order_and_never_takes_fortnox_past_the_order(lager_fortnox, tenant, client_for):
    created = sent_purchase_order(lager_fortnox, quantity=10)
    sync(tenant)
    receive(tenant, 10)
    receive_in_fortnox(lager_fortnox, created, 4)  # meanwhile, in Fortnox, before anyone pressed Report
    report(tenant)
    assert fortnox_received(lager_fortnox, created) == 4
    assert [doc["deliveryNoteId"] for doc in lager_fortnox.get("/api/warehouse/incominggoods-v1")] == ["HAND-4"]
    error = IntegrationError.objects.get(organization=tenant.organization, kind="wms_purchase_order_report")
    assert "Nothing was sent" in error.message and "A1: Fortnox has 4 of 10 received, this receipt adds 10" in error.message
    assert error.subject == f"Purchase order {the_purchase_order(tenant).order_number}"
    assert OutboxEvent.objects.get().status == OutboxEvent.Status.FAILED
    staff = client_for(tenant.warehouse)
    page = staff.get(reverse("warehouse:purchase_order", args=[the_purchase_order(tenant).pk])).content.decode()
    assert "Failed in Fortnox" in page and "Nothing was sent" in page
    failed_only = staff.get(reverse("warehouse:purchase_orders"), {"failed": "on"}).content.decode()
    assert f">{created['id']}<" in failed_only and "Nothing was sent" in failed_only


def test_a_confirmed_over_receipt_is_reported_to_fortnox_as_one(lager_fortnox, tenant):
    created = sent_purchase_order(lager_fortnox, quantity=10)
    sync(tenant)
    receipt = receive(tenant, 12, allow_over_receipt=True)
    assert receipt.over_receipt
    report(tenant)
    assert fortnox_received(lager_fortnox, created) == 12
    goods = lager_fortnox.get("/api/warehouse/incominggoods-v1")
    assert len(goods) == 1 and goods[0]["note"].startswith("Over-receipt confirmed in Brygga by")
    assert not IntegrationError.objects.exists()
