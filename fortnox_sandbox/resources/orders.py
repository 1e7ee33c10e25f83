"""Orders `/3/orders` (scope `order`), API-FACTS §8, with `createinvoice`, `cancel`,
`warehouseready` and `externalprint`.

Rows: without `RowId`s the sent rows replace the list position by position (each merged into
the row at its position); with `RowId`s, matching rows are updated, rows without one are new,
rows not sent are deleted, and an unknown `RowId` is refused. Every update gives every row a
new `RowId` (Fortnox regenerates them), so a client must re-read ids after each PUT.

Stock (only with the warehouse module, Lager): an order in `DeliveryState=delivery` takes its
delivered quantities out of stock as soon as it is saved, `reservation` reserves the ordered
quantities, `registration` does nothing; cancelling gives everything back; invoicing releases
the reservation and keeps the delivery. What an order has done to stock is kept in the
document (`_stock`, never shown), so each save applies only the difference. Without negative
stock allowed, a row asking to deliver more than is in stock gets `DeliveredQuantity` 0
(API-FACTS §5). `DeliveredQuantity` can only be changed in delivery state; in the other states
it is 0. With Lager, a row sent without `DeliveredQuantity` delivers what was ordered when
stock allows (UNCONFIRMED: Fortnox says "delivers when possible").

Without Lager (as recorded live, API-FACTS §11.1): a new row delivers 0 until the client writes
`DeliveredQuantity`, nothing moves stock, and a new order is `WarehouseReady` at once with
`OutboundDate` = `OrderDate`, which does not lock it (there is no warehouse to lock it for).

Totals are on the delivered quantity (live: a new order's rows and the order total are 0
whatever the prices). `InvoiceReference` is "0" until the order is invoiced (the sandbox's
reading of live data)."""

from django.db import transaction

from ..api import Family
from ..errors import FortnoxError
from ..registers import Register, number_order, required_field
from ..searches import document_search, exact
from ..stock import default_stock_point, difference, in_stock, move
from .invoices import do_create_invoice_from_order, present as present_invoice, row_total, today, totals

family = Family(scope="order")
orders = Register(
    resource="orders", wrapper="Order", list_key="Orders", key_field="DocumentNumber",
    schema="fortnox_Order", list_schema="fortnox_OrderListItem",
    not_found_code=2000439, not_found_message="Kan inte hitta ordern.", unset={"TaxReductionType": "none"},
)
READ_ONLY = frozenset({
    "@urlTaxReductionList", "Cancelled", "Sent", "InvoiceReference", "OfferReference", "OrderType", "WarehouseReady",
    "OrganisationNumber", "Net", "Gross", "Total", "TotalVAT", "TotalToPay", "RoundOff", "FreightVAT",
    "AdministrationFeeVAT", "ContributionPercent", "ContributionValue", "TaxReduction", "BasisTaxReduction",
    "HouseWork", "OutboundDate",
})
ROW_READ_ONLY = ("ReservedQuantity", "Total", "ContributionPercent", "ContributionValue")
NOT_INVOICED = "0"
FROM_CUSTOMER = {
    "CustomerName": "Name", "Address1": "Address1", "Address2": "Address2", "ZipCode": "ZipCode", "City": "City",
    "Country": "Country", "Currency": "Currency", "OrganisationNumber": "OrganisationNumber", "Phone1": "Phone1",
    "DeliveryName": "DeliveryName", "DeliveryAddress1": "DeliveryAddress1", "DeliveryZipCode": "DeliveryZipCode",
    "DeliveryCity": "DeliveryCity", "YourReference": "YourReference", "TermsOfPayment": "TermsOfPayment",
}
FROM_ARTICLE = {"Description": "Description", "Price": "SalesPrice", "Unit": "Unit", "VAT": "VAT"}
FILTERS = {
    "cancelled": lambda doc: doc["Cancelled"],
    # Expired: the delivery date has passed and the order is neither invoiced nor cancelled.
    "expired": lambda doc: open_order(doc) and bool(doc.get("DeliveryDate")) and doc["DeliveryDate"] < today().isoformat(),
    "invoicecreated": lambda doc: doc["InvoiceReference"] != NOT_INVOICED,
    "invoicenotcreated": lambda doc: open_order(doc),
}
SEARCH = {
    **document_search(date_field="OrderDate", text_fields=(
        "CustomerName", "CustomerNumber", "DocumentNumber", "ExternalInvoiceReference1", "ExternalInvoiceReference2",
        "CostCenter", "Project", "OurReference", "YourReference")),
    "ordertype": exact("OrderType"),  # "Order" must not match "Backorder"
}

# Sandbox codes where Fortnox's real one is unknown (documented in the sandbox README).
UNKNOWN_CUSTOMER = 2000433
ORDER_LOCKED = 2003420
ALREADY_INVOICED = 2003421
DELIVERY_STATE_REQUIRED = 2003422
UNKNOWN_ROW = 2003423
NO_WAREHOUSE = 2003424
NUMBER_TAKEN = 2003425


def open_order(document: dict) -> bool:
    return not document["Cancelled"] and document["InvoiceReference"] == NOT_INVOICED


def present(call, document: dict) -> dict:
    """Like live orders, with a link to their tax reductions (the sandbox keeps none)."""
    tax_reductions = call.url(f"3/taxreductions?filter=orders&referencenumber={document['DocumentNumber']}")
    return {"Order": {**orders.full(call, document), "@urlTaxReductionList": tax_reductions}}


@family.route("3/orders", "GET", "POST")
def order_list(call):
    if call.request.method == "POST":
        return create(call)
    return orders.page(
        call, orders.list_item, filters=FILTERS,
        sorts={"customername": lambda doc: (doc.get("CustomerName") or "").casefold(),
               "customernumber": lambda doc: number_order(doc["CustomerNumber"]),
               "orderdate": lambda doc: doc["OrderDate"], "total": lambda doc: doc.get("Total") or 0},
        search=SEARCH,
    )

def create(call):
    changes = orders.changes(call, READ_ONLY)
    number = changes.get("DocumentNumber") or orders.next_key(call)
    if orders.store(call).get(number):
        raise FortnoxError(NUMBER_TAKEN, f"Ordernummer {number} används redan.")
    document = do_save_order(call, new_order(number), changes, created=True)
    return call.respond(present(call, document), status=201)


def new_order(number: str) -> dict:
    return {
        "DocumentNumber": number, "OrderDate": today().isoformat(), "DeliveryState": "delivery", "Cancelled": False,
        "Sent": False, "NotCompleted": False, "WarehouseReady": False, "OrderType": "Order", "Currency": "SEK",
        "InvoiceReference": NOT_INVOICED, "OfferReference": "0", "OrderRows": [], "VATIncluded": False,
    }


@family.route("3/orders/<str:DocumentNumber>", "GET", "PUT")
def order_detail(call, DocumentNumber):
    record = orders.find(call, DocumentNumber)
    if call.request.method == "PUT":
        changes = orders.changes(call, READ_ONLY, DocumentNumber)
        refuse_closed(record.document)
        locked = record.document["WarehouseReady"] and call.company.warehouse_licence
        if locked and ({"OrderRows", "DeliveryState", "StockPointCode"} & set(changes)):
            raise FortnoxError(ORDER_LOCKED, "Ordern är klarmarkerad i lagret; rader och leveransstatus kan inte ändras.")
        return call.respond(present(call, do_save_order(call, record.document, changes)))
    return call.respond(present(call, record.document))


def refuse_closed(document: dict):
    if document["Cancelled"]:
        raise FortnoxError(ORDER_LOCKED, "Ordern är makulerad och kan inte ändras.")
    if document["InvoiceReference"] != NOT_INVOICED:
        raise FortnoxError(ALREADY_INVOICED, f"Ordern är redan fakturerad (faktura {document['InvoiceReference']}).")


@transaction.atomic
def do_save_order(call, current: dict, changes: dict, created: bool = False) -> dict:
    """Validates, regenerates row ids, applies the stock difference and stores the order."""
    document = {**current, **{key: value for key, value in changes.items() if key != "OrderRows"}}
    if not document.get("CustomerNumber"):
        raise required_field("CustomerNumber")
    if created or "CustomerNumber" in changes:
        copy_customer(call, document, changes)
    if created and not call.company.warehouse_licence:
        document.update(WarehouseReady=True, OutboundDate=document["OrderDate"])
    refuse_delivery_outside_delivery_state(call, document, changes)
    rows = merged_rows(current.get("OrderRows", []), changes["OrderRows"]) if "OrderRows" in changes else current.get("OrderRows", [])
    document["OrderRows"] = [with_row_defaults(call, document, row) for row in rows]
    limit_deliveries(call, document, current)
    for row in document["OrderRows"]:
        row["RowId"] = call.company.next_number("orderrows")
        row["Total"] = row_total(row, row["DeliveredQuantity"])
    document.update(totals(document["OrderRows"]))
    return store_with_stock(call, document, created)


def store_with_stock(call, document: dict, created: bool = False) -> dict:
    old_delivered, old_reserved = applied(document)
    new_delivered, new_reserved = stock_effects(call.company, document)
    move(call.company, {key: -change for key, change in difference(new_delivered, old_delivered).items()},
         difference(new_reserved, old_reserved))
    document["_stock"] = {"delivered": as_pairs(new_delivered), "reserved": as_pairs(new_reserved)}
    store = orders.store(call)
    if created:
        store.create(document["DocumentNumber"], document)
    else:
        store.update(orders.find(call, document["DocumentNumber"]), document)
    return document


def copy_customer(call, document: dict, changes: dict):
    customer = call.store("customers").get(document["CustomerNumber"])
    if customer is None:
        raise FortnoxError(UNKNOWN_CUSTOMER, f"Kan inte hitta kunden ({document['CustomerNumber']}).")
    for field_name, customer_field in FROM_CUSTOMER.items():
        if field_name not in changes:
            document[field_name] = customer.document.get(customer_field)


def merged_rows(current_rows: list[dict], sent_rows: list[dict]) -> list[dict]:
    if not any(row.get("RowId") for row in sent_rows):
        return [{**(current_rows[index] if index < len(current_rows) else {}), **row} for index, row in enumerate(sent_rows)]
    by_id = {row["RowId"]: row for row in current_rows}
    merged = []
    for row in sent_rows:
        if row.get("RowId") and row["RowId"] not in by_id:
            raise FortnoxError(UNKNOWN_ROW, f"Raden med RowId {row['RowId']} finns inte på ordern.")
        merged.append({**by_id.get(row.get("RowId"), {}), **row})
    return merged


def quantity(row: dict, field_name: str, default: float = 0) -> float:
    value = row.get(field_name)
    if value in (None, ""):
        return default
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        raise FortnoxError(2000108, f"Värdet måste vara numeriskt ({field_name})") from None


def with_row_defaults(call, order: dict, row: dict) -> dict:
    row = {key: value for key, value in row.items() if key not in ROW_READ_ONLY}
    if row.get("ArticleNumber"):
        article = call.store("articles").get(row["ArticleNumber"])
        if article is None:
            raise FortnoxError(2000428, f"Kan inte hitta artikeln ({row['ArticleNumber']}).")
        for field_name, article_field in FROM_ARTICLE.items():
            if row.get(field_name) in (None, ""):
                row[field_name] = article.document.get(article_field)
    row["OrderedQuantity"] = quantity(row, "OrderedQuantity")
    lager = call.company.warehouse_licence
    row["DeliveredQuantity"] = quantity(row, "DeliveredQuantity", default=row["OrderedQuantity"] if lager else 0)
    if lager and order["DeliveryState"] != "delivery":
        row["DeliveredQuantity"] = 0
    row["StockPointCode"] = row.get("StockPointCode") or order.get("StockPointCode")
    return row


def refuse_delivery_outside_delivery_state(call, document: dict, changes: dict):
    if not call.company.warehouse_licence or document["DeliveryState"] == "delivery":
        return
    if any(quantity(row, "DeliveredQuantity") for row in changes.get("OrderRows", [])):
        raise FortnoxError(DELIVERY_STATE_REQUIRED, "Levererat antal kan bara ändras när ordern har leveransstatus leverans.")


def limit_deliveries(call, document: dict, current: dict):
    """Without negative stock, a row cannot deliver more than is in stock: it delivers 0."""
    company = call.company
    if not company.warehouse_licence or company.negative_stock_allowed or document["DeliveryState"] != "delivery":
        return
    already, _ = applied(current)
    left = {}
    for row in document["OrderRows"]:
        key = (row.get("ArticleNumber"), stock_point(company, row))
        if key not in left:
            stock = in_stock(company, *key) if key[0] else None
            left[key] = None if stock is None else stock + already.get(key, 0)
        if left[key] is None:
            continue
        if row["DeliveredQuantity"] > left[key]:
            row["DeliveredQuantity"] = 0
        left[key] -= row["DeliveredQuantity"]


def stock_point(company, row: dict) -> str:
    return row.get("StockPointCode") or default_stock_point(company)


def stock_effects(company, document: dict) -> tuple[dict, dict]:
    delivered, reserved = {}, {}
    if not company.warehouse_licence or document["Cancelled"]:
        return delivered, reserved
    for row in document["OrderRows"]:
        if not row.get("ArticleNumber"):
            continue
        key = (row["ArticleNumber"], stock_point(company, row))
        if document["DeliveryState"] == "delivery":
            delivered[key] = delivered.get(key, 0) + row["DeliveredQuantity"]
        elif document["DeliveryState"] == "reservation" and open_order(document):
            reserved[key] = reserved.get(key, 0) + row["OrderedQuantity"]
    return delivered, reserved


def applied(document: dict) -> tuple[dict, dict]:
    effects = document.get("_stock") or {}
    return ({tuple(key): amount for key, amount in effects.get(kind, [])} for kind in ("delivered", "reserved"))


def as_pairs(effects: dict) -> list:
    return [[list(key), amount] for key, amount in effects.items() if amount]


# --- actions --------------------------------------------------------------------------------

@family.route("3/orders/<str:DocumentNumber>/createinvoice", "PUT")
def create_invoice(call, DocumentNumber):
    return call.respond(present_invoice(call, do_invoice(call, orders.find(call, DocumentNumber).document)))


@transaction.atomic
def do_invoice(call, order: dict) -> dict:
    """Invoices the order, leaves a back order for the rest (if the company allows back
    orders) and returns the invoice."""
    refuse_closed(order)
    invoice = do_create_invoice_from_order(call, order)
    if call.company.back_orders_allowed:
        do_create_back_order(call, order)
    store_with_stock(call, {**order, "InvoiceReference": invoice["DocumentNumber"]})
    return invoice


def do_create_back_order(call, order: dict):
    """A new order (`OrderType` Backorder) for what was ordered but not delivered."""
    rows = [{**row, "OrderedQuantity": row["OrderedQuantity"] - row["DeliveredQuantity"], "DeliveredQuantity": 0}
            for row in order["OrderRows"] if row["OrderedQuantity"] > row["DeliveredQuantity"]]
    if not rows:
        return None
    blank = {key: value for key, value in order.items() if key not in ("_stock", "OrderRows")}
    blank.update(DocumentNumber=orders.next_key(call), OrderType="Backorder", OrderDate=today().isoformat(),
                 InvoiceReference=NOT_INVOICED, WarehouseReady=False, OutboundDate=None, Sent=False)
    return do_save_order(call, blank, {"OrderRows": [{k: v for k, v in row.items() if k != "RowId"} for row in rows]},
                         created=True)


@family.route("3/orders/<str:DocumentNumber>/cancel", "PUT")
def cancel(call, DocumentNumber):
    order = orders.find(call, DocumentNumber).document
    refuse_closed(order)
    return call.respond(present(call, store_with_stock(call, {**order, "Cancelled": True})))


@family.route("3/orders/<str:DocumentNumber>/warehouseready", "PUT")
def warehouse_ready(call, DocumentNumber):
    order = orders.find(call, DocumentNumber).document
    refuse_closed(order)
    if not call.company.warehouse_licence:
        raise FortnoxError(NO_WAREHOUSE, "Lagermodulen är inte aktiverad.")
    if order["DeliveryState"] != "delivery":
        raise FortnoxError(DELIVERY_STATE_REQUIRED, "Ordern måste ha leveransstatus leverans för att klarmarkeras.")
    order = {**order, "WarehouseReady": True, "OutboundDate": today().isoformat()}
    return call.respond(present(call, store_with_stock(call, order)))


@family.route("3/orders/<str:DocumentNumber>/externalprint", "PUT")
def external_print(call, DocumentNumber):
    """Marks the order as sent without printing it."""
    order = orders.find(call, DocumentNumber).document
    return call.respond(present(call, store_with_stock(call, {**order, "Sent": True})))
