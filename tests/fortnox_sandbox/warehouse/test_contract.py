"""Every implemented warehouse-family path, answered by the sandbox, checked against the
schema openapi.json declares for it (part A's harness in tests/support/openapi_contract.py)."""

import json

import pytest

from tests.support import openapi_contract as contract
from tests.support.sandbox_warehouse import (
    CUSTOM,
    PO_HEADER,
    article,
    customer,
    incoming,
    order,
    purchase_order,
    receive,
)

ORDER = "/3/orders/{DocumentNumber}"


@pytest.fixture
def world(lager):
    """One of everything, in a Lager company."""
    api = lager
    article(api, "A1", EAN="7310865004703")
    article(api, "A2")
    receive(api, "A1", 50)
    po = purchase_order(api, quantities=(5, 5))
    goods = incoming(api, [{"itemId": "A1", "receivedQuantity": 5, "purchaseOrderId": po["id"],
                            "purchaseOrderRowId": po["rows"][0]["id"]}])
    point = api.post("api/warehouse/stockpoints-v1", {"code": "BUTIK", "name": "Butik",
                                                      "stockLocations": [{"code": "H1", "name": "Hylla 1"}]}).json()
    customer(api, Type="PRIVATE", Name="Åsa Öberg")
    first = order(api, [{"ArticleNumber": "A1", "OrderedQuantity": 2, "Price": 99.5, "DeliveredQuantity": 1}])
    second = order(api, [{"ArticleNumber": "A1", "OrderedQuantity": 1, "Price": 10}])
    api.put(f"{CUSTOM}/outbound-v1/SHIP/7", {"date": "2026-01-06", "deliveryState": "delivery",
                                              "rows": [{"itemId": "A1", "quantity": 1}]})
    return {"api": api, "po": po["id"], "goods": goods["id"], "point": point["id"], "order": first["DocumentNumber"],
            "other": second["DocumentNumber"]}


CALLS = [
    ("GET", "/3/articles", "3/articles", None),
    ("POST", "/3/articles", "3/articles", {"Article": {"Description": "Ny", "StockGoods": True}}),
    ("GET", "/3/articles/{ArticleNumber}", "3/articles/A1", None),
    ("PUT", "/3/articles/{ArticleNumber}", "3/articles/A1", {"Article": {"Description": "Ändrad"}}),
    ("GET", "/3/articles/{ArticleNumber}", "3/articles/NOPE", None),
    ("PUT", "/3/articles/{ArticleNumber}", "3/articles/A1", {"Article": {"QuantityInStock": 1}}),
    ("GET", "/3/customers", "3/customers", None),
    ("POST", "/3/customers", "3/customers", {"Customer": {"Name": "Coop", "Type": "COMPANY"}}),
    ("GET", "/3/customers/{CustomerNumber}", "3/customers/1", None),
    ("PUT", "/3/customers/{CustomerNumber}", "3/customers/1", {"Customer": {"City": "Lund"}}),
    ("GET", "/3/suppliers", "3/suppliers", None),
    ("POST", "/3/suppliers", "3/suppliers", {"Supplier": {"Name": "Ahlsell"}}),
    ("GET", "/3/suppliers/{SupplierNumber}", "3/suppliers/1", None),
    ("PUT", "/3/suppliers/{SupplierNumber}", "3/suppliers/1", {"Supplier": {"City": "Borås"}}),
    ("GET", "/3/orders", "3/orders", None),
    ("GET", "/3/orders", "3/orders?filter=doesntexist", None),
    ("POST", "/3/orders", "3/orders", {"Order": {"CustomerNumber": "1", "OrderRows": [{"ArticleNumber": "A2"}]}}),
    ("GET", ORDER, "3/orders/{order}", None),
    ("GET", ORDER, "3/orders/123456789", None),
    ("PUT", ORDER, "3/orders/{order}", {"Order": {"Remarks": "Port 3"}}),
    ("PUT", "/3/orders/{DocumentNumber}/createinvoice", "3/orders/{order}/createinvoice", None),
    ("PUT", "/3/orders/{DocumentNumber}/cancel", "3/orders/{other}/cancel", None),
    ("PUT", "/3/orders/{DocumentNumber}/externalprint", "3/orders/{order}/externalprint", None),
    # The spec has no orders/warehouseready (API-FACTS §8); it answers the Order of PUT /3/orders/{n}.
    ("PUT", ORDER, "3/orders/{order}/warehouseready", None),
    ("GET", "/api/warehouse/stockpoints-v1", "api/warehouse/stockpoints-v1", None),
    ("POST", "/api/warehouse/stockpoints-v1", "api/warehouse/stockpoints-v1", {"code": "NY", "name": "Nytt"}),
    ("GET", "/api/warehouse/stockpoints-v1/{id}", "api/warehouse/stockpoints-v1/{point}", None),
    ("PUT", "/api/warehouse/stockpoints-v1/{id}", "api/warehouse/stockpoints-v1/{point}", {"code": "BUTIK", "name": "B"}),
    ("GET", "/api/warehouse/stockpoints-v1/{id}/stocklocations", "api/warehouse/stockpoints-v1/{point}/stocklocations", None),
    ("DELETE", "/api/warehouse/stockpoints-v1/{id}", "api/warehouse/stockpoints-v1/{point}", None),
    ("GET", "/api/warehouse/stockpoints-v1/{id}/stocklocations", "api/warehouse/stockpoints-v1/{point}/stocklocations", None),
    ("GET", "/api/warehouse/status-v1/stockbalance", "api/warehouse/status-v1/stockbalance", None),
    ("GET", "/api/warehouse/incominggoods-v1", "api/warehouse/incominggoods-v1", None),
    ("POST", "/api/warehouse/incominggoods-v1", "api/warehouse/incominggoods-v1", {"deliveryNoteId": "FS-9", "rows": [
        {"itemId": "A2", "receivedQuantity": 1, "orderedQuantity": 0, "backOrderQuantity": 0, "invoicedQuantity": 0,
         "takenQuantity": 0}]}),
    ("GET", "/api/warehouse/incominggoods-v1/{id}", "api/warehouse/incominggoods-v1/{goods}", None),
    ("PUT", "/api/warehouse/incominggoods-v1/{id}", "api/warehouse/incominggoods-v1/{goods}", {"deliveryNoteId": "FS-2"}),
    ("PATCH", "/api/warehouse/incominggoods-v1/{id}", "api/warehouse/incominggoods-v1/{goods}", {"note": "OK"}),
    ("GET", "/api/warehouse/incominggoods-v1/{id}", "api/warehouse/incominggoods-v1/999", None),
    ("GET", "/api/warehouse/purchaseorders-v1", "api/warehouse/purchaseorders-v1", None),
    ("POST", "/api/warehouse/purchaseorders-v1", "api/warehouse/purchaseorders-v1", {**PO_HEADER, "supplierNumber": "1"}),
    ("GET", "/api/warehouse/purchaseorders-v1/{id}", "api/warehouse/purchaseorders-v1/{po}", None),
    ("PUT", "/api/warehouse/purchaseorders-v1/{id}", "api/warehouse/purchaseorders-v1/{po}",
     {**PO_HEADER, "supplierNumber": "1", "note": "Brådskande"}),
    ("PUT", "/api/warehouse/documentdeliveries/custom/inbound-v1/{type}/{id}", f"{CUSTOM}/inbound-v1/WMS/55",
     {"date": "2026-01-05", "rows": [{"itemId": "A1", "quantity": 2}], "note": "Retur"}),
    ("GET", "/api/warehouse/documentdeliveries/custom/inbound-v1/{type}/{id}", f"{CUSTOM}/inbound-v1/WMS/1", None),
    ("PUT", "/api/warehouse/documentdeliveries/custom/outbound-v1/{type}/{id}", f"{CUSTOM}/outbound-v1/SHIP/8",
     {"date": "2026-01-05", "deliveryState": "delivery", "rows": [{"itemId": "A1", "quantity": 2}]}),
    ("GET", "/api/warehouse/documentdeliveries/custom/outbound-v1/{type}/{id}", f"{CUSTOM}/outbound-v1/SHIP/7", None),
    ("PUT", "/api/warehouse/documentdeliveries/custom/outbound-v1/{type}/{id}", f"{CUSTOM}/outbound-v1/WMS/9",
     {"date": "2026-01-05", "deliveryState": "delivery", "rows": [{"itemId": "A1", "quantity": 2}]}),
    ("GET", "/api/warehouse/documentdeliveries/custom/documenttypes-v1", f"{CUSTOM}/documenttypes-v1", None),
    ("POST", "/api/warehouse/documentdeliveries/custom/documenttypes-v1", f"{CUSTOM}/documenttypes-v1",
     {"referenceType": "PICK", "category": "OUTBOUND"}),
    ("GET", "/api/warehouse/documentdeliveries/custom/documenttypes-v1/{type}", f"{CUSTOM}/documenttypes-v1/WMS", None),
]


def test_every_response_matches_the_spec(world):
    """One world for all calls (building it per call would cost a minute); every failing call
    is reported, not just the first."""
    api, problems = world["api"], []
    for method, template, path, body in CALLS:
        path = path.format(**world)
        if path.endswith("/warehouseready"):
            api.put(f"3/orders/{world['order']}", {"Order": {"OrderRows": [{"DeliveredQuantity": 2}]}})
        response = api.client.generic(method, "/sandbox/fortnox/" + path, "" if body is None else json.dumps(body),
                                      content_type="application/json", headers=api.headers)
        if response.status_code >= 500:
            problems.append(f"{method} {path}: {response.status_code}")
            continue
        found = contract.errors_in(json.loads(response.content), method, template, response.status_code)
        problems += [f"{method} {path} ({response.status_code}): {problem}" for problem in found[:5]]
    assert not problems, "\n".join(problems)


def test_invoices_match_the_spec(world):
    api = world["api"]
    number = api.put(f"3/orders/{world['order']}/createinvoice").json()["Invoice"]["DocumentNumber"]
    contract.assert_matches(api.get("3/invoices"), "GET", "/3/invoices")
    contract.assert_matches(api.get(f"3/invoices/{number}"), "GET", "/3/invoices/{DocumentNumber}")
    contract.assert_matches(api.get("3/invoices/999"), "GET", "/3/invoices/{DocumentNumber}")
    contract.assert_list_has_meta(api.get("3/invoices"))
