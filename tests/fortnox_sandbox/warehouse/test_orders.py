from datetime import timedelta

from django.utils import timezone

from tests.support.sandbox_api import error_code
from tests.support.sandbox_warehouse import article, customer, order, receive, stock

ROW = {"ArticleNumber": "A1", "OrderedQuantity": 5, "Price": 100}


def rows_of(response):
    assert response.status_code == 200, response.content
    return response.json()["Order"]["OrderRows"]


def test_a_new_order_copies_the_customer_and_starts_open(classic):
    article(classic, "A1")
    number = customer(classic, Name="Hemköp Mölndal", City="Mölndal", Type="COMPANY")["CustomerNumber"]
    created = order(classic, [ROW], CustomerNumber=number)
    assert (created["CustomerName"], created["City"]) == ("Hemköp Mölndal", "Mölndal")
    assert created["DeliveryState"] == "delivery" and created["OrderType"] == "Order"
    assert created["InvoiceReference"] == "0" and created["Cancelled"] is False and created["Sent"] is False
    assert created["OrderRows"][0]["Description"] == "Artikel A1"


def test_without_lager_a_new_order_delivers_nothing_yet_and_is_warehouse_ready_as_live(classic):
    article(classic, "A1")
    created = order(classic, [ROW, {**ROW, "OrderedQuantity": 2}])
    assert [(row["DeliveredQuantity"], row["Total"]) for row in created["OrderRows"]] == [("0", 0), ("0", 0)]
    assert created["Total"] == 0
    assert created["WarehouseReady"] is True and created["OutboundDate"] == created["OrderDate"]


def test_totals_follow_the_delivered_quantity_and_a_ready_order_without_lager_can_still_be_delivered(classic):
    article(classic, "A1")
    number = order(classic, [ROW])["DocumentNumber"]
    row_id = classic.get(f"3/orders/{number}").json()["Order"]["OrderRows"][0]["RowId"]
    updated = classic.put(f"3/orders/{number}", {"Order": {"OrderRows": [{"RowId": row_id, "DeliveredQuantity": 3}]}})
    assert rows_of(updated)[0]["DeliveredQuantity"] == "3" and rows_of(updated)[0]["Total"] == 300
    assert updated.json()["Order"]["Total"] == 375.0


def test_an_order_needs_an_existing_customer_and_article(classic):
    article(classic, "A1")
    assert error_code(classic.post("3/orders", {"Order": {"OrderRows": [ROW]}})) > 0
    assert classic.post("3/orders", {"Order": {"CustomerNumber": "404", "OrderRows": [ROW]}}).status_code == 400
    unknown_row = {"Order": {"CustomerNumber": customer(classic)["CustomerNumber"], "OrderRows": [{"ArticleNumber": "NOPE"}]}}
    assert error_code(classic.post("3/orders", unknown_row)) == 2000428


def test_an_unknown_order_is_a_404_with_capitalised_keys(classic):
    response = classic.get("3/orders/123456789")
    assert response.status_code == 404
    assert response.json() == {"ErrorInformation": {"Error": 1, "Message": "Kan inte hitta ordern.", "Code": 2000439}}


def test_row_ids_are_regenerated_on_every_update(classic):
    article(classic, "A1")
    created = order(classic, [ROW])
    first_id = created["OrderRows"][0]["RowId"]
    after_put = rows_of(classic.put(f"3/orders/{created['DocumentNumber']}", {"Order": {"Remarks": "Ring innan"}}))
    assert after_put[0]["RowId"] != first_id
    again = rows_of(classic.put(f"3/orders/{created['DocumentNumber']}", {"Order": {"Remarks": "Igen"}}))
    assert again[0]["RowId"] not in (first_id, after_put[0]["RowId"])


def test_rows_with_row_ids_are_updated_new_rows_added_and_omitted_rows_deleted(classic):
    article(classic, "A1")
    article(classic, "A2")
    created = order(classic, [ROW, {**ROW, "ArticleNumber": "A2"}])
    keep = created["OrderRows"][0]["RowId"]
    rows = rows_of(classic.put(f"3/orders/{created['DocumentNumber']}", {"Order": {"OrderRows": [
        {"RowId": keep}, {"ArticleNumber": "A2", "OrderedQuantity": 1, "Price": 10}]}}))
    assert [(r["ArticleNumber"], r["OrderedQuantity"]) for r in rows] == [("A1", "5"), ("A2", "1")]


def test_an_unknown_row_id_is_refused(classic):
    article(classic, "A1")
    created = order(classic, [ROW])
    response = classic.put(f"3/orders/{created['DocumentNumber']}", {"Order": {"OrderRows": [{"RowId": 999999}]}})
    assert response.status_code == 400


def test_rows_without_row_ids_replace_the_list_by_position(classic):
    article(classic, "A1")
    article(classic, "A2")
    created = order(classic, [ROW, {**ROW, "ArticleNumber": "A2"}])
    rows = rows_of(classic.put(f"3/orders/{created['DocumentNumber']}", {"Order": {"OrderRows": [{"OrderedQuantity": 2}]}}))
    assert [(r["ArticleNumber"], r["OrderedQuantity"]) for r in rows] == [("A1", "2")]


def test_without_lager_a_delivery_moves_no_stock(classic):
    article(classic, "A1", QuantityInStock=1)
    created = order(classic, [{**ROW, "DeliveredQuantity": 5}])
    assert created["OrderRows"][0]["DeliveredQuantity"] == "5"
    assert stock(classic, "A1") == 1


def test_with_lager_a_delivery_takes_stock_when_saved(lager):
    article(lager, "A1")
    receive(lager, "A1", 10)
    created = order(lager, [ROW])
    assert created["OrderRows"][0]["DeliveredQuantity"] == "5"
    assert stock(lager, "A1") == 5
    updated = lager.put(f"3/orders/{created['DocumentNumber']}", {"Order": {"OrderRows": [{"DeliveredQuantity": 2}]}})
    assert rows_of(updated)[0]["DeliveredQuantity"] == "2"
    assert stock(lager, "A1") == 8


def test_with_lager_and_no_negative_stock_a_delivery_beyond_stock_is_forced_to_zero(lager):
    article(lager, "A1")
    receive(lager, "A1", 3)
    created = order(lager, [ROW])
    assert created["OrderRows"][0]["DeliveredQuantity"] == "0"
    assert stock(lager, "A1") == 3


def test_with_negative_stock_allowed_the_delivery_goes_below_zero(lager, company):
    company.negative_stock_allowed = True
    company.save(update_fields=["negative_stock_allowed"])
    article(lager, "A1")
    order(lager, [ROW])
    assert stock(lager, "A1") == -5


def test_with_lager_delivered_quantity_can_only_change_in_delivery_state(lager):
    article(lager, "A1")
    receive(lager, "A1", 10)
    created = order(lager, [ROW], DeliveryState="registration")
    assert created["OrderRows"][0]["DeliveredQuantity"] == "0"
    number = created["DocumentNumber"]
    refused = lager.put(f"3/orders/{number}", {"Order": {"OrderRows": [{"DeliveredQuantity": 3}]}})
    assert refused.status_code == 400 and "leveransstatus" in refused.json()["ErrorInformation"]["message"]
    allowed = lager.put(f"3/orders/{number}", {"Order": {"DeliveryState": "delivery", "OrderRows": [{"DeliveredQuantity": 3}]}})
    assert rows_of(allowed)[0]["DeliveredQuantity"] == "3"


def test_a_reservation_reserves_the_ordered_quantity(lager):
    article(lager, "A1")
    receive(lager, "A1", 10)
    order(lager, [ROW], DeliveryState="reservation")
    assert lager.get("3/articles/A1").json()["Article"]["ReservedQuantity"] == 5
    balance = lager.get("api/warehouse/status-v1/stockbalance", {"itemIds": "A1"}).json()
    assert balance == [{"itemId": "A1", "stockPointCode": "LAGER", "inStock": 10, "availableStock": 5}]


def test_cancelling_gives_the_stock_back_and_locks_the_order(lager):
    article(lager, "A1")
    receive(lager, "A1", 10)
    number = order(lager, [ROW])["DocumentNumber"]
    cancelled = lager.put(f"3/orders/{number}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["Order"]["Cancelled"] is True
    assert stock(lager, "A1") == 10
    assert lager.put(f"3/orders/{number}/cancel").status_code == 400
    assert lager.put(f"3/orders/{number}", {"Order": {"Remarks": "x"}}).status_code == 400


def test_createinvoice_invoices_the_delivered_quantity_and_makes_a_back_order(classic):
    article(classic, "A1")
    number = order(classic, [{**ROW, "DeliveredQuantity": 3}])["DocumentNumber"]
    response = classic.put(f"3/orders/{number}/createinvoice")
    assert response.status_code == 200
    invoice = response.json()["Invoice"]
    assert invoice["OrderReference"] == number and invoice["InvoiceRows"][0]["DeliveredQuantity"] == "3"
    assert invoice["Total"] == 375.0
    assert classic.get(f"3/orders/{number}").json()["Order"]["InvoiceReference"] == invoice["DocumentNumber"]
    assert classic.get(f"3/invoices/{invoice['DocumentNumber']}").status_code == 200
    back_orders = classic.get("3/orders", {"ordertype": "Backorder"}).json()["Orders"]
    assert len(back_orders) == 1
    assert [o["DocumentNumber"] for o in classic.get("3/orders", {"ordertype": "Order"}).json()["Orders"]] == [number]
    back_order = classic.get(f"3/orders/{back_orders[0]['DocumentNumber']}").json()["Order"]
    assert (back_order["OrderRows"][0]["OrderedQuantity"], back_order["CustomerNumber"]) == ("2", "1")


def test_no_back_order_when_the_company_switched_back_orders_off(classic, company):
    company.back_orders_allowed = False
    company.save(update_fields=["back_orders_allowed"])
    article(classic, "A1")
    number = order(classic, [{**ROW, "DeliveredQuantity": 3}])["DocumentNumber"]
    assert classic.put(f"3/orders/{number}/createinvoice").status_code == 200
    assert classic.get("3/orders", {"ordertype": "Backorder"}).json()["Orders"] == []


def test_a_second_createinvoice_is_refused_and_an_invoiced_order_is_locked(classic):
    article(classic, "A1")
    number = order(classic, [ROW])["DocumentNumber"]
    assert classic.put(f"3/orders/{number}/createinvoice").status_code == 200
    again = classic.put(f"3/orders/{number}/createinvoice")
    assert again.status_code == 400 and "redan fakturerad" in again.json()["ErrorInformation"]["message"]
    assert classic.put(f"3/orders/{number}", {"Order": {"Remarks": "x"}}).status_code == 400
    assert classic.put(f"3/orders/{number}/cancel").status_code == 400


def test_warehouseready_needs_delivery_state_and_then_locks_the_rows(lager):
    article(lager, "A1")
    receive(lager, "A1", 10)
    number = order(lager, [ROW], DeliveryState="reservation")["DocumentNumber"]
    assert lager.put(f"3/orders/{number}/warehouseready").status_code == 400
    lager.put(f"3/orders/{number}", {"Order": {"DeliveryState": "delivery", "OrderRows": [{"DeliveredQuantity": 5}]}})
    ready = lager.put(f"3/orders/{number}/warehouseready").json()["Order"]
    assert ready["WarehouseReady"] is True and ready["OutboundDate"]
    assert lager.put(f"3/orders/{number}", {"Order": {"OrderRows": [{"DeliveredQuantity": 1}]}}).status_code == 400
    assert lager.put(f"3/orders/{number}", {"Order": {"Remarks": "Lämnas vid porten"}}).status_code == 200


def test_warehouseready_without_the_warehouse_module_is_refused(classic):
    article(classic, "A1")
    number = order(classic, [ROW])["DocumentNumber"]
    assert classic.put(f"3/orders/{number}/warehouseready").status_code == 400


def test_externalprint_marks_the_order_sent(classic):
    article(classic, "A1")
    number = order(classic, [ROW])["DocumentNumber"]
    assert classic.put(f"3/orders/{number}/externalprint").json()["Order"]["Sent"] is True
    assert [o["DocumentNumber"] for o in classic.get("3/orders", {"sent": "true"}).json()["Orders"]] == [number]


def test_order_filters(classic):
    article(classic, "A1")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    cancelled = order(classic, [ROW])["DocumentNumber"]
    classic.put(f"3/orders/{cancelled}/cancel")
    invoiced = order(classic, [{**ROW, "DeliveredQuantity": 5}])["DocumentNumber"]
    classic.put(f"3/orders/{invoiced}/createinvoice")
    expired = order(classic, [ROW], DeliveryDate=yesterday)["DocumentNumber"]
    unfinished = order(classic, [ROW], NotCompleted=True)["DocumentNumber"]

    def numbers(**params):
        return [o["DocumentNumber"] for o in classic.get("3/orders", params).json()["Orders"]]

    assert numbers(filter="cancelled") == [cancelled]
    assert numbers(filter="invoicecreated") == [invoiced]
    assert numbers(filter="invoicenotcreated") == [expired, unfinished]
    assert numbers(filter="expired") == [expired]
    assert numbers(notcompleted="true") == [unfinished]
    assert error_code(classic.get("3/orders", {"filter": "doesntexist"})) == 2000587
    assert classic.get("3/orders", {"filter": "doesntexist"}).json()["ErrorInformation"]["message"] == \
        "Ett ogiltigt filter har använts."
    assert error_code(classic.get("3/orders", {"notcompleted": "kanske"})) == 2000588
