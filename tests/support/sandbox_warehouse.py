"""Building blocks for the sandbox's warehouse families' tests: records made through the API itself."""

from .sandbox_api import error_code  # noqa: F401 (the warehouse families read error codes too)

CUSTOM = "api/warehouse/documentdeliveries/custom"
PO_HEADER = {"orderDate": "2026-01-05", "currencyCode": "SEK", "currencyRate": 1, "paymentTermsCode": "30",
             "deliveryName": "Sandlådan AB", "deliveryAddress": "Storgatan 1", "deliveryZipCode": "11122",
             "deliveryCity": "Stockholm"}


def created(response, wrapper=None) -> dict:
    assert response.status_code == 201, response.content
    body = response.json()
    return body[wrapper] if wrapper else body


def customer(api, **fields) -> dict:
    return created(api.post("3/customers", {"Customer": {"Name": "Hemköp Mölndal", **fields}}), "Customer")


def supplier(api, **fields) -> dict:
    return created(api.post("3/suppliers", {"Supplier": {"Name": "Järnia Grossist AB", **fields}}), "Supplier")


def article(api, number, **fields) -> dict:
    body = {"ArticleNumber": number, "Description": f"Artikel {number}", "StockGoods": True, **fields}
    return created(api.post("3/articles", {"Article": body}), "Article")


def order(api, rows, **fields) -> dict:
    body = {"CustomerNumber": fields.pop("CustomerNumber", None) or customer(api)["CustomerNumber"],
            "OrderRows": rows, **fields}
    return created(api.post("3/orders", {"Order": body}), "Order")


def receive(api, item_id, quantity, document_id="1", stock_point_code=None):
    """Puts stock in through a released custom inbound document (the Lager way)."""
    row = {"itemId": item_id, "quantity": quantity, **({"stockPointCode": stock_point_code} if stock_point_code else {})}
    path = f"api/warehouse/documentdeliveries/custom/inbound-v1/WMS/{document_id}"
    assert api.put(path, {"date": "2026-01-05", "rows": [row]}).status_code == 200
    assert api.put(path + "/release").status_code == 204


def stock(api, item_id) -> float:
    return api.get(f"3/articles/{item_id}").json()["Article"]["QuantityInStock"]


def warehouse_error(response) -> str:
    body = response.json()
    assert set(body) == {"error", "message", "id"}, body
    return body["error"]


def purchase_order(api, quantities=(10,), **fields) -> dict:
    number = supplier(api)["SupplierNumber"]
    rows = [{"itemId": f"A{index + 1}", "orderedQuantity": quantity, "currencyCode": "SEK", "price": 20,
             "remainingOrderedQuantity": quantity} for index, quantity in enumerate(quantities)]
    response = api.post("api/warehouse/purchaseorders-v1", {**PO_HEADER, "supplierNumber": number, "rows": rows, **fields})
    assert response.status_code == 201, response.content
    return response.json()


def incoming(api, rows, **fields) -> dict:
    response = api.post("api/warehouse/incominggoods-v1", {"deliveryNoteId": "FS-1001", **fields, "rows": [
        {"orderedQuantity": 0, "backOrderQuantity": 0, "invoicedQuantity": 0, "takenQuantity": 0, **row} for row in rows]})
    assert response.status_code == 201, response.content
    return response.json()
