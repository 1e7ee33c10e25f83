"""Custom inbound and outbound documents
`/api/warehouse/documentdeliveries/custom/{inbound-v1|outbound-v1}/{type}/{id}` and their types
`.../custom/documenttypes-v1` (scope `warehouse`, Lager), API-FACTS §9.

Types are case-blind and stored upper case; a type first used by PUT is registered in that
direction; using it in the other direction, or a reserved name, is refused
(`referenceTypeNotAllowed`). PUT creates or replaces until the document is released.
`release` books the stock: inbound rows add `quantity`, outbound rows (in delivery state) take
`deliveredQuantity` (default `quantity`) away; without negative stock allowed and without
`forcedDelivery`, an outbound row that asks for more than is in stock delivers 0, as orders do.
`void` (also `?force=true`) undoes exactly what `release` booked."""

import re

from django.db import transaction

from ..api import Family
from ..errors import WAREHOUSE, WarehouseError
from ..registers import no_content
from ..stock import in_stock
from ..warehouse_documents import body_of, book, not_found, refuse_changes, required, shown, stock_point_code, unbook

family = Family(scope="warehouse", style=WAREHOUSE)
TYPES = "customdocumenttypes"
INBOUND, OUTBOUND = "INBOUND", "OUTBOUND"
DIRECTIONS = {"inbound-v1": INBOUND, "outbound-v1": OUTBOUND}
SCHEMAS = {INBOUND: "warehouse_CustomInboundDocument", OUTBOUND: "warehouse_CustomOutboundDocument"}
TYPE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,25}")
ID_PATTERN = re.compile(r"[0-9]{1,25}")
# Fortnox's own document kinds cannot be used as custom types.
RESERVED = {"ORDER", "INVOICE", "PURCHASEORDER", "STOCKTAKING", "STOCKTRANSFER", "INCOMINGGOODS", "PRODUCTIONORDER",
            "SUPPLIERINVOICE", "OFFER", "MANUAL", "INBOUND", "OUTBOUND", "DELIVERY"}


def resource(category: str) -> str:
    return f"custom{category.lower()}"


def registered_type(call, raw: str, category: str, register: bool = True) -> tuple[str, bool]:
    """(TYPE, created) after checking the name and its direction."""
    if not TYPE_PATTERN.fullmatch(raw or ""):
        raise WarehouseError("validation", "Typen ska vara 1–25 tecken av A–Z, 0–9, _ och -.")
    name = raw.upper()
    if name in RESERVED:
        raise WarehouseError("referenceTypeNotAllowed", f"{name} är ett reserverat namn och kan inte användas.")
    known = call.store(TYPES).get(name)
    if known and known.document["category"] != category:
        raise WarehouseError("referenceTypeNotAllowed",
                             f"Typen {name} är registrerad som {known.document['category']} och kan inte användas som {category}.")
    if known is None and register:
        call.store(TYPES).create(name, {"referenceType": name, "category": category})
    return name, known is None


@family.route("api/warehouse/documentdeliveries/custom/documenttypes-v1", "GET", "POST")
def document_types(call):
    if call.request.method == "POST":
        body = body_of(call, "warehouse_CustomDocumentType")
        required(body, "referenceType", "category")
        _, created = registered_type(call, body["referenceType"], body["category"])
        return call.respond(1 if created else 0, status=201)
    return call.respond([record.document for record in call.store(TYPES).records().order_by("key")])


@family.route("api/warehouse/documentdeliveries/custom/documenttypes-v1/<str:type_name>", "GET")
def document_type(call, type_name):
    record = call.store(TYPES).get(type_name.upper())
    if record is None:
        raise not_found(f"Dokumenttypen {type_name}")
    return call.respond(record.document)


def find(call, category: str, type_name: str, document_id: str):
    record = call.store(resource(category)).get(f"{type_name.upper()}/{document_id}")
    if record is None:
        raise not_found(f"Dokumentet {type_name}/{document_id}")
    return record


@family.route("api/warehouse/documentdeliveries/custom/<str:direction>/<str:type_name>/<str:document_id>", "GET", "PUT")
def custom_document(call, direction, type_name, document_id):
    category = direction_of(direction)
    if call.request.method == "GET":
        return call.respond(shown(find(call, category, type_name, document_id).document))
    if not ID_PATTERN.fullmatch(document_id):
        raise WarehouseError("validation", "Dokumentets id ska vara 1–25 siffror.")
    body = body_of(call, SCHEMAS[category], frozenset({"voided", "warehouseReady"}))
    required(body, "date", "rows", *(("deliveryState",) if category == OUTBOUND else ()))
    name, _ = registered_type(call, type_name, category)
    store = call.store(resource(category))
    existing = store.get(f"{name}/{document_id}")
    if existing:
        refuse_changes(existing.document, "warehouseReady")
    rows = [{**row, "rowId": row.get("rowId") or index + 1} for index, row in enumerate(body["rows"])]
    for row in rows:
        required(row, "itemId", "quantity")
        if call.store("articles").get(row["itemId"]) is None:
            raise WarehouseError("validation", f"Artikeln {row['itemId']} finns inte.")
    type_field = "type" if category == INBOUND else "referenceType"
    document = {**body, "id": document_id, type_field: name, "rows": rows, "voided": False, "warehouseReady": False}
    store.put(f"{name}/{document_id}", document)
    return call.respond(shown(document))


def direction_of(direction: str) -> str:
    if direction not in DIRECTIONS:
        raise not_found(f"Dokumentriktningen {direction}")
    return DIRECTIONS[direction]


@family.route("api/warehouse/documentdeliveries/custom/<str:direction>/<str:type_name>/<str:document_id>/release", "PUT")
@transaction.atomic
def release(call, direction, type_name, document_id):
    category = direction_of(direction)
    record = find(call, category, type_name, document_id)
    document = record.document
    refuse_changes(document, "warehouseReady")
    if category == OUTBOUND and document["deliveryState"] != "delivery":
        raise WarehouseError("validation", "Ett utleveransdokument måste ha leveransstatus delivery för att släppas.")
    movements = {}
    for row in document["rows"]:
        key = (row["itemId"], stock_point_code(call, row, document))
        if category == INBOUND:
            change = row["quantity"]
        else:
            row["deliveredQuantity"] = deliverable(call, document, row, key, movements)
            change = -row["deliveredQuantity"]
        movements[key] = movements.get(key, 0) + change
    call.store(resource(category)).update(record, {**book(call, document, movements), "warehouseReady": True})
    return no_content()


def deliverable(call, document: dict, row: dict, key: tuple, movements: dict) -> float:
    wanted = row.get("deliveredQuantity") if row.get("deliveredQuantity") is not None else row["quantity"]
    if call.company.negative_stock_allowed or document.get("forcedDelivery"):
        return wanted
    stock = in_stock(call.company, *key)
    return wanted if stock is None or wanted <= stock + movements.get(key, 0) else 0


@family.route("api/warehouse/documentdeliveries/custom/<str:direction>/<str:type_name>/<str:document_id>/void", "PUT")
@transaction.atomic
def void(call, direction, type_name, document_id):
    category = direction_of(direction)
    record = find(call, category, type_name, document_id)
    if record.document["voided"]:
        raise WarehouseError("document_is_voided", "Dokumentet är redan makulerat.")
    call.store(resource(category)).update(record, {**unbook(call, record.document), "voided": True})
    return no_content()
