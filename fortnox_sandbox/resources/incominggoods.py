"""Incoming goods `/api/warehouse/incominggoods-v1` (scope `warehouse`, Lager), API-FACTS §9.

`release` adds each stock row's `receivedQuantity` to stock (at the row's stock point, else
the document's, else the default) and receives into the purchase order rows referenced
(see `purchaseorders.py`); `void` undoes both; `completed` needs a released document and
forbids `void` afterwards. A released document cannot be replaced with PUT."""

import uuid

from django.db import transaction

from ..api import Family
from ..errors import WAREHOUSE, WarehouseError
from ..registers import no_content
from ..warehouse_documents import (
    body_of,
    book,
    flag_filters,
    not_found,
    refuse_changes,
    required,
    shown,
    stock_point_code,
    unbook,
)
from .invoices import today
from .purchaseorders import do_receive, ordered_row

family = Family(scope="warehouse", style=WAREHOUSE)
INCOMING_GOODS = "incominggoods"
READ_ONLY = frozenset({"id", "released", "completed", "voided"})
LIST_FIELDS = ("id", "date", "deliveryNoteId", "hasDeliveryNote", "supplierNumber", "supplierName", "note", "released",
               "completed", "voided", "stockPointId")
QUANTITIES = ("orderedQuantity", "receivedQuantity", "backOrderQuantity", "invoicedQuantity", "takenQuantity")


def find(call, document_id):
    record = call.store(INCOMING_GOODS).get(str(document_id))
    if record is None:
        raise not_found(f"Inleverans {document_id}")
    return record


@family.route("api/warehouse/incominggoods-v1", "GET", "POST")
def incoming_goods_list(call):
    store = call.store(INCOMING_GOODS)
    if call.request.method == "POST":
        number = str(call.company.next_number(INCOMING_GOODS))
        document = checked(call, body_of(call, "warehouse_IncomingGoods", READ_ONLY), number)
        store.create(number, document)
        return call.respond(shown(document), status=201)
    params = call.request.GET
    flags = flag_filters(call, ("released", "completed", "voided"))
    documents = [record.document for record in store.records()]
    searches = {"supplierNumber": "supplierNumber", "note": "note", "deliveryNote": "deliveryNoteId"}
    documents = [
        doc for doc in documents
        if all(doc[name] == wanted for name, wanted in flags.items())
        and all(params[name].casefold() in str(doc.get(field) or "").casefold() for name, field in searches.items()
                if params.get(name))
        and (not params.get("itemId") or any(row["itemId"] == params["itemId"] for row in doc["rows"]))
        and (not params.get("q") or params["q"].casefold() in f"{doc['deliveryNoteId']} {doc.get('supplierName')} "
                                                              f"{doc.get('note')}".casefold())
    ]
    return call.respond([{**{name: doc.get(name) for name in LIST_FIELDS}, "unmatchedValue": unmatched_value(doc)}
                         for doc in sorted(documents, key=lambda doc: doc["id"])])


def unmatched_value(document: dict) -> float:
    """Received value not yet matched to a supplier invoice (the sandbox has none, so all of it)."""
    return round(sum(row["receivedQuantity"] * (row.get("directCost") or 0) for row in document["rows"]), 2)


def checked(call, body: dict, number: str) -> dict:
    required(body, "deliveryNoteId")
    if body.get("supplierNumber"):
        supplier = call.store("suppliers").get(body["supplierNumber"])
        if supplier is None:
            raise WarehouseError("validation", f"Leverantören {body['supplierNumber']} finns inte.")
        body.setdefault("supplierName", supplier.document["Name"])
    rows = [incoming_row(call, row, index) for index, row in enumerate(body.get("rows") or [])]
    return {"date": today().isoformat(), "hasDeliveryNote": True, **body, "id": int(number), "rows": rows,
            "released": False, "completed": False, "voided": False}


def incoming_row(call, row: dict, index: int) -> dict:
    required(row, "itemId")
    article = call.store("articles").get(row["itemId"])
    if article is None:
        raise WarehouseError("validation", f"Artikeln {row['itemId']} finns inte.")
    ordered_row(call, row)
    return {
        "itemDescription": article.document.get("Description"), "itemUnit": article.document.get("Unit"),
        **{name: 0 for name in QUANTITIES}, **row, "id": row.get("id") or str(uuid.uuid4()), "rowOrder": index + 1,
        "isStockItem": bool(article.document.get("StockGoods")),
    }


@family.route("api/warehouse/incominggoods-v1/<int:document_id>", "GET", "PUT", "PATCH")
def incoming_goods_detail(call, document_id):
    record = find(call, document_id)
    store = call.store(INCOMING_GOODS)
    if call.request.method == "PUT":
        refuse_changes(record.document, "released")
        store.update(record, checked(call, body_of(call, "warehouse_IncomingGoods", READ_ONLY), record.key))
    elif call.request.method == "PATCH":
        patch = body_of(call, "warehouse_IncomingGoods", READ_ONLY)
        allowed = {"note", "deliveryNoteId", "supplierName", "hasDeliveryNote"}
        if set(patch) - allowed:
            raise WarehouseError("validation", f"Bara {', '.join(sorted(allowed))} kan ändras med PATCH.")
        store.update(record, {**record.document, **patch})
    return call.respond(shown(record.document))


@family.route("api/warehouse/incominggoods-v1/<int:document_id>/release", "PUT")
def release(call, document_id):
    do_release(call, document_id)
    return no_content()


@transaction.atomic
def do_release(call, document_id):
    record = find(call, document_id)
    document = record.document
    refuse_changes(document, "released")
    movements = {}
    for row in document["rows"]:
        if row["isStockItem"] and row["receivedQuantity"]:
            key = (row["itemId"], stock_point_code(call, row, document))
            movements[key] = movements.get(key, 0) + row["receivedQuantity"]
    do_receive(call, document["rows"])
    call.store(INCOMING_GOODS).update(record, {**book(call, document, movements), "released": True})


@family.route("api/warehouse/incominggoods-v1/<int:document_id>/completed", "PUT")
def completed(call, document_id):
    record = find(call, document_id)
    if not record.document["released"] or record.document["voided"]:
        raise WarehouseError("document_not_released", "Bara en släppt inleverans kan slutföras.")
    call.store(INCOMING_GOODS).update(record, {**record.document, "completed": True})
    return no_content()


@family.route("api/warehouse/incominggoods-v1/<int:document_id>/void", "PUT")
@transaction.atomic
def void(call, document_id):
    record = find(call, document_id)
    document = record.document
    if document["voided"]:
        raise WarehouseError("document_is_voided", "Inleveransen är redan makulerad.")
    if document["completed"]:
        raise WarehouseError("document_is_completed", "En slutförd inleverans kan inte makuleras.")
    if document["released"]:
        do_receive(call, document["rows"], sign=-1)
        document = unbook(call, document)
    call.store(INCOMING_GOODS).update(record, {**document, "voided": True})
    return no_content()
