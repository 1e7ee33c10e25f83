import pytest

from tests.support.sandbox_warehouse import (
    CUSTOM,
    PO_HEADER,
    article,
    incoming,
    order,
    purchase_order,
    receive,
    stock,
    warehouse_error,
)


@pytest.fixture
def goods(lager):
    article(lager, "A1")
    article(lager, "A2")
    return lager


def receipt_of(po, row_index, quantity) -> dict:
    row = po["rows"][row_index]
    return {"itemId": row["itemId"], "receivedQuantity": quantity, "purchaseOrderId": po["id"], "purchaseOrderRowId": row["id"]}


def test_the_warehouse_api_needs_the_lager_licence_and_answers_in_its_own_error_shape(classic):
    response = classic.get("api/warehouse/stockpoints-v1")
    assert response.status_code == 403 and warehouse_error(response) == "missing.rights"


def test_purchase_orders_need_lager_plus(company, connect):
    company.warehouse_licence = True
    company.save(update_fields=["warehouse_licence"])
    api = connect("warehouse supplier article")
    assert warehouse_error(api.get("api/warehouse/purchaseorders-v1")) == "missing.rights"


def test_stock_points_are_created_listed_and_found_by_code(lager):
    created = lager.post("api/warehouse/stockpoints-v1", {"code": "BUTIK", "name": "Butikslager",
                                                          "stockLocations": [{"code": "H1"}]})
    assert created.status_code == 201 and created.json()["stockLocations"][0]["stockPointId"] == created.json()["id"]
    lager.post("api/warehouse/stockpoints-v1", {"code": "GAMMAL", "name": "Gamla lagret", "active": False})
    assert [p["code"] for p in lager.get("api/warehouse/stockpoints-v1").json()] == ["BUTIK"]
    assert [p["code"] for p in lager.get("api/warehouse/stockpoints-v1", {"state": "ALL"}).json()] == ["BUTIK", "GAMMAL"]
    assert lager.get("api/warehouse/stockpoints-v1/BUTIK").json()["name"] == "Butikslager"
    assert [loc["code"] for loc in lager.get("api/warehouse/stockpoints-v1/BUTIK/stocklocations").json()] == ["H1"]


def test_a_stock_point_code_is_unique(lager):
    lager.post("api/warehouse/stockpoints-v1", {"code": "LAGER", "name": "Huvudlager"})
    again = lager.post("api/warehouse/stockpoints-v1", {"code": "LAGER", "name": "Igen"})
    assert again.status_code == 400 and warehouse_error(again) == "alreadyexists"


def test_a_stock_point_with_stock_cannot_be_deleted(goods):
    point = goods.post("api/warehouse/stockpoints-v1", {"code": "LAGER", "name": "Huvudlager"}).json()
    receive(goods, "A1", 2)
    assert goods.delete(f"api/warehouse/stockpoints-v1/{point['id']}").status_code == 400
    empty = goods.post("api/warehouse/stockpoints-v1", {"code": "TOM", "name": "Tomt"}).json()
    assert goods.delete(f"api/warehouse/stockpoints-v1/{empty['id']}").status_code == 200
    assert goods.get("api/warehouse/stockpoints-v1/TOM").status_code == 404


def test_stock_balance_filters_by_item_and_stock_point(goods):
    for code in ("LAGER", "BUTIK"):
        goods.post("api/warehouse/stockpoints-v1", {"code": code, "name": code.title()})
    receive(goods, "A1", 4, document_id="1", stock_point_code="LAGER")
    receive(goods, "A1", 1, document_id="2", stock_point_code="BUTIK")
    receive(goods, "A2", 7, document_id="3")
    balance = goods.get("api/warehouse/status-v1/stockbalance", {"itemIds": "A1", "stockPointCodes": "BUTIK"}).json()
    assert balance == [{"itemId": "A1", "stockPointCode": "BUTIK", "inStock": 1, "availableStock": 1}]
    assert stock(goods, "A1") == 5
    assert len(goods.get("api/warehouse/status-v1/stockbalance").json()) == 3


def test_stock_cannot_go_to_an_unknown_stock_point(goods):
    path = f"{CUSTOM}/inbound-v1/WMS/1"
    goods.put(path, {"date": "2026-01-05", "rows": [{"itemId": "A1", "quantity": 1, "stockPointCode": "NOPE"}]})
    assert warehouse_error(goods.put(path + "/release")) == "validation"
    assert stock(goods, "A1") == 0


def test_releasing_incoming_goods_adds_stock_and_voiding_takes_it_back(goods):
    document = incoming(goods, [{"itemId": "A1", "receivedQuantity": 6}])
    assert document["released"] is False and stock(goods, "A1") == 0
    assert goods.put(f"api/warehouse/incominggoods-v1/{document['id']}/release").status_code == 204
    assert stock(goods, "A1") == 6
    assert goods.put(f"api/warehouse/incominggoods-v1/{document['id']}/void").status_code == 204
    assert stock(goods, "A1") == 0
    again = goods.put(f"api/warehouse/incominggoods-v1/{document['id']}/void")
    assert warehouse_error(again) == "document_is_voided"


def test_released_incoming_goods_cannot_be_replaced_but_their_note_can_be_patched(goods):
    document = incoming(goods, [{"itemId": "A1", "receivedQuantity": 1}])
    goods.put(f"api/warehouse/incominggoods-v1/{document['id']}/release")
    replaced = goods.put(f"api/warehouse/incominggoods-v1/{document['id']}", {"deliveryNoteId": "X", "rows": []})
    assert warehouse_error(replaced) == "cannot_modify_released_document"
    patched = goods.client.patch(f"/sandbox/fortnox/api/warehouse/incominggoods-v1/{document['id']}", {"note": "Skadad kartong"},
                                 content_type="application/json", headers=goods.headers)
    assert patched.json()["note"] == "Skadad kartong"


def test_completed_needs_a_released_document_and_then_forbids_void(goods):
    document = incoming(goods, [{"itemId": "A1", "receivedQuantity": 1}])
    path = f"api/warehouse/incominggoods-v1/{document['id']}"
    assert goods.put(path + "/completed", "2026-01-31").status_code == 400
    goods.put(path + "/release")
    assert goods.put(path + "/completed", "2026-01-31").status_code == 204
    assert warehouse_error(goods.put(path + "/void")) == "document_is_completed"


def test_incoming_goods_list_filters(goods):
    released = incoming(goods, [{"itemId": "A1", "receivedQuantity": 1}], note="Pall 1")
    goods.put(f"api/warehouse/incominggoods-v1/{released['id']}/release")
    open_one = incoming(goods, [{"itemId": "A2", "receivedQuantity": 1}])

    def ids(**params):
        return [d["id"] for d in goods.get("api/warehouse/incominggoods-v1", params).json()]

    assert ids(released="true") == [released["id"]]
    assert ids(released="false") == [open_one["id"]]
    assert ids(itemId="A2") == [open_one["id"]]
    assert ids(note="pall") == [released["id"]]
    assert goods.get("api/warehouse/incominggoods-v1", {"released": "ja"}).status_code == 400


def test_a_purchase_order_starts_not_sent_and_send_makes_it_sent(goods):
    po = purchase_order(goods)
    assert (po["purchaseOrderState"], po["purchaseType"], po["supplierName"]) == ("NOT_SENT", "WAREHOUSE", "Järnia Grossist AB")
    assert po["rows"][0]["remainingOrderedQuantity"] == 10 and po["orderValue"] == 200
    assert goods.client.post(f"/sandbox/fortnox/api/warehouse/purchaseorders-v1/{po['id']}/send", {"receiver": "a@b.se"},
                             content_type="application/json", headers=goods.headers).status_code == 204
    assert goods.get(f"api/warehouse/purchaseorders-v1/{po['id']}").json()["purchaseOrderState"] == "SENT"


def test_a_purchase_order_needs_its_required_fields_and_a_known_supplier(goods):
    response = goods.post("api/warehouse/purchaseorders-v1", {"supplierNumber": "1"})
    assert response.status_code == 400 and "orderDate" in response.json()["message"]
    unknown = goods.post("api/warehouse/purchaseorders-v1", {**PO_HEADER, "supplierNumber": "404"})
    assert unknown.status_code == 400


def test_receiving_part_keeps_the_state_and_receiving_all_makes_it_received(goods):
    po = purchase_order(goods, quantities=(10, 4))
    first = incoming(goods, [receipt_of(po, 0, 6)])
    goods.put(f"api/warehouse/incominggoods-v1/{first['id']}/release")
    partly = goods.get(f"api/warehouse/purchaseorders-v1/{po['id']}").json()
    assert partly["purchaseOrderState"] == "NOT_SENT" and partly["totalReceivedQuantity"] == 6
    assert partly["rows"][0]["remainingOrderedQuantity"] == 4
    rest = incoming(goods, [receipt_of(po, 0, 4), receipt_of(po, 1, 4)])
    goods.put(f"api/warehouse/incominggoods-v1/{rest['id']}/release")
    assert goods.get(f"api/warehouse/purchaseorders-v1/{po['id']}").json()["purchaseOrderState"] == "RECEIVED"
    assert stock(goods, "A1") == 10 and stock(goods, "A2") == 4
    goods.put(f"api/warehouse/incominggoods-v1/{rest['id']}/void")
    reopened = goods.get(f"api/warehouse/purchaseorders-v1/{po['id']}").json()
    assert reopened["purchaseOrderState"] == "NOT_SENT" and reopened["totalReceivedQuantity"] == 6


def test_an_incoming_row_must_reference_a_real_purchase_order_row(goods):
    po = purchase_order(goods)
    response = goods.post("api/warehouse/incominggoods-v1", {"deliveryNoteId": "FS-1", "rows": [
        {**receipt_of(po, 0, 1), "purchaseOrderRowId": "00000000-0000-0000-0000-000000000000", "orderedQuantity": 0,
         "backOrderQuantity": 0, "invoicedQuantity": 0, "takenQuantity": 0}]})
    assert response.status_code == 400


def test_complete_closes_a_purchase_order_whatever_is_left(goods):
    po = purchase_order(goods)
    assert goods.put(f"api/warehouse/purchaseorders-v1/{po['id']}/complete").status_code == 204
    closed = goods.get(f"api/warehouse/purchaseorders-v1/{po['id']}").json()
    assert closed["purchaseOrderState"] == "RECEIVED" and closed["manuallyCompleted"] is True
    assert goods.put(f"api/warehouse/purchaseorders-v1/{po['id']}", {**PO_HEADER, "supplierNumber": "1"}).status_code == 400


def test_purchase_order_list_filters_by_state_and_type(goods):
    warehouse = purchase_order(goods)
    dropship = purchase_order(goods, purchaseType="DROPSHIP")
    goods.put(f"api/warehouse/purchaseorders-v1/{warehouse['id']}/complete")

    def ids(**params):
        return [po["id"] for po in goods.get("api/warehouse/purchaseorders-v1", params).json()]

    assert ids() == [warehouse["id"], dropship["id"]]
    assert ids(state="CURRENT") == [dropship["id"]]
    assert ids(state="RECEIVED") == [warehouse["id"]]
    assert ids(purchaseType="DROPSHIP") == [dropship["id"]]
    assert ids(itemId="A1") == [warehouse["id"], dropship["id"]]


def test_a_custom_inbound_document_is_created_by_put_released_and_voided(goods):
    path = f"{CUSTOM}/inbound-v1/wms/1001"
    created = goods.put(path, {"date": "2026-01-05", "rows": [{"itemId": "A1", "quantity": 3}]})
    assert created.status_code == 200 and created.json()["type"] == "WMS"
    assert goods.get(f"{CUSTOM}/documenttypes-v1/WMS").json() == {"referenceType": "WMS", "category": "INBOUND"}
    replaced = goods.put(path, {"date": "2026-01-05", "rows": [{"itemId": "A1", "quantity": 4}]})
    assert replaced.json()["rows"][0]["quantity"] == 4
    assert goods.put(path + "/release").status_code == 204 and stock(goods, "A1") == 4
    locked = goods.put(path, {"date": "2026-01-05", "rows": [{"itemId": "A1", "quantity": 9}]})
    assert warehouse_error(locked) == "cannot_modify_released_document"
    assert goods.put(path + "/void").status_code == 204 and stock(goods, "A1") == 0


def test_a_type_registered_for_one_direction_is_refused_in_the_other(goods):
    goods.put(f"{CUSTOM}/inbound-v1/RETUR/1", {"date": "2026-01-05", "rows": [{"itemId": "A1", "quantity": 1}]})
    response = goods.put(f"{CUSTOM}/outbound-v1/retur/2", {"date": "2026-01-05", "deliveryState": "delivery",
                                                          "rows": [{"itemId": "A1", "quantity": 1}]})
    assert warehouse_error(response) == "referenceTypeNotAllowed"


def test_reserved_type_names_are_rejected(goods):
    response = goods.put(f"{CUSTOM}/inbound-v1/order/1", {"date": "2026-01-05", "rows": [{"itemId": "A1", "quantity": 1}]})
    assert warehouse_error(response) == "referenceTypeNotAllowed"


def test_a_custom_outbound_release_takes_stock_but_never_below_zero(goods):
    receive(goods, "A1", 5)
    body = {"date": "2026-01-06", "deliveryState": "delivery",
            "rows": [{"itemId": "A1", "quantity": 2}, {"itemId": "A2", "quantity": 1}]}
    goods.put(f"{CUSTOM}/outbound-v1/SHIP/1", body)
    assert goods.put(f"{CUSTOM}/outbound-v1/SHIP/1/release").status_code == 204
    released = goods.get(f"{CUSTOM}/outbound-v1/SHIP/1").json()
    assert [row["deliveredQuantity"] for row in released["rows"]] == [2, 0]
    assert stock(goods, "A1") == 3 and stock(goods, "A2") == 0
    goods.put(f"{CUSTOM}/outbound-v1/SHIP/1/void?force=true")
    assert stock(goods, "A1") == 5


def test_document_types_are_listed_and_post_says_whether_it_created_one(goods):
    assert goods.post(f"{CUSTOM}/documenttypes-v1", {"referenceType": "wms", "category": "INBOUND"}).json() == 1
    assert goods.post(f"{CUSTOM}/documenttypes-v1", {"referenceType": "WMS", "category": "INBOUND"}).json() == 0
    assert goods.get(f"{CUSTOM}/documenttypes-v1").json() == [{"referenceType": "WMS", "category": "INBOUND"}]
    assert goods.get(f"{CUSTOM}/documenttypes-v1/NOPE").status_code == 404


def test_stock_balance_and_order_list_queries_do_not_grow_with_the_data(lager, django_assert_max_num_queries):
    for index in range(15):
        article(lager, f"B{index}")
        order(lager, [{"ArticleNumber": f"B{index}", "OrderedQuantity": 1}], DeliveryState="reservation")
    with django_assert_max_num_queries(12):
        assert len(lager.get("api/warehouse/status-v1/stockbalance").json()) == 15
    with django_assert_max_num_queries(12):
        assert len(lager.get("3/orders").json()["Orders"]) == 15


def test_the_warehouse_api_needs_the_warehouse_scope(lager, connect):
    response = connect("article order").get("api/warehouse/stockpoints-v1")
    assert warehouse_error(response) == "missing.rights"
