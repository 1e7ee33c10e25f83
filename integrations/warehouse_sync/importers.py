"""Pulling the warehouse's master data and work from Fortnox (Fortnox is master): suppliers,
articles, customers, sales orders and purchase orders. Each `pull_<kind>` reads what changed
since the kind's cursor (Fortnox's `lastmodified`, minus an overlap) and upserts it by its
natural key, so re-reading a record is harmless. An idle pull costs one list call per kind.

A sales order already linked is updated from Fortnox (cancellation included) while the warehouse
has not started on it; once picking has begun the change is not applied and the order carries a
visible note of what changed in Fortnox.
"""

import logging
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _, gettext_lazy
from stdnum import ean as gtin

from warehouse import actions as warehouse_actions
from warehouse.models import (
    Article, Customer, PurchaseOrder, PurchaseOrderRow, SalesOrder, SalesOrderRow, Supplier,
)

from ..fortnox.values import lastmodified_since, parse_fortnox_datetime, to_decimal
from ..sync_models import ExternalLink

log = logging.getLogger("integrations.warehouse_sync")

ARTICLE_LINK, ORDER_LINK, PURCHASE_ORDER_LINK = "wms_article", "wms_order", "wms_purchase_order"
NOT_INVOICED = ("", "0", None, 0)
CUSTOMER_TYPES = {"PRIVATE": Customer.Type.PRIVATE, "COMPANY": Customer.Type.COMPANY}


def text(value, limit: int) -> str:
    return ("" if value is None else str(value)).strip()[:limit]


def quantity(value) -> Decimal:
    return to_decimal(value) or Decimal("0")


def whole_number(value) -> int | None:
    number = to_decimal(value)
    return int(number) if number is not None and number >= 0 else None


def a_date(value) -> date | None:
    return date.fromisoformat(value) if value else None


def email_or_blank(value) -> str:
    value = text(value, 254)
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def changed(instance, values: dict) -> list[str]:
    """Set `values` on `instance`; the names of the fields that really changed."""
    fields = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in fields:
        setattr(instance, name, values[name])
    return fields


def upsert(model, organization, key_field: str, key, values: dict, cache: dict) -> tuple[object, str]:
    """Create or update one record by its natural key, `cache` holding the organization's records
    by that key: (instance, "created" | "updated" | "unchanged")."""
    instance = cache.get(key)
    if instance is None:
        instance = cache[key] = model.objects.create(organization=organization, **{key_field: key}, **values)
        return instance, "created"
    fields = changed(instance, values)
    if fields:
        instance.save(update_fields=fields)
    return instance, "updated" if fields else "unchanged"


class Pull:
    """One kind's pull within a run: its cursor and its share of the run's counts."""

    def __init__(self, sync, kind: str):
        self.sync, self.kind = sync, kind
        self.organization = sync.organization
        self.client = sync.client
        cursor = sync.settings.cursors.get(kind)
        self.since = parse_fortnox_datetime(cursor) if cursor else None

    def modified_params(self) -> dict:
        return {"lastmodified": lastmodified_since(self.since)} if self.since else {}

    def count(self, outcome: str) -> None:
        self.sync.count(f"{self.kind}_{outcome}")


# --- suppliers --------------------------------------------------------------------------------


def supplier_values(document: dict) -> dict:
    return {
        "name": text(document.get("Name"), 200) or text(document.get("SupplierNumber"), 200),
        "organisation_number": text(document.get("OrganisationNumber"), 30),
        "email": email_or_blank(document.get("Email")),
        "phone": text(document.get("Phone") or document.get("Phone1"), 50),
        "active": document.get("Active") is not False,
    }


def pull_suppliers(sync) -> None:
    """The list items carry every field the warehouse keeps: no call per supplier."""
    pull = Pull(sync, "suppliers")
    for document in pull.client.iterate("/3/suppliers", pull.modified_params()):
        _supplier, outcome = upsert(Supplier, pull.organization, "supplier_number", str(document["SupplierNumber"]),
                                    supplier_values(document), sync.suppliers)
        pull.count(outcome)


def supplier_for(sync, number) -> Supplier | None:
    """The local supplier with this Fortnox number, fetched from Fortnox when not known yet."""
    number = str(number or "")
    if not number:
        return None
    if number not in sync.suppliers:
        document = sync.client.get(f"/3/suppliers/{number}")
        upsert(Supplier, sync.organization, "supplier_number", number, supplier_values(document), sync.suppliers)
        sync.count("suppliers_created")
    return sync.suppliers[number]


# --- articles ---------------------------------------------------------------------------------


def article_values(sync, document: dict) -> dict:
    ean = text(document.get("EAN"), 14)
    if ean and (not gtin.is_valid(ean) or sync.ean_taken(ean, document["ArticleNumber"])):
        sync.warn(_("Article %(number)s: EAN “%(ean)s” is not valid or belongs to another article; kept without EAN.")
                  % {"number": document["ArticleNumber"], "ean": ean})
        ean = ""
    if ean:
        sync.eans[ean] = document["ArticleNumber"]
    return {
        "description": text(document.get("Description"), 200),
        "ean": ean,
        "unit": text(document.get("Unit"), 10),
        "weight": whole_number(document.get("Weight")),
        "width": whole_number(document.get("Width")),
        "height": whole_number(document.get("Height")),
        "depth": whole_number(document.get("Depth")),
        # Fortnox's "Lagervara": only stock goods are picked and counted.
        "is_stock_article": bool(document.get("StockGoods")),
        "supplier": supplier_for(sync, document.get("SupplierNumber")),
        "active": document.get("Active") is not False,
    }


def save_article(sync, document: dict) -> tuple[Article, str]:
    number = str(document["ArticleNumber"])
    article, outcome = upsert(Article, sync.organization, "article_number", number, article_values(sync, document),
                              sync.articles)
    return article, outcome


def pull_articles(sync) -> None:
    """The list lacks StockGoods, measures and the supplier: each changed article is read whole."""
    pull = Pull(sync, "articles")
    for item in list(pull.client.iterate("/3/articles", pull.modified_params())):
        _article, outcome = save_article(sync, pull.client.get(f"/3/articles/{item['ArticleNumber']}"))
        pull.count(outcome)


def article_for(sync, number) -> Article | None:
    number = str(number or "")
    if not number:
        return None
    if number not in sync.articles:
        save_article(sync, sync.client.get(f"/3/articles/{number}"))
        sync.count("articles_created")
    return sync.articles[number]


# --- customers --------------------------------------------------------------------------------


def customer_values(document: dict) -> dict:
    return {
        "name": text(document.get("Name"), 200) or text(document.get("CustomerNumber"), 200),
        "customer_type": CUSTOMER_TYPES.get(str(document.get("Type") or "").upper(), Customer.Type.COMPANY),
        "organisation_number": text(document.get("OrganisationNumber"), 30),
        "email": email_or_blank(document.get("Email")),
        "phone": text(document.get("Phone1") or document.get("Phone"), 50),
        "address1": text(document.get("Address1"), 200),
        "address2": text(document.get("Address2"), 200),
        "zip_code": text(document.get("ZipCode"), 20),
        "city": text(document.get("City"), 100),
        "country": text(document.get("Country"), 100),
        "active": document.get("Active") is not False,
    }


def pull_customers(sync) -> None:
    """The list lacks the customer type (B2B/B2C): each new or changed customer is read whole."""
    pull = Pull(sync, "customers")
    for item in list(pull.client.iterate("/3/customers", pull.modified_params())):
        document = pull.client.get(f"/3/customers/{item['CustomerNumber']}")
        _customer, outcome = upsert(Customer, pull.organization, "customer_number", str(document["CustomerNumber"]),
                                    customer_values(document), sync.customers)
        pull.count(outcome)


def customer_for(sync, number) -> Customer:
    number = str(number)
    if number not in sync.customers:
        document = sync.client.get(f"/3/customers/{number}")
        upsert(Customer, sync.organization, "customer_number", number, customer_values(document), sync.customers)
        sync.count("customers_created")
    return sync.customers[number]


# --- sales orders -----------------------------------------------------------------------------

ORDER_FIELDS = {  # local field → (Fortnox field, max length)
    "your_reference": ("YourReference", 50), "our_reference": ("OurReference", 50),
    "your_order_number": ("YourOrderNumber", 75), "way_of_delivery": ("WayOfDelivery", 50),
    "terms_of_delivery": ("TermsOfDelivery", 50), "remarks": ("Remarks", 1024),
    "delivery_name": ("DeliveryName", 200), "delivery_address1": ("DeliveryAddress1", 200),
    "delivery_address2": ("DeliveryAddress2", 200), "delivery_zip_code": ("DeliveryZipCode", 20),
    "delivery_city": ("DeliveryCity", 100), "delivery_country": ("DeliveryCountry", 100),
    "delivery_phone": ("Phone1", 50),
}
DELIVERY_ADDRESS = ("DeliveryName", "DeliveryAddress1", "DeliveryAddress2", "DeliveryZipCode", "DeliveryCity")
# Without a delivery address the order goes to the invoice address.
INVOICE_ADDRESS = {"delivery_name": "CustomerName", "delivery_address1": "Address1", "delivery_address2": "Address2",
                   "delivery_zip_code": "ZipCode", "delivery_city": "City", "delivery_country": "Country"}


def order_snapshot(document: dict) -> dict:
    """What the warehouse takes from a Fortnox order, as plain JSON: compared between pulls to see
    whether Fortnox changed something the warehouse uses (our own delivered quantities, the
    invoice and the warehouse-ready flag are not part of it, so reporting back never looks like
    a change)."""
    has_delivery_address = any(document.get(name) for name in DELIVERY_ADDRESS)
    header = {field: text(document.get(name), limit) for field, (name, limit) in ORDER_FIELDS.items()}
    if not has_delivery_address:
        header.update({field: text(document.get(name), 200) for field, name in INVOICE_ADDRESS.items()})
    email = (document.get("EmailInformation") or {}).get("EmailAddressTo")
    header.update(
        customer=str(document["CustomerNumber"]), order_date=document.get("OrderDate") or "",
        delivery_date=document.get("DeliveryDate") or "", delivery_email=email_or_blank(email),
        cancelled=bool(document.get("Cancelled")),
    )
    header["rows"] = [
        [text(row.get("ArticleNumber"), 50), text(row.get("Description"), 200), str(quantity(row.get("OrderedQuantity"))),
         text(row.get("Unit"), 10)]
        for row in document.get("OrderRows") or []
    ]
    return header


FIELD_LABELS = {"rows": gettext_lazy("rows"), "cancelled": gettext_lazy("cancelled"), "customer": gettext_lazy("customer"),
                "order_date": gettext_lazy("order date"), "delivery_date": gettext_lazy("delivery date")}


def describe_changes(old: dict, new: dict) -> str:
    names = []
    for key in new:
        if old.get(key) != new[key]:
            if key in FIELD_LABELS:
                names.append(str(FIELD_LABELS[key]))
            else:
                names.append(str(SalesOrder._meta.get_field(key).verbose_name))
    if new.get("cancelled") and not old.get("cancelled"):
        return _("Fortnox cancelled the order.")
    return _("Changed in Fortnox: %(fields)s.") % {"fields": ", ".join(names)}


def wanted(settings, document: dict) -> bool:
    """Is this Fortnox order one the warehouse should fulfil (per the settings)?"""
    if document.get("Cancelled") or str(document.get("InvoiceReference") or "0") not in {"0", ""}:
        return False
    return settings.order_selection == settings.OrderSelection.OPEN or not document.get("NotCompleted")


def pull_orders(sync) -> None:
    """First pull: only open orders (per the setting). Later pulls: everything changed since the
    cursor, since a cancellation must reach orders already here."""
    pull = Pull(sync, "orders")
    params = pull.modified_params()
    if not params:
        params = {"filter": "invoicenotcreated"}
        if sync.settings.order_selection == sync.settings.OrderSelection.CONFIRMED:
            params["notcompleted"] = "false"
    links = {link.external_id: link for link in ExternalLink.links_for(pull.organization, ORDER_LINK, SalesOrder)}
    for item in list(pull.client.iterate("/3/orders", params)):
        number = str(item["DocumentNumber"])
        link = links.get(number)
        if link is None and item.get("Cancelled"):
            continue  # never here, and never will be: not worth a call
        document = pull.client.get(f"/3/orders/{number}")
        if link is None:
            if wanted(sync.settings, document):
                create_order(sync, document)
                pull.count("created")
        else:
            pull.count(update_order(sync, link, document))
        sync.progress()


@transaction.atomic
def create_order(sync, document: dict) -> SalesOrder:
    snapshot = order_snapshot(document)
    customer = customer_for(sync, snapshot["customer"])
    order = SalesOrder.objects.create(
        organization=sync.organization, order_number=str(document["DocumentNumber"]), customer=customer,
        order_type=sync.order_type(customer) if sync.settings.set_order_type else None,
        **order_header(snapshot),
    )
    create_rows(sync, order, snapshot["rows"])
    ExternalLink.objects.create(
        organization=sync.organization, kind=ORDER_LINK, content_type=sync.content_type(SalesOrder), object_id=order.pk,
        external_id=order.order_number, last_synced_values=snapshot,
    )
    return order


def order_header(snapshot: dict) -> dict:
    header = {field: snapshot[field] for field in ORDER_FIELDS}
    header.update(order_date=a_date(snapshot["order_date"]) or date.today(), delivery_date=a_date(snapshot["delivery_date"]),
                  delivery_email=snapshot["delivery_email"])
    return header


def create_rows(sync, order: SalesOrder, rows: list) -> None:
    SalesOrderRow.objects.bulk_create([
        SalesOrderRow(order=order, position=position, article=article_for(sync, number), description=description,
                      ordered_quantity=Decimal(ordered), unit=unit)
        for position, (number, description, ordered, unit) in enumerate(rows)
    ])


@transaction.atomic
def update_order(sync, link: ExternalLink, document: dict) -> str:
    snapshot = order_snapshot(document)
    if snapshot == link.last_synced_values:
        return "unchanged"
    order = SalesOrder.objects.select_for_update().filter(pk=link.object_id).first()
    if order is None:
        return "unchanged"
    if order.warehouse_work_started or order.state == SalesOrder.State.CANCELLED:
        note = describe_changes(link.last_synced_values, snapshot)
        if changed(order, {"changed_at_source": True, "source_change_note": note}):
            order.save(update_fields=["changed_at_source", "source_change_note"])
            sync.warn(_("Order %(number)s: %(note)s Not applied: the warehouse has started on it.")
                      % {"number": order.order_number, "note": note})
        return "not_applied"
    if snapshot["cancelled"]:
        warehouse_actions.do_cancel_order(order)
        link.remember(snapshot)
        return "cancelled"
    customer = customer_for(sync, snapshot["customer"])
    values = {**order_header(snapshot), "customer": customer}
    if sync.settings.set_order_type:
        values["order_type"] = sync.order_type(customer)
    fields = changed(order, values)
    if fields:
        order.save(update_fields=fields)
    if snapshot["rows"] != link.last_synced_values.get("rows"):
        order.rows.all().delete()
        create_rows(sync, order, snapshot["rows"])
    link.remember(snapshot)
    return "updated"


# --- purchase orders (Lager+) -----------------------------------------------------------------


def purchase_order_values(sync, document: dict) -> dict:
    return {
        "supplier": supplier_for(sync, document["supplierNumber"]),
        "order_date": a_date(document.get("orderDate")) or date.today(),
        "expected_date": a_date(document.get("deliveryDate")),
        "our_reference": text(document.get("ourReference"), 50),
        "note": text(document.get("note"), 1000),
    }


def pull_purchase_orders(sync) -> None:
    """Sent warehouse purchase orders. The warehouse API has no `lastmodified`: the one list of
    sent orders is read each time, and only new ones (or ones nothing was received on) are written."""
    pull = Pull(sync, "purchase_orders")
    links = {link.external_id: link for link in ExternalLink.links_for(pull.organization, PURCHASE_ORDER_LINK, PurchaseOrder)}
    for item in pull.client.iterate("/api/warehouse/purchaseorders-v1", {"state": "SENT", "purchaseType": "WAREHOUSE"}):
        document = item if "rows" in item else pull.client.get(f"/api/warehouse/purchaseorders-v1/{item['id']}")
        number = str(document["id"])
        rows = [[str(row["id"]), str(row["itemId"]), text(row.get("itemDescription"), 200),
                 str(quantity(row.get("orderedQuantity"))), text(row.get("itemUnit"), 10)] for row in document.get("rows") or []]
        snapshot = {"header": {k: str(v) for k, v in purchase_order_values(sync, document).items()}, "rows": rows}
        link = links.get(number)
        if link is not None and link.last_synced_values == snapshot:
            pull.count("unchanged")
            continue
        pull.count(save_purchase_order(sync, link, number, document, rows, snapshot))


@transaction.atomic
def save_purchase_order(sync, link, number: str, document: dict, rows: list, snapshot: dict) -> str:
    values = purchase_order_values(sync, document)
    if link is None:
        purchase_order = PurchaseOrder.objects.create(organization=sync.organization, order_number=number, **values)
        link = ExternalLink.objects.create(
            organization=sync.organization, kind=PURCHASE_ORDER_LINK, content_type=sync.content_type(PurchaseOrder),
            object_id=purchase_order.pk, external_id=number,
        )
        outcome = "created"
    else:
        purchase_order = PurchaseOrder.objects.select_for_update().get(pk=link.object_id)
        if purchase_order.receipts.exists():
            return "not_applied"  # goods are in: the warehouse's rows stand
        fields = changed(purchase_order, values)
        if fields:
            purchase_order.save(update_fields=fields)
        purchase_order.rows.all().delete()
        outcome = "updated"
    PurchaseOrderRow.objects.bulk_create([
        PurchaseOrderRow(purchase_order=purchase_order, position=position, article=article_for(sync, item_id),
                         description=description, ordered_quantity=Decimal(ordered), unit=unit)
        for position, (_row_id, item_id, description, ordered, unit) in enumerate(rows)
    ])
    link.remember(snapshot)
    return outcome


PULLS = {"suppliers": pull_suppliers, "articles": pull_articles, "customers": pull_customers, "orders": pull_orders,
         "purchase_orders": pull_purchase_orders}
