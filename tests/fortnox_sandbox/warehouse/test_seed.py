from collections import Counter

from fortnox_sandbox.actions import do_seed_company
from fortnox_sandbox.models import Record


def documents(company, resource):
    return [record.document for record in Record.objects.filter(company=company, resource=resource)]


def test_the_seed_makes_stock_points_articles_partners_and_orders_in_every_state(company):
    company.warehouse_licence = company.purchase_orders_licence = True
    company.save(update_fields=["warehouse_licence", "purchase_orders_licence"])
    do_seed_company(company, size=100)
    assert sorted(p["code"] for p in documents(company, "stockpoints")) == ["BUTIK", "LAGER"]
    articles = documents(company, "articles")
    assert any(a["StockGoods"] and len(a["EAN"]) == 13 for a in articles)
    assert any(a["Type"] == "SERVICE" and not a["StockGoods"] for a in articles)
    assert {c["Type"] for c in documents(company, "customers")} == {"PRIVATE", "COMPANY"}
    assert documents(company, "suppliers")
    orders = documents(company, "orders")
    assert {o["DeliveryState"] for o in orders} == {"delivery", "reservation", "registration"}
    assert {o["OrderType"] for o in orders} == {"Order", "Backorder"}
    for flag in ("Cancelled", "Sent", "NotCompleted", "WarehouseReady"):
        assert any(o[flag] for o in orders), flag
    assert any(o["InvoiceReference"] != "0" for o in orders) and documents(company, "invoices")
    states = Counter(po["purchaseOrderState"] for po in documents(company, "purchaseorders"))
    assert set(states) == {"NOT_SENT", "SENT", "RECEIVED", "VOIDED"}
    partly = [po for po in documents(company, "purchaseorders") if po["purchaseOrderState"] == "SENT"
              and po["totalReceivedQuantity"]]
    assert partly and any(po["purchaseType"] == "DROPSHIP" for po in documents(company, "purchaseorders"))


def test_the_seed_without_lager_makes_no_warehouse_documents(company):
    do_seed_company(company, size=50)
    assert not documents(company, "stockpoints") and not documents(company, "purchaseorders")
    assert documents(company, "orders") and documents(company, "articles")
