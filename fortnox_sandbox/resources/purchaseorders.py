"""Purchase orders `/api/warehouse/purchaseorders-v1` (scope `warehouse`, Lager + Lager+),
API-FACTS §9.

State rules (UNCONFIRMED in Fortnox; the sandbox's choice): a new order is NOT_SENT, `send`
makes it SENT. Goods are received through incoming-goods rows that name `purchaseOrderId` and
`purchaseOrderRowId`: releasing that document adds the received quantity to the row
(`receivedQuantity` up, `remainingOrderedQuantity` down, never below 0). When every row has
nothing left the order is RECEIVED; a partly received order keeps its state (NOT_SENT/SENT)
and shows the progress in `totalReceivedQuantity`. Voiding the incoming goods takes the
receipt back and reopens the order. `complete` closes an order as RECEIVED whatever is left
(`manuallyCompleted`). Orders with receipts cannot be changed or voided. Filter states:
CURRENT = neither RECEIVED nor VOIDED, DELAYED = current with a passed delivery date,
SENT_NOT_REJECTED = SENT unless the supplier's response is REJECTED, ALL = every order (the
default)."""

import uuid

from django.db import transaction

from ..api import Family
from ..errors import WAREHOUSE, WarehouseError
from ..models import Module
from ..registers import no_content
from ..warehouse_documents import body_of, not_found, required, shown
from .invoices import today

family = Family(scope="warehouse", modules=(Module.PURCHASE_ORDERS,), style=WAREHOUSE)
PURCHASE_ORDERS = "purchaseorders"
READ_ONLY = frozenset({"id", "purchaseOrderState", "totalReceivedQuantity", "manuallyCompleted", "voided", "orderValue",
                       "orderValueInSEK", "translatedResponseState", "dropship"})
REQUIRED = ("supplierNumber", "orderDate", "currencyCode", "currencyRate", "paymentTermsCode", "deliveryName",
            "deliveryAddress", "deliveryZipCode", "deliveryCity")
CLOSED = ("RECEIVED", "VOIDED")


def current(doc: dict) -> bool:
    return doc["purchaseOrderState"] not in CLOSED


STATE_FILTERS = {
    "ALL": lambda doc: True,
    "CURRENT": current,
    "DELAYED": lambda doc: current(doc) and bool(doc.get("deliveryDate")) and doc["deliveryDate"] < today().isoformat(),
    "SENT_NOT_REJECTED": lambda doc: doc["purchaseOrderState"] == "SENT" and doc.get("responseState") != "REJECTED",
}
SEARCH = {"supplierNumber": "supplierNumber", "purchaseType": "purchaseType", "internalReference": "internalReference",
          "note": "note"}


def find(call, purchase_order_id) -> object:
    record = call.store(PURCHASE_ORDERS).get(str(purchase_order_id))
    if record is None:
        raise not_found(f"Inköpsorder {purchase_order_id}")
    return record


@family.route("api/warehouse/purchaseorders-v1", "GET", "POST")
def purchase_order_list(call):
    if call.request.method == "POST":
        number = str(call.company.next_number(PURCHASE_ORDERS))
        document = checked(call, body_of(call, "warehouse_PurchaseOrder", READ_ONLY), number, {
            "purchaseOrderState": "NOT_SENT", "responseState": "NOT_SENT", "purchaseType": "WAREHOUSE",
            "voided": False, "manuallyCompleted": False,
        })
        call.store(PURCHASE_ORDERS).create(number, document)
        return call.respond(shown(document), status=201)
    params = call.request.GET
    state = params.get("state", "ALL").upper()
    matches = STATE_FILTERS.get(state, lambda doc: doc["purchaseOrderState"] == state)
    documents = [record.document for record in call.store(PURCHASE_ORDERS).records()]
    documents = [doc for doc in documents if matches(doc) and all(
        params[name].casefold() in str(doc.get(field_name) or "").casefold()
        for name, field_name in SEARCH.items() if params.get(name))]
    if params.get("itemId"):
        documents = [doc for doc in documents if any(row["itemId"] == params["itemId"] for row in doc["rows"])]
    if params.get("q"):
        needle = params["q"].casefold()
        documents = [doc for doc in documents if needle in f"{doc['id']} {doc.get('supplierName')} {doc.get('note')}".casefold()]
    return call.respond([shown(doc) for doc in sorted(documents, key=lambda doc: doc["id"])])


def checked(call, body: dict, number: str, base: dict) -> dict:
    required(body, *REQUIRED)
    if body.get("purchaseType", base.get("purchaseType")) not in ("WAREHOUSE", "DROPSHIP"):
        raise WarehouseError("validation", "purchaseType måste vara WAREHOUSE eller DROPSHIP.")
    supplier = call.store("suppliers").get(body["supplierNumber"])
    if supplier is None:
        raise WarehouseError("validation", f"Leverantören {body['supplierNumber']} finns inte.")
    rows = [purchase_row(call, row, index, number) for index, row in enumerate(body.get("rows") or [])]
    document = {**base, **body, "id": int(number), "rows": rows, "supplierName": body.get("supplierName") or supplier.document["Name"]}
    document["dropship"] = document["purchaseType"] == "DROPSHIP"
    document["orderValue"] = round(sum(row["orderedQuantity"] * (row.get("price") or 0) for row in rows), 2)
    document["orderValueInSEK"] = round(document["orderValue"] * document["currencyRate"], 2)
    return with_progress(document)


def purchase_row(call, row: dict, index: int, number: str) -> dict:
    required(row, "itemId", "orderedQuantity")
    article = call.store("articles").get(row["itemId"])
    if article is None:
        raise WarehouseError("validation", f"Artikeln {row['itemId']} finns inte.")
    return {
        "currencyCode": "SEK", "itemDescription": article.document.get("Description"),
        "itemUnit": article.document.get("Unit"), "isStockItem": bool(article.document.get("StockGoods")),
        **row, "id": row.get("id") or str(uuid.uuid4()), "rowNum": index + 1, "purchaseOrderId": int(number),
        "receivedQuantity": 0, "backOrderQuantity": 0,
    }


def with_progress(document: dict) -> dict:
    for row in document["rows"]:
        row["remainingOrderedQuantity"] = max(0, row["orderedQuantity"] - row["receivedQuantity"])
    document["totalReceivedQuantity"] = sum(row["receivedQuantity"] for row in document["rows"])
    return document


@family.route("api/warehouse/purchaseorders-v1/<int:purchase_order_id>", "GET", "PUT")
def purchase_order_detail(call, purchase_order_id):
    record = find(call, purchase_order_id)
    if call.request.method == "PUT":
        refuse_received(record.document)
        base = {key: value for key, value in record.document.items() if key in READ_ONLY | {"responseState", "purchaseType"}}
        document = checked(call, body_of(call, "warehouse_PurchaseOrder", READ_ONLY), record.key, base)
        call.store(PURCHASE_ORDERS).update(record, document)
    return call.respond(shown(record.document))


def refuse_received(document: dict):
    if not current(document) or document["totalReceivedQuantity"]:
        raise WarehouseError("cannot_modify_received_purchase_order",
                             "Inköpsordern har inleveranser, är mottagen eller makulerad och kan inte ändras.")


@family.route("api/warehouse/purchaseorders-v1/<int:purchase_order_id>/send", "POST")
def send(call, purchase_order_id):
    return do_set_state(call, purchase_order_id, "SENT", responseState="SENT")


@family.route("api/warehouse/purchaseorders-v1/<int:purchase_order_id>/complete", "PUT")
def complete(call, purchase_order_id):
    return do_set_state(call, purchase_order_id, "RECEIVED", manuallyCompleted=True)


@family.route("api/warehouse/purchaseorders-v1/<int:purchase_order_id>/void", "PUT")
def void(call, purchase_order_id):
    refuse_received(find(call, purchase_order_id).document)
    return do_set_state(call, purchase_order_id, "VOIDED", voided=True)


def do_set_state(call, purchase_order_id, state: str, **changes):
    record = find(call, purchase_order_id)
    if not current(record.document):
        raise WarehouseError("purchase_order_closed", f"Inköpsordern är redan {record.document['purchaseOrderState']}.")
    call.store(PURCHASE_ORDERS).update(record, {**record.document, **changes, "purchaseOrderState": state})
    return no_content()


def ordered_row(call, row: dict) -> dict | None:
    """The purchase order row an incoming-goods row receives into (None when it names none)."""
    if not row.get("purchaseOrderId"):
        return None
    target = next((line for line in find(call, row["purchaseOrderId"]).document["rows"]
                   if line["id"] == row.get("purchaseOrderRowId")), None)
    if target is None:
        raise WarehouseError("validation", f"Inköpsorderraden {row.get('purchaseOrderRowId')} finns inte på "
                                           f"inköpsorder {row['purchaseOrderId']}.")
    return target


@transaction.atomic
def do_receive(call, rows: list[dict], sign: int = 1):
    """Adds (sign 1) or takes back (sign -1) incoming-goods rows' received quantities on the
    purchase order rows they reference, and moves the orders' state."""
    store = call.store(PURCHASE_ORDERS)
    for row in rows:
        if not row.get("purchaseOrderId"):
            continue
        record = find(call, row["purchaseOrderId"])
        document = record.document
        target = next(line for line in document["rows"] if line["id"] == row["purchaseOrderRowId"])
        target["receivedQuantity"] = max(0, target["receivedQuantity"] + sign * row["receivedQuantity"])
        document = with_progress(document)
        fully = all(line["remainingOrderedQuantity"] == 0 for line in document["rows"])
        if fully and current(document):
            document = {**document, "_openState": document["purchaseOrderState"], "purchaseOrderState": "RECEIVED"}
        elif not fully and document["purchaseOrderState"] == "RECEIVED" and not document["manuallyCompleted"]:
            document = {**document, "purchaseOrderState": document.get("_openState", "SENT")}
        store.update(record, document)
