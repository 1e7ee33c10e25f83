"""Invoices `/3/invoices` (scope `invoice`): read only. Invoices are made by
`PUT /3/orders/{n}/createinvoice` (see `orders.py`).

Like live invoices they carry `@urlTaxReductionList` and `InvoiceReference`, which the spec's
Invoice schema lacks; recorded live, an invoice made from an order has the order's number
there (API-FACTS §11.1). Every search parameter the spec documents for the list is honoured."""

from datetime import timedelta

from django.utils import timezone

from ..api import STOCKHOLM, Family
from ..registers import Register, number_order
from ..searches import account_range, document_search, exact, flag, in_rows, on_or_after, on_or_before

family = Family(scope="invoice")
invoices = Register(
    resource="invoices", wrapper="Invoice", list_key="Invoices", key_field="DocumentNumber",
    schema="fortnox_Invoice", list_schema="fortnox_InvoiceListItem",
    not_found_code=2000434, not_found_message="Kan inte hitta fakturan.", unset={"TaxReductionType": "none"},
)
PAYMENT_DAYS = 30
COPIED_FROM_ORDER = (
    "CustomerNumber", "CustomerName", "Address1", "Address2", "ZipCode", "City", "Country", "Currency",
    "CurrencyRate", "CurrencyUnit", "DeliveryName", "DeliveryAddress1", "DeliveryAddress2", "DeliveryZipCode",
    "DeliveryCity", "DeliveryCountry", "DeliveryDate", "OurReference", "YourReference", "YourOrderNumber",
    "OrganisationNumber", "Project", "CostCenter", "Remarks", "TermsOfPayment", "TermsOfDelivery", "WayOfDelivery",
    "ExternalInvoiceReference1", "ExternalInvoiceReference2", "Phone1", "Phone2", "VATIncluded",
)
ROW_FIELDS = ("ArticleNumber", "Description", "Unit", "Price", "Discount", "DiscountType", "AccountNumber",
              "CostCenter", "Project", "StockPointCode")


SEARCH = {
    **document_search(date_field="InvoiceDate", text_fields=(
        "CostCenter", "CustomerName", "CustomerNumber", "DocumentNumber", "OCR", "OurReference", "Project",
        "ExternalInvoiceReference1", "ExternalInvoiceReference2", "YourReference", "YourOrderNumber")),
    "fromfinalpaydate": on_or_after("fromfinalpaydate", "FinalPayDate"),
    "tofinalpaydate": on_or_before("tofinalpaydate", "FinalPayDate"),
    "invoicetype": exact("InvoiceType"), "currency": exact("Currency"), "credit": flag("credit", "Credit"),
    "articlenumber": in_rows("InvoiceRows", "ArticleNumber"), "articledescription": in_rows("InvoiceRows", "Description"),
    "accountnumberfrom": account_range("accountnumberfrom", "InvoiceRows", at_least=True),
    "accountnumberto": account_range("accountnumberto", "InvoiceRows", at_least=False),
}


def today():
    return timezone.now().astimezone(STOCKHOLM).date()


def unpaid(document: dict) -> bool:
    return not document.get("Cancelled") and (document.get("Balance") or 0) > 0


@family.route("3/invoices", "GET")
def invoice_list(call):
    return invoices.page(
        call, invoices.list_item,
        filters={
            "cancelled": lambda doc: doc.get("Cancelled"),
            "fullypaid": lambda doc: not doc.get("Cancelled") and not doc.get("Balance"),
            "unpaid": unpaid,
            "unpaidoverdue": lambda doc: unpaid(doc) and doc["DueDate"] < today().isoformat(),
            "unbooked": lambda doc: not doc.get("Booked") and not doc.get("Cancelled"),
        },
        sorts={"customername": lambda doc: (doc.get("CustomerName") or "").casefold(),
               "customernumber": lambda doc: number_order(doc["CustomerNumber"]),
               "invoicedate": lambda doc: doc["InvoiceDate"], "ocr": lambda doc: doc.get("OCR") or "",
               "total": lambda doc: doc.get("Total") or 0},
        search=SEARCH,
    )

@family.route("3/invoices/<str:DocumentNumber>", "GET")
def invoice_detail(call, DocumentNumber):
    return call.respond(present(call, invoices.find(call, DocumentNumber).document))


def present(call, document: dict) -> dict:
    return {"Invoice": {
        **invoices.full(call, document), "InvoiceReference": document.get("OrderReference") or "0",
        "@urlTaxReductionList": call.url(f"3/taxreductions?filter=invoices&referencenumber={document['DocumentNumber']}"),
    }}


def do_create_invoice_from_order(call, order: dict) -> dict:
    """An invoice for what the order delivered (Fortnox invoices delivered quantities)."""
    number = invoices.next_key(call)
    rows = [{**{field: row.get(field) for field in ROW_FIELDS}, "RowId": index + 1,
             "DeliveredQuantity": row["DeliveredQuantity"], "VAT": int(row.get("VAT") or 0), "Total": row_total(row, row["DeliveredQuantity"])}
            for index, row in enumerate(order["OrderRows"])]
    invoice_date = today()
    document = {
        **{field: order.get(field) for field in COPIED_FROM_ORDER},
        "DocumentNumber": number, "OrderReference": order["DocumentNumber"], "InvoiceDate": invoice_date.isoformat(),
        "DueDate": (invoice_date + timedelta(days=PAYMENT_DAYS)).isoformat(), "InvoiceType": "INVOICE",
        "Booked": False, "Cancelled": False, "Sent": False, "NotCompleted": False, "Credit": "false",
        "OCR": f"{number}{order['CustomerNumber']}", "InvoiceRows": rows, "WarehouseReady": order.get("WarehouseReady"),
        **totals(rows),
    }
    document["Balance"] = document["Total"]
    invoices.store(call).create(number, document)
    return document


def row_total(row: dict, quantity: float) -> float:
    gross = quantity * (row.get("Price") or 0)
    discount = row.get("Discount") or 0
    return round(gross - discount if row.get("DiscountType") == "AMOUNT" else gross * (1 - discount / 100), 2)


def totals(rows: list[dict]) -> dict:
    net = round(sum(row["Total"] for row in rows), 2)
    vat = round(sum(row["Total"] * (row.get("VAT") or 0) / 100 for row in rows), 2)
    return {"Net": net, "Gross": net, "TotalVAT": vat, "Total": round(net + vat, 2), "TotalToPay": round(net + vat, 2),
            "RoundOff": 0}
