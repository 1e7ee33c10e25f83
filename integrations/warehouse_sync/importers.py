"""Pulling the warehouse's master data and work from Fortnox (Fortnox is master): suppliers,
articles, customers, ways and terms of delivery, sales orders and purchase orders. Each `pull_<kind>` reads what changed
since the kind's cursor (Fortnox's `lastmodified`, minus an overlap) and upserts it by its
natural key, so re-reading a record is harmless. An idle pull costs one list call per kind.

A sales order already linked is updated from Fortnox (cancellation included) while the warehouse
has not started on it; once picking has begun the change is not applied and the order carries a
visible note of what changed in Fortnox.

Every value is read by a reader that names the Fortnox field and refuses what cannot be kept
(an object where text belongs, a number that is not one or does not fit): the record is then
reported by its number and skipped (`Pull.record`), and the pull goes on with the next. A record
is read whole, and the records it names (customer, articles, supplier) fetched, before any of it
is written, so a record that fails leaves nothing half-made behind.
"""

import logging
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from stdnum import ean as gtin

from integrations.core.models import ExternalLink
from integrations.fortnox.errors import FortnoxNotFound, FortnoxValidationError
from integrations.fortnox.values import lastmodified_since, parse_cursor, to_decimal
from organizations.origin import Origin
from organizations.stored_text import StoredText, gettext_noop
from warehouse import actions as warehouse_actions, shipping_actions
from warehouse.imports import (
    changed,
    do_create_order,
    do_note_change_at_source,
    do_save_purchase_order,
    do_set_received,
    do_update_order,
)
from warehouse.models import (
    Article,
    Customer,
    PurchaseOrder,
    PurchaseOrderRow,
    Receipt,
    ReceiptRow,
    SalesOrder,
    SalesOrderRow,
    Supplier,
    TermsOfDelivery,
    WayOfDelivery,
)

log = logging.getLogger("integrations.warehouse_sync")

ARTICLE_LINK, ORDER_LINK, PURCHASE_ORDER_LINK = "wms_article", "wms_order", "wms_purchase_order"
INCOMING_GOODS_LINK = "wms_incoming_goods"
NOT_INVOICED = ("", "0", None, 0)
# How far back the first pull (and the first after a change of the fulfilment choice) reads
# invoiced orders: said as 30 days in the setting's help text.
INVOICED_LOOKBACK = timedelta(days=30)
CUSTOMER_TYPES = {"PRIVATE": Customer.Type.PRIVATE, "COMPANY": Customer.Type.COMPANY}


NUMBER_LENGTH = 50  # the max_length of every number the warehouse keys a record by
LARGEST_MEASURE = 2_147_483_647  # what a PositiveIntegerField holds on every database
QUANTITY_LIMIT = Decimal("1e9")  # a quantity field has 12 digits, 3 of them decimals
# A record Fortnox sent that cannot be kept (ValueError), or one it no longer has or will not
# give (a record it names, too): skipped and reported. Anything else about Fortnox fails the kind.
RECORD_ERRORS = (ValueError, FortnoxNotFound, FortnoxValidationError)


def shown(value, limit: int = 40) -> str:
    """A value as a log line quotes it: a 100,000-character one is not copied whole."""
    quoted = repr(value)
    return quoted if len(quoted) <= limit else quoted[:limit] + "…"


def record(value, name: str = "") -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{name + ': ' if name else ''}{shown(value)} is not a record")
    return value


def records(document: dict, name: str) -> list[dict]:
    value = document.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{name}: {shown(value)} is not a list")
    return [record(item, name) for item in value]


def number_of(document, name: str, *, required: bool = True) -> str:
    """The number (article, customer, order, …) the warehouse keys a record by; "" when an
    optional one is absent."""
    value = record(document).get(name)
    if not required and value in (None, ""):
        return ""
    number = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not number.strip() or len(number) > NUMBER_LENGTH or "\x00" in number:
        raise ValueError(f"{name}: {shown(value)} is not a number a record can have")
    return number


def path(prefix: str, number: str) -> str:
    """A record's path: a number with "/" or "?" in it still names that record, not another path."""
    return f"{prefix}/{quote(number, safe='')}"


def text(document: dict, name: str, limit: int) -> str:
    value = document.get(name)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{name}: {shown(value)} is not text")
    # No database keeps a lone surrogate and PostgreSQL no NUL; neither is ever meant.
    return str(value).encode(errors="replace").decode().replace("\x00", "").strip()[:limit]


def decimal(document: dict, name: str) -> Decimal | None:
    value = document.get(name)
    try:
        return to_decimal(value)
    except ValueError:
        raise ValueError(f"{name}: {shown(value)} is not a number") from None


def quantity(document: dict, name: str) -> Decimal:
    value = decimal(document, name) or Decimal("0")
    if abs(value) >= QUANTITY_LIMIT:
        raise ValueError(f"{name}: {shown(document[name])} is too large a quantity")
    return value


def whole_number(document: dict, name: str) -> int | None:
    value = decimal(document, name)
    if value is None or value < 0:
        return None
    if value > LARGEST_MEASURE:
        raise ValueError(f"{name}: {shown(document[name])} is too large")
    return int(value)


def a_date(document: dict, name: str) -> date | None:
    value = document.get(name)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: {shown(value)} is not a date") from None


def email_or_blank(document: dict, name: str) -> str:
    value = text(document, name, 254)
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


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
    """One kind's pull within a run: its cursor, its share of the run's counts, and the Fortnox
    name of the number its records are known by."""

    def __init__(self, sync, kind: str, number_name: str):
        self.sync, self.kind, self.number_name = sync, kind, number_name
        self.organization = sync.organization
        self.client = sync.client
        cursor = sync.settings.cursors.get(kind)
        self.since = parse_cursor(cursor)

    def modified_params(self) -> dict:
        return {"lastmodified": lastmodified_since(self.since)} if self.since else {}

    def count(self, outcome: str) -> None:
        self.sync.count(f"{self.kind}_{outcome}")

    @contextmanager
    def record(self, document):
        """Around the import of one listed record: one that cannot be imported is reported by
        its number and skipped."""
        try:
            yield
        except RECORD_ERRORS as error:
            try:
                name = number_of(document, self.number_name)
            except ValueError:
                name = shown(document.get(self.number_name) if isinstance(document, dict) else document)
            self.sync.skip_record(self.kind, name, error)


# --- suppliers --------------------------------------------------------------------------------


def supplier_values(number: str, document: dict) -> dict:
    return {
        "name": text(document, "Name", 200) or number,
        "organisation_number": text(document, "OrganisationNumber", 30),
        "email": email_or_blank(document, "Email"),
        "phone": text(document, "Phone", 50) or text(document, "Phone1", 50),
        "active": document.get("Active") is not False,
    }


def pull_suppliers(sync) -> None:
    """The list items carry every field the warehouse keeps: no call per supplier."""
    pull = Pull(sync, "suppliers", "SupplierNumber")
    for document in pull.client.iterate("/3/suppliers", pull.modified_params()):
        with pull.record(document):
            number = number_of(document, "SupplierNumber")
            _supplier, outcome = upsert(Supplier, pull.organization, "supplier_number", number,
                                        supplier_values(number, document), sync.suppliers)
            pull.count(outcome)


def save_supplier(sync, number: str) -> tuple[Supplier, str]:
    """The supplier with this number read from Fortnox, and upserted (an event names one)."""
    document = record(sync.client.get(path("/3/suppliers", number)))
    return upsert(Supplier, sync.organization, "supplier_number", number, supplier_values(number, document),
                  sync.suppliers)


def supplier_for(sync, number: str) -> Supplier | None:
    """The local supplier with this Fortnox number, fetched from Fortnox when not known yet."""
    if not number:
        return None
    if number not in sync.suppliers:
        document = record(sync.client.get(path("/3/suppliers", number)))
        upsert(Supplier, sync.organization, "supplier_number", number, supplier_values(number, document), sync.suppliers)
        sync.count("suppliers_created")
    return sync.suppliers[number]


# --- articles ---------------------------------------------------------------------------------


def article_values(sync, number: str, document: dict) -> dict:
    values = {
        "description": text(document, "Description", 200),
        "unit": text(document, "Unit", 10),
        # Fortnox writes 0 for a weight or measure nobody entered: unknown, not nothing (an order
        # of such articles would weigh 0 kg for the transporter rules and the packing table).
        "weight": whole_number(document, "Weight") or None,
        "width": whole_number(document, "Width") or None,
        "height": whole_number(document, "Height") or None,
        "depth": whole_number(document, "Depth") or None,
        # Fortnox's "Lagervara": only stock goods are picked and counted.
        "is_stock_article": bool(document.get("StockGoods")),
        "supplier": supplier_for(sync, number_of(document, "SupplierNumber", required=False)),
        "active": document.get("Active") is not False,
    }
    ean = text(document, "EAN", 14)
    if ean and (not gtin.is_valid(ean) or sync.ean_taken(ean, number)):
        sync.warn(StoredText(gettext_noop("Article %(number)s: EAN “%(ean)s” is not valid or belongs to another article; "
                                          "kept without EAN."), number=number, ean=ean))
        ean = ""
    if ean:
        sync.eans[ean] = number  # last: an article that fails before this claims no EAN
    return {**values, "ean": ean}


def save_article(sync, number: str) -> tuple[Article, str]:
    """The article with this number read whole from Fortnox, and upserted."""
    document = record(sync.client.get(path("/3/articles", number)))
    return upsert(Article, sync.organization, "article_number", number, article_values(sync, number, document),
                  sync.articles)


def pull_read_whole(sync, kind: str, list_path: str, key: str, save) -> None:
    """Each record the list names as changed since the last pull, read whole and saved by `save`
    (when the list lacks fields the warehouse keeps)."""
    pull = Pull(sync, kind, key)
    for item in list(pull.client.iterate(list_path, pull.modified_params())):
        with pull.record(item):
            _record, outcome = save(sync, number_of(item, key))
            pull.count(outcome)


def pull_articles(sync) -> None:
    """The list lacks StockGoods, measures and the supplier: each changed article is read whole."""
    pull_read_whole(sync, "articles", "/3/articles", "ArticleNumber", save_article)


def article_for(sync, number: str) -> Article | None:
    if not number:
        return None
    if number not in sync.articles:
        save_article(sync, number)
        sync.count("articles_created")
    return sync.articles[number]


# --- customers --------------------------------------------------------------------------------


def customer_values(number: str, document: dict) -> dict:
    return {
        "name": text(document, "Name", 200) or number,
        "customer_type": CUSTOMER_TYPES.get(str(document.get("Type") or "").upper(), Customer.Type.COMPANY),
        "organisation_number": text(document, "OrganisationNumber", 30),
        "email": email_or_blank(document, "Email"),
        "phone": text(document, "Phone1", 50) or text(document, "Phone", 50),
        "address1": text(document, "Address1", 200),
        "address2": text(document, "Address2", 200),
        "zip_code": text(document, "ZipCode", 20),
        "city": text(document, "City", 100),
        "country": text(document, "Country", 100),
        "active": document.get("Active") is not False,
    }


def save_customer(sync, number: str) -> tuple[Customer, str]:
    """The customer with this number read whole from Fortnox, and upserted."""
    document = record(sync.client.get(path("/3/customers", number)))
    return upsert(Customer, sync.organization, "customer_number", number, customer_values(number, document),
                  sync.customers)


def pull_customers(sync) -> None:
    """The list lacks the customer type (B2B/B2C): each new or changed customer is read whole."""
    pull_read_whole(sync, "customers", "/3/customers", "CustomerNumber", save_customer)


def customer_for(sync, number: str) -> Customer:
    if number not in sync.customers:
        save_customer(sync, number)
        sync.count("customers_created")
    return sync.customers[number]


# --- ways and terms of delivery -----------------------------------------------------------------

DELIVERY_REGISTERS = {"ways_of_delivery": ("/3/wayofdeliveries", WayOfDelivery),
                      "terms_of_delivery": ("/3/termsofdeliveries", TermsOfDelivery)}


def pull_delivery_register(sync, kind: str) -> None:
    """The codes an order's way or terms of delivery name; the list items are whole. Fortnox
    deletes ways of delivery, but an order may still name a deleted code: local codes are kept."""
    url, model = DELIVERY_REGISTERS[kind]
    pull = Pull(sync, kind, "Code")
    known = {code.code: code for code in model.objects.for_organization(pull.organization)}
    for document in pull.client.iterate(url, pull.modified_params()):
        with pull.record(document):
            code = number_of(document, "Code")
            _code, outcome = upsert(model, pull.organization, "code", code, {
                "description": text(document, "Description", 200),
                "description_english": text(document, "DescriptionEnglish", 100),
            }, known)
            pull.count(outcome)


def pull_ways_of_delivery(sync) -> None:
    pull_delivery_register(sync, "ways_of_delivery")


def pull_terms_of_delivery(sync) -> None:
    pull_delivery_register(sync, "terms_of_delivery")


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
    header = {field: text(document, name, limit) for field, (name, limit) in ORDER_FIELDS.items()}
    if not has_delivery_address:
        header.update({field: text(document, name, 200) for field, name in INVOICE_ADDRESS.items()})
    order_date, delivery_date = a_date(document, "OrderDate"), a_date(document, "DeliveryDate")
    header.update(
        customer=number_of(document, "CustomerNumber"), order_date=order_date.isoformat() if order_date else "",
        delivery_date=delivery_date.isoformat() if delivery_date else "",
        delivery_email=email_or_blank(record(document.get("EmailInformation") or {}, "EmailInformation"), "EmailAddressTo"),
        cancelled=bool(document.get("Cancelled")), language=text(document, "Language", 8).lower(),
    )
    header["rows"] = [
        [number_of(row, "ArticleNumber", required=False), text(row, "Description", 200),
         str(quantity(row, "OrderedQuantity")), text(row, "Unit", 10)]
        for row in records(document, "OrderRows")
    ]
    return header


FIELD_LABELS = {"rows": gettext_lazy("rows"), "cancelled": gettext_lazy("cancelled"), "customer": gettext_lazy("customer"),
                "language": gettext_lazy("language"),
                "order_date": gettext_lazy("order date"), "delivery_date": gettext_lazy("delivery date")}


def describe_changes(old: dict, new: dict) -> str:
    old = {"language": new.get("language"), **old}  # remembered before the language was read
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


def invoiced(document: dict) -> bool:
    return str(document.get("InvoiceReference") or "0") not in {str(v) for v in NOT_INVOICED}


def wanted(settings, document: dict) -> bool:
    """Is this Fortnox order one the warehouse should fulfil (per the settings: its status, and
    whether it is fulfilled invoiced, not invoiced or either way)?"""
    if document.get("Cancelled") or not settings.fulfils(invoiced(document)):
        return False
    return settings.order_selection == settings.OrderSelection.OPEN or not document.get("NotCompleted")


def order_lists(sync, pull: Pull) -> list[dict]:
    """The list calls of an order pull. Later pulls read everything changed since the cursor (a
    cancellation must reach orders already here). The first pull, and the first one after the
    fulfilment choice or the status changed, also read what the choice takes in as Fortnox has it
    now: the open orders without an invoice, and invoiced orders changed in the last
    `INVOICED_LOOKBACK` (never the whole history of invoiced orders)."""
    settings = sync.settings
    lists = [pull.modified_params()] if pull.since else []
    if pull.since and settings.orders_pulled_for == settings.order_choice:
        return lists
    status = {"notcompleted": "false"} if settings.order_selection == settings.OrderSelection.CONFIRMED else {}
    if settings.fulfils(invoiced=False):
        lists.append({"filter": "invoicenotcreated", **status})
    if settings.fulfils(invoiced=True):
        lists.append({"filter": "invoicecreated", **status,
                      "lastmodified": lastmodified_since(timezone.now() - INVOICED_LOOKBACK, overlap=timedelta(0))})
    return lists


def orders_waiting(sync, links: dict) -> list[str]:
    """The numbers of the Fortnox orders waiting in the queue that nobody has started on. A pull
    that reads lists of what Fortnox has now (the first one, or the first after the choice of
    orders changed) reads each of them it did not list again: those lists leave out an order
    cancelled in Fortnox (or no longer one the choice takes), which must leave the queue."""
    waiting = set(SalesOrder.objects.for_organization(sync.organization).filter(
        state=SalesOrder.State.OPEN, picking_started_at__isnull=True).values_list("pk", flat=True))
    return sorted(number for number, link in links.items() if link.object_id in waiting)


def pull_orders(sync) -> None:
    """The orders of `order_lists`, each read whole; new ones the settings want are created,
    linked ones updated (see `update_order`)."""
    pull = Pull(sync, "orders", "DocumentNumber")
    links = {link.external_id: link for link in ExternalLink.links_for(pull.organization, ORDER_LINK, SalesOrder)}
    as_fortnox_has_them_now = not pull.since or sync.settings.orders_pulled_for != sync.settings.order_choice
    items, seen = [], set()
    for params in order_lists(sync, pull):
        for item in pull.client.iterate("/3/orders", params):
            try:
                key = number_of(item, "DocumentNumber")
            except ValueError:  # no readable number: its own record step reports it
                items.append(item)
                continue
            if key not in seen:
                seen.add(key)
                items.append(item)
    if as_fortnox_has_them_now:
        items += [{"DocumentNumber": number} for number in orders_waiting(sync, links) if number not in seen]
    for item in items:
        with pull.record(item):
            number = number_of(item, "DocumentNumber")
            link = links.get(number)
            if link is None and item.get("Cancelled"):
                continue  # never here, and never will be: not worth a call
            outcome = import_order(sync, number, link, links)
            if outcome:
                pull.count(outcome)
        sync.progress()


def import_order(sync, number: str, link: ExternalLink | None, links: dict | None = None) -> str | None:
    """One order read whole from Fortnox and created (when wanted) or updated by the warehouse's
    rules; the outcome, or None for an order the warehouse does not take. The pull and an event
    from Fortnox's stream both come here. `links` (the pull's) learns the order's new link."""
    document = record(sync.client.get(path("/3/orders", number)))
    if link is None:
        if not wanted(sync.settings, document):
            return None
        # Known from now on: the same order again further down the list (it moved
        # between pages while they were read) is an update, not a second order.
        created = create_order(sync, number, document)
        if links is not None:
            links[number] = created
        return "created"
    return update_order(sync, link, document)


def create_order(sync, number: str, document: dict) -> ExternalLink:
    snapshot = order_snapshot(document)
    customer = customer_for(sync, snapshot["customer"])
    rows = order_rows(sync, snapshot["rows"])
    with transaction.atomic():
        order = do_create_order(sync.organization, number, {
            "customer": customer, "order_type": sync.order_type(customer) if sync.settings.set_order_type else None,
            **order_header(snapshot),
        }, rows, origin=Origin.EXTERNAL)
        assign_service(sync, order, rows)
        return ExternalLink.objects.create(
            organization=sync.organization, kind=ORDER_LINK, content_type=sync.content_type(SalesOrder),
            object_id=order.pk, external_id=number, last_synced_values=snapshot,
        )


def order_header(snapshot: dict) -> dict:
    header = {field: snapshot[field] for field in ORDER_FIELDS}
    header.update(order_date=a_date(snapshot, "order_date") or date.today(),
                  delivery_date=a_date(snapshot, "delivery_date"), delivery_email=snapshot["delivery_email"],
                  language=snapshot.get("language", ""))
    return header


def order_rows(sync, rows: list) -> list[SalesOrderRow]:
    """An order's rows, not saved yet, with their articles (fetched from Fortnox when new). They
    are made before the order's transaction: an article created inside it would be undone with
    an order that then fails, while the run's lookup table still held it."""
    return [
        SalesOrderRow(position=position, article=article_for(sync, number), description=description,
                      ordered_quantity=Decimal(ordered), unit=unit)
        for position, (number, description, ordered, unit) in enumerate(rows)
    ]


def update_order(sync, link: ExternalLink, document: dict) -> str:
    snapshot = order_snapshot(document)
    if not snapshot["cancelled"] and not sync.settings.fulfils(invoiced(document)):
        outcome = withdraw_order(sync, link, snapshot, invoiced(document))
        if outcome:
            return outcome
    # Orders remembered before the language was read: that alone is no change from Fortnox.
    if snapshot == {"language": snapshot["language"], **link.last_synced_values}:
        return "unchanged"
    # What the update uses, fetched before the transaction as in `order_rows`: nothing for a
    # cancellation, the rows only when they changed.
    rows_changed = snapshot["rows"] != link.last_synced_values.get("rows")
    cancelled = snapshot["cancelled"]
    customer = None if cancelled else customer_for(sync, snapshot["customer"])
    rows = order_rows(sync, snapshot["rows"]) if rows_changed and not cancelled else None
    with transaction.atomic():
        order = SalesOrder.objects.select_for_update().filter(pk=link.object_id).first()
        if order is None:
            return "unchanged"
        if order.warehouse_work_started or order.state == SalesOrder.State.CANCELLED:
            note = StoredText.each_language(describe_changes, link.last_synced_values, snapshot)
            if do_note_change_at_source(order, note):
                sync.warn(StoredText(gettext_noop("Order %(number)s: %(note)s Not applied: the warehouse has started on it."),
                                     number=order.order_number, note=note))
            return "not_applied"
        if cancelled:
            warehouse_actions.do_cancel_order(order)
            link.remember(snapshot)
            return "cancelled"
        values = {**order_header(snapshot), "customer": customer}
        if sync.settings.set_order_type:
            values["order_type"] = sync.order_type(customer)
        do_update_order(order, values, rows if rows_changed else None, origin=Origin.EXTERNAL)
        assign_service(sync, order, rows)
        link.remember(snapshot)
        return "updated"


def withdraw_order(sync, link: ExternalLink, snapshot: dict, is_invoiced: bool) -> str | None:
    """An order waiting in the queue that the fulfilment choice no longer takes (Fortnox invoiced
    it, or the choice changed) leaves the queue: cancelled here, with a note saying why, and
    nothing sent to Fortnox. None when the warehouse has started on it or it is gone from the
    queue already: then it stays as it is."""
    with transaction.atomic():
        order = SalesOrder.objects.select_for_update().filter(pk=link.object_id).first()
        if order is None or order.state != SalesOrder.State.OPEN or order.warehouse_work_started:
            return None
        if is_invoiced:
            note = StoredText(gettext_noop(
                "Not fulfilled by the warehouse: Fortnox has invoiced the order, and the warehouse integration "
                "fulfils only orders without an invoice."))
        else:
            note = StoredText(gettext_noop(
                "Not fulfilled by the warehouse: the order has no invoice in Fortnox, and the warehouse integration "
                "fulfils only invoiced orders."))
        warehouse_actions.do_cancel_order(order)
        do_note_change_at_source(order, note)
        link.remember(snapshot)
    sync.warn(StoredText(gettext_noop("Order %(number)s: %(note)s Taken out of the pick queue."),
                         number=order.order_number, note=note))
    return "withdrawn"


def assign_service(sync, order: SalesOrder, rows) -> None:
    """The order's transporter service from the rules (`rows`: None to read them). A way of
    delivery Fortnox's register does not know is kept as sent and said in the run's log; the
    rules still see it, and the order is flagged if none matches."""
    code = order.way_of_delivery
    if code and sync.ways_of_delivery and code not in sync.ways_of_delivery:
        sync.warn(StoredText(gettext_noop("Order %(number)s: way of delivery “%(code)s” is not in Fortnox's register of "
                                          "ways of delivery."), number=order.order_number, code=code))
    shipping_actions.do_assign_service(order, sync.transporter_rules, rows)


# --- purchase orders (Lager+) -----------------------------------------------------------------


def purchase_order_values(sync, document: dict) -> dict:
    return {
        "supplier": supplier_for(sync, number_of(document, "supplierNumber")),
        "order_date": a_date(document, "orderDate") or date.today(),
        "expected_date": a_date(document, "deliveryDate"),
        "our_reference": text(document, "ourReference", 50),
        "note": text(document, "note", 1000),
    }


def pull_purchase_orders(sync) -> None:
    """Sent warehouse purchase orders, with what Fortnox has already received on them. The
    warehouse API has no `lastmodified`: the one list of sent orders is read each time, and only
    new or changed ones are written."""
    pull = Pull(sync, "purchase_orders", "id")
    links = {link.external_id: link for link in ExternalLink.links_for(pull.organization, PURCHASE_ORDER_LINK, PurchaseOrder)}
    for item in pull.client.iterate("/api/warehouse/purchaseorders-v1", {"state": "SENT", "purchaseType": "WAREHOUSE"}):
        with pull.record(item):
            number = number_of(item, "id")
            if "rows" in item:
                document = item
            else:
                document = record(pull.client.get(path("/api/warehouse/purchaseorders-v1", number)))
            rows = [[number_of(row, "id"), number_of(row, "itemId"), text(row, "itemDescription", 200),
                     str(quantity(row, "orderedQuantity")), text(row, "itemUnit", 10),
                     str(quantity(row, "receivedQuantity"))]
                    for row in records(document, "rows")]
            values = purchase_order_values(sync, document)
            snapshot = {"header": {k: str(v) for k, v in values.items()}, "rows": rows}
            link = links.get(number)
            if link is not None and link.last_synced_values == snapshot:
                pull.count("unchanged")
                continue
            # The articles before the purchase order's transaction, as in `order_rows`.
            articles = [article_for(sync, item_id) for _row_id, item_id, *_rest in rows]
            outcome, links[number] = save_purchase_order(sync, link, number, values, list(zip(articles, rows)), snapshot)
            pull.count(outcome)


@transaction.atomic
def save_purchase_order(sync, link, number: str, values: dict, rows: list, snapshot: dict) -> tuple[str, ExternalLink]:
    """(outcome, link); `rows` pairs each row's article with the row as the snapshot has it."""
    if link is None:
        purchase_order = do_save_purchase_order(sync.organization, None, number, values, purchase_order_rows(rows),
                                                 origin=Origin.EXTERNAL)
        link = ExternalLink.objects.create(
            organization=sync.organization, kind=PURCHASE_ORDER_LINK, content_type=sync.content_type(PurchaseOrder),
            object_id=purchase_order.pk, external_id=number,
        )
        outcome = "created"
    else:
        purchase_order = PurchaseOrder.objects.select_for_update().get(pk=link.object_id)
        if purchase_order.receipts.exists():
            # Goods are in: the warehouse's rows stand, and only what Fortnox received is taken.
            outcome = "updated" if take_received(purchase_order, [row[-1] for _article, row in rows]) else "not_applied"
            link.remember(snapshot)
            return outcome, link
        do_save_purchase_order(sync.organization, purchase_order, number, values, purchase_order_rows(rows),
                               origin=Origin.EXTERNAL)
        outcome = "updated"
    link.remember(snapshot)
    return outcome, link


def purchase_order_rows(rows: list) -> list[PurchaseOrderRow]:
    """The rows to write, not saved yet (see `save_purchase_order` for `rows`)."""
    return [
        PurchaseOrderRow(position=position, article=article, description=description,
                         ordered_quantity=Decimal(ordered), received_quantity=Decimal(received), unit=unit)
        for position, (article, (_row_id, _item_id, description, ordered, unit, received)) in enumerate(rows)
    ]


def take_received(purchase_order: PurchaseOrder, fortnox_received: list[str]) -> bool:
    """Each row's received quantity becomes what Fortnox has received plus what the warehouse
    received and has not reported yet (a receipt is in Fortnox once its incoming goods are
    released). Returns whether anything changed."""
    reported = ExternalLink.links_for(purchase_order.organization_id, INCOMING_GOODS_LINK, Receipt).filter(
        Q(last_synced_values__released=True) | Q(last_synced_values__completed=True)).values("object_id")
    unreported = dict(ReceiptRow.objects.filter(purchase_order_row__purchase_order=purchase_order)
                      .exclude(receipt_id__in=reported).values("purchase_order_row_id")
                      .annotate(total=Sum("quantity")).values_list("purchase_order_row_id", "total"))
    rows = list(purchase_order.rows.order_by("position", "pk"))
    totals = [Decimal(received) + unreported.get(row.pk, Decimal(0)) for row, received in zip(rows, fortnox_received)]
    # zip stops at the shorter: rows beyond what Fortnox lists keep what they have.
    totals += [row.received_quantity for row in rows[len(totals):]]
    return do_set_received(purchase_order, rows, totals, origin=Origin.EXTERNAL)


PULLS = {"suppliers": pull_suppliers, "articles": pull_articles, "customers": pull_customers,
         "ways_of_delivery": pull_ways_of_delivery, "terms_of_delivery": pull_terms_of_delivery, "orders": pull_orders,
         "purchase_orders": pull_purchase_orders}
