"""The warehouse ↔ Fortnox world: an organization connected with the warehouse scopes through the
real consent page, runs and pushes in the test's process, Fortnox records created through the
product's own client, and what staff do in Brygga (pick, pack, report fulfilled)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from integrations.core import outbox
from integrations.core.models import FortnoxConnection, SyncRun
from integrations.fortnox.values import cursor_value, parse_cursor
from integrations.warehouse_sync import tasks
from integrations.warehouse_sync.models import WarehouseSyncSettings
from tests.support.tenants import settings_with
from warehouse import actions as warehouse_actions
from warehouse.models import SalesOrder

from .fortnox import FortnoxCompany

FAST = {"rate_limit_requests": 100_000}
PURCHASE_ORDERS = "/api/warehouse/purchaseorders-v1"


@pytest.fixture
def connect_wms(connect):
    """connect_wms(tenant, company) → a connection with the warehouse (and custom document) scopes."""

    def make(tenant, company: FortnoxCompany) -> FortnoxConnection:
        FortnoxConnection.objects.update_or_create(organization=tenant.organization, defaults={
            "hr_enabled": False, "warehouse_enabled": True, "warehouse_custom_documents": True})
        return connect(tenant, company)

    return make


def configure(tenant, **values) -> WarehouseSyncSettings:
    return settings_with(WarehouseSyncSettings, tenant, **values)


def sync(tenant) -> SyncRun:
    """One run, in this process (the job cluster tests start runs the way the product does)."""
    run = tasks.do_queue_sync(tenant.organization, trigger=SyncRun.Trigger.MANUAL)
    tasks.execute_run(run.pk)
    run.refresh_from_db()
    return run


def as_if_later(tenant, minutes=10):
    """Move every cursor forward, as if the last run had started `minutes` later: records changed
    before it then fall outside the pull's overlap, as they do between scheduled runs 15 minutes
    apart (the tests cannot wait for Fortnox's minute-resolution clock)."""
    settings = WarehouseSyncSettings.get_or_create_for(tenant.organization)
    for kind, value in settings.cursors.items():
        settings.cursors[kind] = cursor_value(parse_cursor(value) + timedelta(minutes=minutes))
    settings.save(update_fields=["cursors"])


def push():
    """Push what the outbox holds, in this process."""
    return outbox.push_due()


# --- Fortnox records, through the product's client ---------------------------------------------


def customer(fortnox, number="K1", **fields) -> dict:
    return fortnox.post("/3/customers", {"Customer": {"CustomerNumber": number, "Name": f"Kund {number}", **fields}})


def article(fortnox, number, **fields) -> dict:
    return fortnox.post("/3/articles", {"Article": {"ArticleNumber": number, "Description": f"Artikel {number}",
                                                    "StockGoods": True, **fields}})


def order(fortnox, rows, customer_number="K1", **fields) -> dict:
    rows = [{"ArticleNumber": number, "OrderedQuantity": str(qty)} for number, qty in rows]
    return fortnox.post("/3/orders", {"Order": {"CustomerNumber": customer_number, "OrderRows": rows, **fields}})


def pulled_order(fortnox, tenant, quantity=1, **fields) -> dict:
    """An order of `quantity` × A1 for customer K1, made in Fortnox and pulled into Brygga."""
    customer(fortnox)
    article(fortnox, "A1")
    created = order(fortnox, [("A1", quantity)], **fields)
    sync(tenant)
    return created


def supplier(fortnox, number="L1", **fields) -> dict:
    return fortnox.post("/3/suppliers", {"Supplier": {"SupplierNumber": number, "Name": f"Leverantör {number}", **fields}})


def sent_purchase_order(fortnox, quantity=10) -> dict:
    supplier(fortnox, "L1")
    article(fortnox, "A1")
    body = {"supplierNumber": "L1", "orderDate": "2026-01-05", "currencyCode": "SEK", "currencyRate": 1,
            "paymentTermsCode": "30", "deliveryName": "Lager", "deliveryAddress": "Gatan 1", "deliveryZipCode": "11122",
            "deliveryCity": "Stockholm", "rows": [{"itemId": "A1", "orderedQuantity": quantity, "currencyCode": "SEK"}]}
    created = fortnox.post("/api/warehouse/purchaseorders-v1", body)
    fortnox.post(f"/api/warehouse/purchaseorders-v1/{created['id']}/send",
                 {"receiver": "a@b.test", "replyTo": "a@b.test", "subject": "PO", "body": "PO"})
    return created


def receive_in_fortnox(fortnox, created: dict, quantity) -> None:
    """Someone receives goods in Fortnox itself: incoming goods on the purchase order, released."""
    row = fortnox.get(f"{PURCHASE_ORDERS}/{created['id']}")["rows"][0]
    document = fortnox.post("/api/warehouse/incominggoods-v1", {
        "deliveryNoteId": f"HAND-{quantity}", "supplierNumber": "L1", "rows": [{
            "itemId": "A1", "receivedQuantity": quantity, "purchaseOrderId": created["id"],
            "purchaseOrderRowId": row["id"]}]})
    fortnox.put(f"/api/warehouse/incominggoods-v1/{document['id']}/release")


# --- What staff do in Brygga -------------------------------------------------------------------


def fulfil(tenant, number, picked: dict | None = None) -> SalesOrder:
    """Pick (all, or `picked` per article number), pack and press Report fulfilled."""
    sales_order = SalesOrder.objects.get(organization=tenant.organization, order_number=str(number))
    for row in sales_order.rows.select_related("article"):
        quantity = (picked or {}).get(row.article.article_number, row.ordered_quantity)
        if row.is_pickable and quantity:
            warehouse_actions.do_pick_row(row, Decimal(quantity), tenant.warehouse)
    warehouse_actions.do_pack(sales_order, tenant.warehouse)
    return warehouse_actions.do_report_fulfilled(sales_order, tenant.warehouse, allow_short=True)
