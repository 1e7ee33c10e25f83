"""Reporting what happened in the warehouse back to Fortnox (the warehouse is master of that).

Outbox handlers (see `integrations.core.outbox`; events are written by `receivers` in the transaction
of the warehouse action):
- `wms_fulfilment`: delivered quantities on the Fortnox order rows, with the warehouse module
  delivery state and `warehouseready`, then exactly one invoice;
- `wms_custom_document`: an adjustment, return or receipt as a released custom warehouse document;
- `wms_purchase_order_report`: receipts of a Lager+ purchase order as incoming goods (created,
  released, completed), then the purchase order completed when the warehouse is done with it.
Plus `write_stock_levels`, the classic stock write-back at the end of a run.

Every step first looks at what Fortnox already has (the order's `InvoiceReference`, a released
flag, an incoming-goods document with our delivery note), so an attempt repeated after a lost
response finishes the work instead of doing it twice; external ids are committed at once.
"""

import logging
from decimal import Decimal
from operator import attrgetter

from django.contrib.contenttypes.models import ContentType
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from integrations.core import outbox
from integrations.core.models import ExternalLink
from integrations.fortnox.errors import FortnoxAuthError, FortnoxError, FortnoxNotFound, FortnoxValidationError
from organizations.actions import do_notify
from organizations.stored_text import StoredText, gettext_noop
from warehouse.models import Adjustment, Article, PurchaseOrder, Receipt, Return, SalesOrder

from .importers import ARTICLE_LINK, INCOMING_GOODS_LINK, ORDER_LINK, PURCHASE_ORDER_LINK, invoiced, quantity
from .mode import TENANT, read_warehouse_mode
from .models import WarehouseSyncSettings

log = logging.getLogger("integrations.warehouse_sync")

INVOICE_LINK, DOCUMENT_LINK = "wms_invoice", "wms_custom_document"
BACK_ORDER_LINK = "wms_back_order"  # on the short order: the number of the back order Fortnox made of it
BACK_ORDER_CANDIDATES = 3
ALREADY_RELEASED = "cannot_modify_released_document"
CUSTOM_DOCUMENTS = "/api/warehouse/documentdeliveries/custom"
INCOMING_GOODS = "/api/warehouse/incominggoods-v1"
PURCHASE_ORDERS = "/api/warehouse/purchaseorders-v1"


class WarehouseModeMismatch(FortnoxError):
    """Brygga's "use the warehouse module" setting does not match the Fortnox company."""

    def __init__(self, fortnox_has_it: bool):
        self.fortnox_has_it = fortnox_has_it
        super().__init__(f"warehouse module: Fortnox {'on' if fortnox_has_it else 'off'}, Brygga the other way",
                         code="warehouse_mode", message="Lager")

    @property
    def user_message(self) -> str:
        if self.fortnox_has_it:
            return str(_(
                "The Fortnox company uses the warehouse module (Lager), but Brygga's warehouse integration is set not "
                "to. Fortnox then owns stock and delivered quantities, so the order was not reported. Turn on “Use the "
                "Fortnox warehouse module” in the warehouse integration settings, then retry."
            ))
        return str(_(
            "Brygga's warehouse integration is set to use the Fortnox warehouse module (Lager), but the Fortnox "
            "company does not have it activated. Turn the setting off, or activate Lager in Fortnox, then retry."
        ))


class DeliveredLessInFortnox(FortnoxError):
    default_message = gettext_lazy(
        "Fortnox accepted the order but did not take the delivered quantities: with the warehouse module it delivers "
        "nothing of an article whose stock in Fortnox is too low (when negative stock is not allowed). No invoice was "
        "made. Correct the stock in Fortnox, then retry."
    )


class OrderCancelledInFortnox(FortnoxError):
    default_message = gettext_lazy("The order was cancelled in Fortnox, so it cannot be delivered or invoiced there.")


def check_warehouse_mode(client, settings: WarehouseSyncSettings) -> None:
    """Fortnox may have changed since the person pressed the button: read before writing (and so
    block the next reports up front too)."""
    activated = read_warehouse_mode(client, settings)
    if activated != settings.use_warehouse_module:
        raise WarehouseModeMismatch(activated)


def _link(obj, kind: str, external_id) -> ExternalLink:
    link, _created = ExternalLink.objects.get_or_create(
        organization_id=obj.organization_id, kind=kind, content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk, defaults={"external_id": str(external_id)},
    )
    return link


def _local(model, event, *related):
    obj = model.objects.filter(pk=event.object_id, organization_id=event.organization_id).select_related(*related).first()
    if obj is None:
        raise outbox.PushSkipped(f"the {model._meta.verbose_name} no longer exists")
    return obj


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


# --- fulfilment -------------------------------------------------------------------------------


def delivered_rows(order: SalesOrder, fortnox_rows: list[dict]) -> list[dict]:
    """Every Fortnox row by its current RowId (rows not sent would be deleted), with the delivered
    quantity of the local row at the same position; a row Fortnox has that the warehouse does
    not know (added after work started) delivers nothing."""
    local = {row.position: row for row in order.rows.select_related("article")}
    rows = []
    for position, fortnox_row in enumerate(fortnox_rows):
        row = local.get(position)
        same_article = row is not None and (row.article.article_number if row.article else "") == (fortnox_row.get("ArticleNumber") or "")
        delivered = row.delivered_quantity if same_article else Decimal("0")
        rows.append({"RowId": fortnox_row["RowId"], "DeliveredQuantity": _number(delivered)})
    return rows


def _needs_update(document: dict, rows: list[dict], settings) -> bool:
    if settings.use_warehouse_module and document.get("DeliveryState") != "delivery":
        return True
    current = {row["RowId"]: Decimal(str(row.get("DeliveredQuantity") or 0)) for row in document.get("OrderRows") or []}
    return any(current.get(row["RowId"]) != Decimal(row["DeliveredQuantity"]) for row in rows)


@outbox.handler("wms_fulfilment")
def push_fulfilment(event, client):
    order = _local(SalesOrder, event)
    link = ExternalLink.link_of(order, ORDER_LINK)
    if link is None:
        raise outbox.PushSkipped("the order did not come from Fortnox")
    if ExternalLink.link_of(order, INVOICE_LINK) is not None:
        raise outbox.PushSkipped("already invoiced")
    settings = WarehouseSyncSettings.get_or_create_for(order.organization)
    outbox.note_request(event, "GET", TENANT, {}, str(order))  # a refusal here names the order too
    check_warehouse_mode(client, settings)
    path = f"/3/orders/{link.external_id}"
    document = client.get(path)
    if invoiced(document):
        # Invoiced in Fortnox before the warehouse reported (a prepaid order, or by hand): Fortnox
        # changes an invoiced order no more, and it has its one invoice. The order's state says so.
        _link(order, INVOICE_LINK, document["InvoiceReference"]).remember({"invoiced_in_fortnox": True})
        return
    if document.get("Cancelled"):
        raise OrderCancelledInFortnox(f"order {link.external_id} is cancelled in Fortnox")
    document = _put_delivered_quantities(event, client, order, path, document, settings)
    if settings.use_warehouse_module and not document.get("WarehouseReady"):
        document = client.put(f"{path}/warehouseready")
    _create_invoice_once(client, order, path)
    if settings.back_orders_in_fortnox:
        _name_the_back_order(event, client, order, document)


def _put_delivered_quantities(event, client, order: SalesOrder, path: str, document: dict, settings) -> dict:
    """Fortnox gives every row a new RowId on each update, so a PUT repeated after a lost
    response names rows that are gone and is refused. Whatever the failure, the order as Fortnox
    now has it decides: done if it already shows our quantities, else the error stands."""
    rows = delivered_rows(order, document.get("OrderRows") or [])
    if not _needs_update(document, rows, settings):
        return document
    body = {"Order": {"OrderRows": rows, **({"DeliveryState": "delivery"} if settings.use_warehouse_module else {})}}
    outbox.note_request(event, "PUT", path, body, str(order))
    try:
        document = client.put(path, body)
    except FortnoxError:
        document = client.get(path)
        if _needs_update(document, delivered_rows(order, document.get("OrderRows") or []), settings):
            raise
        return document
    if _needs_update(document, delivered_rows(order, document.get("OrderRows") or []), settings):
        # Accepted, but not as sent: with Lager and too little stock Fortnox delivers 0.
        raise DeliveredLessInFortnox(f"order {order.order_number}: Fortnox kept other delivered quantities")
    return document


def _create_invoice_once(client, order: SalesOrder, path: str) -> None:
    """`createinvoice` is a PUT, so the client repeats it after a lost response; Fortnox then
    refuses the second one (already invoiced). Either way, the order itself says whether an
    invoice exists, and its number is kept at once."""
    try:
        number = client.put(f"{path}/createinvoice")["DocumentNumber"]
    except FortnoxError:
        document = client.get(path)
        if not invoiced(document):
            raise
        number = document["InvoiceReference"]
    _link(order, INVOICE_LINK, number)


def short_quantities(order: SalesOrder) -> dict[str, Decimal]:
    return {row.article.article_number: row.ordered_quantity - row.delivered_quantity
            for row in order.rows.select_related("article") if row.article and row.ordered_quantity > row.delivered_quantity}


def find_back_order(client, order: SalesOrder, document: dict) -> str | None:
    """The back order Fortnox made when the short order was invoiced: Fortnox links it to nothing,
    so it is the customer's first back order numbered after the order, not yet claimed by another
    order, whose rows are exactly what was short."""
    short = short_quantities(order)
    if not short:
        return None
    claimed = set(ExternalLink.objects.filter(organization_id=order.organization_id, kind=BACK_ORDER_LINK)
                  .values_list("external_id", flat=True))
    listed = client.get("/3/orders", params={"ordertype": "Backorder", "customernumber": document.get("CustomerNumber") or ""})
    after = int(document["DocumentNumber"])
    numbers = sorted(int(d["DocumentNumber"]) for d in listed or [] if str(d.get("DocumentNumber", "")).isdigit()
                     and int(d["DocumentNumber"]) > after and str(d["DocumentNumber"]) not in claimed)
    for number in numbers[:BACK_ORDER_CANDIDATES]:
        rows = {}
        for row in client.get(f"/3/orders/{number}").get("OrderRows") or []:
            rows[row.get("ArticleNumber")] = rows.get(row.get("ArticleNumber"), Decimal("0")) + quantity(row, "OrderedQuantity")
        if rows == short:
            return str(number)
    return None


def _name_the_back_order(event, client, order: SalesOrder, document: dict) -> None:
    """Tell the person who reported the short fulfilment which back order Fortnox made. Only news:
    the invoice exists, so not finding it (or Fortnox failing to list it) fails nothing."""
    if ExternalLink.link_of(order, BACK_ORDER_LINK) is not None or not short_quantities(order):
        return
    try:
        number = find_back_order(client, order, document)
    except (FortnoxError, ValueError, KeyError) as error:
        log.warning("back order of order %s not found: %s", order.pk, error)
        return
    if number is None:
        return
    _link(order, BACK_ORDER_LINK, number)
    told = order.fulfilled_by or event.acting_user  # who pressed "Report fulfilled", as the short notice told them
    if told is not None:
        do_notify(order.organization, [told],
                  title_template="integrations/warehouse/email/back_order_made_subject.txt",
                  body_template="integrations/warehouse/email/back_order_made_body.txt",
                  context={"order": order, "back_order": number}, link=reverse("warehouse:order", args=[order.pk]),
                  level="info", email=False)


# --- custom warehouse documents (warehouse module) ---------------------------------------------


DOCUMENT_TYPES = {  # (model, inbound?) → Brygga's document type in Fortnox
    (Adjustment, True): "BryggaInboundInventory",
    (Adjustment, False): "BryggaOutboundInventory",
    (Return, True): "BryggaInboundReturn",
    (Receipt, True): "BryggaInboundOrder",
}


def document_rows(obj) -> list[tuple[Article, Decimal]]:
    if isinstance(obj, Receipt):
        return [(row.purchase_order_row.article, row.quantity)
                for row in obj.rows.select_related("purchase_order_row__article")
                if row.purchase_order_row.article.is_stock_article]
    article = obj.article if isinstance(obj, Adjustment) else obj.order_row.article
    return [(article, abs(obj.quantity))]


def _note_of(obj) -> str:
    """The document's note: a return names the order it came back on, so Fortnox's document says
    which order (and so which invoice) to credit."""
    if isinstance(obj, Receipt):
        return obj.note
    if isinstance(obj, Return):
        return _("Return on order %(order)s: %(reason)s") % {"order": obj.order.order_number, "reason": obj.reason}
    return obj.reason


def document_of(obj) -> tuple[str, str, dict]:
    """(direction, type, body) of the custom document for an adjustment, return or receipt."""
    inbound = not isinstance(obj, Adjustment) or obj.quantity > 0
    when = obj.received_at if isinstance(obj, Receipt) else obj.created_at
    body = {
        "date": timezone.localdate(when).isoformat(),
        "note": _note_of(obj)[:1000],
        "rows": [{"rowId": index, "itemId": article.article_number, "quantity": float(quantity),
                  "itemDescription": article.description[:200]}
                 for index, (article, quantity) in enumerate(document_rows(obj), start=1)],
    }
    if not inbound:
        body["deliveryState"] = "delivery"
    return ("inbound-v1" if inbound else "outbound-v1"), DOCUMENT_TYPES[type(obj), inbound], body


def _already_released(error: FortnoxError) -> bool:
    return isinstance(error, FortnoxValidationError) and error.code == ALREADY_RELEASED


@outbox.handler("wms_custom_document")
def push_custom_document(event, client):
    model = ContentType.objects.get_for_id(event.content_type_id).model_class()
    obj = _local(model, event)
    if ExternalLink.link_of(obj, DOCUMENT_LINK) is not None:
        raise outbox.PushSkipped("already in Fortnox")
    direction, document_type, body = document_of(obj)
    path = f"{CUSTOM_DOCUMENTS}/{direction}/{document_type}/{obj.pk}"
    outbox.note_request(event, "PUT", path, body, str(obj))
    try:
        client.put(path, body)  # creates or replaces: safe to repeat until released
        client.put(f"{path}/release")
    except FortnoxError as error:
        if not _already_released(error):
            raise
    _link(obj, DOCUMENT_LINK, f"{document_type.upper()}/{obj.pk}")


# --- purchase-order receipts as incoming goods (Lager+) -------------------------------------


def delivery_note_of(receipt: Receipt) -> str:
    """The natural key of a receipt's incoming goods in Fortnox."""
    return f"BRYGGA-{receipt.organization_id}-{receipt.pk}"


class ReceiptBeyondFortnox(FortnoxError):
    """Fortnox has received more on the purchase order than the warehouse knew: reporting the
    receipt would take Fortnox past what was ordered, and the person did not say it was more."""

    def __init__(self, receipt: Receipt, rows: list[tuple[str, Decimal, Decimal, Decimal]]):
        self.receipt, self.rows = receipt, rows
        super().__init__(f"receipt {receipt.pk} would over-receive {len(rows)} row(s) in Fortnox",
                         code="over_receipt", message="receivedQuantity")

    @property
    def user_message(self) -> str:
        rows = "; ".join(
            _("%(article)s: Fortnox has %(received)s of %(ordered)s received, this receipt adds %(quantity)s") % {
                "article": article, "received": _number(received), "ordered": _number(ordered),
                "quantity": _number(quantity)}
            for article, received, ordered, quantity in self.rows
        )
        return str(_(
            "Nothing was sent: Fortnox has already received more on %(order)s than Brygga knew (%(rows)s), so this "
            "receipt would take it past what was ordered. The same goods may have been received in Fortnox too: check "
            "the purchase order there, and dismiss this entry if Fortnox already has them."
        ) % {"order": self.receipt.purchase_order, "rows": rows})


class PurchaseOrderChangedInFortnox(FortnoxError):
    default_message = gettext_lazy(
        "The purchase order's rows were changed in Fortnox after Brygga read them, so nothing was sent. Run a "
        "warehouse synchronisation and check the purchase order, then retry."
    )


def fortnox_rows_of(receipt: Receipt, fortnox_order: dict) -> list[tuple[object, dict]]:
    """Each receipt row with the Fortnox purchase-order row it receives into (by position, as
    the pull made them), refusing what would take Fortnox past the order unless the person
    confirmed an over-receipt."""
    fortnox_rows = fortnox_order.get("rows") or []
    pairs, beyond = [], []
    for row in receipt.rows.select_related("purchase_order_row__article"):
        position, article = row.purchase_order_row.position, row.purchase_order_row.article
        fortnox_row = fortnox_rows[position] if position < len(fortnox_rows) else {}
        if fortnox_row.get("itemId") != article.article_number:
            raise PurchaseOrderChangedInFortnox(
                f"row {position} of purchase order {fortnox_order.get('id')} is not {article.article_number}")
        ordered, received = quantity(fortnox_row, "orderedQuantity"), quantity(fortnox_row, "receivedQuantity")
        if received + row.quantity > ordered and not receipt.over_receipt:
            beyond.append((article.article_number, received, ordered, row.quantity))
        pairs.append((row, fortnox_row))
    if beyond:
        raise ReceiptBeyondFortnox(receipt, beyond)
    return pairs


def incoming_goods_body(receipt: Receipt, fortnox_order: dict) -> dict:
    """What the person received now, on the purchase order's rows as Fortnox has them: Fortnox
    adds it to what it had, never more. A confirmed over-receipt says so in the note."""
    note = receipt.note
    if receipt.over_receipt:
        note = _("Over-receipt confirmed in Brygga by %(person)s. %(note)s") % {
            "person": receipt.received_by or "–", "note": note}
    return {
        "deliveryNoteId": delivery_note_of(receipt), "hasDeliveryNote": True,
        "date": timezone.localdate(receipt.received_at).isoformat(),
        "supplierNumber": receipt.purchase_order.supplier.supplier_number, "note": note.strip()[:1000],
        "rows": [{
            "itemId": row.purchase_order_row.article.article_number,
            "orderedQuantity": float(row.purchase_order_row.ordered_quantity), "receivedQuantity": float(row.quantity),
            "backOrderQuantity": 0, "invoicedQuantity": 0, "takenQuantity": 0,
            "purchaseOrderId": int(fortnox_order["id"]), "purchaseOrderRowId": fortnox_row["id"],
        } for row, fortnox_row in fortnox_rows_of(receipt, fortnox_order)],
    }


def report_receipt(event, client, receipt: Receipt, purchase_order_link: ExternalLink) -> None:
    link = ExternalLink.link_of(receipt, INCOMING_GOODS_LINK)
    if link is None:
        note = delivery_note_of(receipt)
        found = [doc for doc in client.get(INCOMING_GOODS, {"deliveryNote": note}) if doc.get("deliveryNoteId") == note]
        if found:
            document_id = found[0]["id"]
        else:
            # Read before write: what Fortnox has received on the purchase order right now.
            fortnox_order = client.get(f"{PURCHASE_ORDERS}/{purchase_order_link.external_id}")
            body = incoming_goods_body(receipt, fortnox_order)
            outbox.note_request(event, "POST", INCOMING_GOODS, body, str(receipt.purchase_order))
            document_id = client.post(INCOMING_GOODS, body)["id"]
        link = _link(receipt, INCOMING_GOODS_LINK, document_id)
    if link.last_synced_values.get("completed"):
        return
    path = f"{INCOMING_GOODS}/{link.external_id}"
    try:
        client.put(f"{path}/release")
    except FortnoxError as error:
        if not _already_released(error):
            raise
    link.remember({"released": True})  # in Fortnox's received quantities from now on (see importers)
    client.put(f"{path}/completed", timezone.localdate(receipt.received_at).isoformat())
    link.remember({"completed": True})


@outbox.handler("wms_purchase_order_report")
def push_purchase_order_report(event, client):
    purchase_order = _local(PurchaseOrder, event, "supplier")
    link = ExternalLink.link_of(purchase_order, PURCHASE_ORDER_LINK)
    if link is None:
        raise outbox.PushSkipped("the purchase order did not come from Fortnox")
    outbox.note_request(event, "GET", f"{PURCHASE_ORDERS}/{link.external_id}", {}, str(purchase_order))
    for receipt in purchase_order.receipts.select_related("purchase_order__supplier").order_by("received_at", "pk"):
        report_receipt(event, client, receipt, link)
    done = (PurchaseOrder.State.RECEIVED, PurchaseOrder.State.CLOSED_SHORT)
    if purchase_order.state in done and not link.last_synced_values.get("completed"):
        _complete_once(client, f"{PURCHASE_ORDERS}/{link.external_id}")
        link.remember({"completed": True})


def _complete_once(client, path: str) -> None:
    """`complete` is a PUT, so the client repeats it after a lost response; Fortnox then refuses
    the second one (already received). Either way, the purchase order's state decides."""
    if _closed(client.get(path)):
        return
    try:
        client.put(f"{path}/complete")
    except FortnoxError:
        if not _closed(client.get(path)):
            raise


def _closed(purchase_order: dict) -> bool:
    return purchase_order.get("purchaseOrderState") in ("RECEIVED", "VOIDED")


# --- classic stock write-back -----------------------------------------------------------------


def write_stock_levels(sync) -> None:
    """`QuantityInStock` of every article whose balance changed since it was last written.
    Articles the warehouse never held stock of are left as Fortnox has them."""
    organization = sync.organization
    totals = (Article.objects.for_organization(organization).filter(is_stock_article=True, balances__isnull=False)
              .annotate(total=Sum("balances__quantity")))
    links = {link.object_id: link for link in ExternalLink.links_for(organization, ARTICLE_LINK, Article)}
    for article in totals:
        value = _number(article.total)
        link = links.get(article.pk)
        if link is not None and link.last_synced_values.get("QuantityInStock") == value:
            continue
        try:
            sync.client.put(f"/3/articles/{article.article_number}", {"Article": {"QuantityInStock": value}})
        except FortnoxAuthError:
            raise  # nothing more can be written: the run stops
        except FortnoxNotFound as error:
            # An article made in Brygga only: named, and the same entry each run, not a new one.
            sync.stock_not_written(article, error, StoredText(gettext_noop(
                "Article %(number)s is not in Fortnox, so its stock level cannot be written there. Create the article "
                "in Fortnox, or make it a non-stock article in Brygga."), number=article.article_number))
            continue
        except FortnoxError as error:
            sync.stock_not_written(article, error, StoredText.each_language(attrgetter("user_message"), error))
            continue
        (link or _link(article, ARTICLE_LINK, article.article_number)).remember({"QuantityInStock": value})
        sync.count("stock_written")


# --- stock compared (warehouse module) ---------------------------------------------------------

STOCK_BALANCE = "/api/warehouse/status-v1/stockbalance"
ITEMS_PER_CALL = 50  # article numbers in one stock-balance query (the address stays short)
DIFFERENCES_LOGGED = 20  # lines in the run's log; the run's page lists them all


def compare_stock_levels(sync) -> None:
    """With Fortnox's warehouse module both sides keep stock and nothing writes Brygga's to
    Fortnox, so they can drift apart unnoticed (20 here, 131 there). After each run every stock
    article's balance here is compared with Fortnox's in stock over all its stock points; each
    difference is counted, named in the log and listed on the run's page."""
    organization = sync.organization
    totals = {article.article_number: article.total or Decimal("0") for article in (
        Article.objects.for_organization(organization).filter(is_stock_article=True, active=True)
        .annotate(total=Sum("balances__quantity")))}
    numbers = sorted(totals)
    differences = []
    for start in range(0, len(numbers), ITEMS_PER_CALL):
        batch = numbers[start:start + ITEMS_PER_CALL]
        in_fortnox = dict.fromkeys(batch, Decimal("0"))
        for balance in sync.client.get(STOCK_BALANCE, params={"itemIds": ",".join(batch)}) or []:
            if balance.get("itemId") in in_fortnox:
                in_fortnox[balance["itemId"]] += quantity(balance, "inStock")
        differences += [{"article": number, "brygga": _number(totals[number]), "fortnox": _number(in_fortnox[number])}
                        for number in batch if in_fortnox[number] != totals[number]]
    sync.run.data["stock_differences"] = differences
    if differences:
        sync.count("stock_different", len(differences))
    for difference in differences[:DIFFERENCES_LOGGED]:
        sync.run.append_log(StoredText(gettext_noop("Article %(article)s: %(brygga)s in stock in Brygga, %(fortnox)s in Fortnox."),
                                       **difference))
    if len(differences) > DIFFERENCES_LOGGED:
        sync.run.append_log(StoredText(gettext_noop("… and %(count)s more articles whose stock differs (listed on this page)."),
                                       count=len(differences) - DIFFERENCES_LOGGED))
