"""The warehouse's chaos domain (see `devtools.chaos`): staff fulfil orders (some short),
adjust stock, receive goods on purchase orders and take goods back while the sandbox injects
faults; afterwards Fortnox must hold exactly what Brygga reported. Also the pieces the
`wms_fulfil` benchmark shares: fulfilling an order as staff do, and comparing delivered
quantities with Fortnox's."""

import random
from collections import Counter, defaultdict
from decimal import Decimal

from devtools.chaos import Domain, explained_objects
from integrations.core.models import ExternalLink, SyncRun
from integrations.warehouse_sync import tasks
from integrations.warehouse_sync.exporters import DOCUMENT_TYPES, INVOICE_LINK, delivery_note_of, document_of
from integrations.warehouse_sync.importers import ORDER_LINK, PURCHASE_ORDER_LINK
from integrations.warehouse_sync.models import WarehouseSyncSettings
from integrations.warehouse_sync.receivers import do_report_purchase_order
from warehouse import actions as warehouse_actions
from warehouse.models import (
    Adjustment,
    Article,
    PurchaseOrder,
    Receipt,
    Return,
    SalesOrder,
    StockBalance,
    StockMovement,
    Supplier,
)

ARTICLES = ["KAOS-1", "KAOS-2", "KAOS-3", "KAOS-4"]
CUSTOMERS = ["KAOS-K1", "KAOS-K2", "KAOS-K3"]
SUPPLIER = "KAOS-L1"
LOCAL_PURCHASE_ORDER = "KAOS-B1"  # made in Brygga: its receipts become custom inbound documents
ORDERS = 8
OPENING_STOCK = Decimal("20")
# Sandbox resources holding custom documents, by the direction in their path.
CUSTOM_RESOURCES = {"inbound-v1": "custominbound", "outbound-v1": "customoutbound"}
BRYGGA_DOCUMENT_TYPES = {name.upper() for name in DOCUMENT_TYPES.values()}
DONE_PURCHASE_ORDER = (PurchaseOrder.State.RECEIVED, PurchaseOrder.State.CLOSED_SHORT)


def fulfil(order: SalesOrder, picked: list[Decimal], by) -> SalesOrder:
    """What staff do on the pick screen: pick `picked` of each row (in row order; nothing where
    0), pack and press Report fulfilled, confirming a short delivery."""
    for row, quantity in zip(order.rows.select_related("article"), picked):
        if row.is_pickable and quantity:
            warehouse_actions.do_pick_row(row, quantity, by)
    warehouse_actions.do_pack(order, by)
    return warehouse_actions.do_report_fulfilled(order, by, allow_short=True)


def delivery_problems(order: SalesOrder, fortnox_rows: list[dict], where: str) -> list[str]:
    """Whether Fortnox's rows (an order's or its invoice's) show what Brygga delivered, row by row."""
    mine = [plain(row.delivered_quantity) for row in order.rows.all()]
    theirs = [plain(row.get("DeliveredQuantity")) for row in fortnox_rows]
    return [] if mine == theirs else [f"order {order.order_number}: Brygga delivered {mine}, {where} {theirs}"]


def plain(quantity) -> str:
    """A quantity as Brygga (Decimal) or Fortnox (float) gives it, written the same way: "3", "2.5"."""
    return format(Decimal(str(quantity or 0)).normalize(), "f")


def _rows(rows: list[dict], quantity_field: str) -> list[str]:
    return [f"{row['itemId']} × {plain(row[quantity_field])}" for row in rows]


class WarehouseChaos(Domain):
    """Warehouse work reported through the outbox, in Fortnox's warehouse-module mode: orders
    fulfilled (some short), stock counted up and down, goods received on Fortnox purchase orders
    (then "Report to Fortnox") and on a Brygga one (a custom inbound document), goods returns.
    The first step fulfils an order Fortnox cancelled meanwhile: a permanent failure that must
    land in the error log."""

    def __init__(self, organization, control, company: dict):
        self.organization, self.control, self.company = organization, control, company
        self.cancelled_number = ""

    def prepare(self, fortnox_client) -> None:
        """Articles, customers, a supplier, orders and two sent purchase orders in Fortnox, pulled
        by a warehouse sync as the schedule would; then one order cancelled in Fortnox behind
        Brygga's back, a purchase order made in Brygga and the opening stock counted in."""
        WarehouseSyncSettings.objects.update_or_create(organization=self.organization, defaults={
            "report_fulfilled": True, "use_warehouse_module": True, "back_orders_in_fortnox": True,
        })
        fortnox_client.post("/3/suppliers", {"Supplier": {"SupplierNumber": SUPPLIER, "Name": "Kaos Leverantör"}})
        for number in ARTICLES:
            fortnox_client.post("/3/articles", {"Article": {
                "ArticleNumber": number, "Description": f"Kaosartikel {number}", "StockGoods": True}})
        for index, number in enumerate(CUSTOMERS):
            fortnox_client.post("/3/customers", {"Customer": {
                "CustomerNumber": number, "Name": f"Kaoskund {number}", "Type": "PRIVATE" if index % 2 else "COMPANY"}})
        orders = [fortnox_client.post("/3/orders", {"Order": {
            "CustomerNumber": CUSTOMERS[index % len(CUSTOMERS)], "DeliveryState": "reservation",
            "OrderRows": [{"ArticleNumber": ARTICLES[(index + offset) % len(ARTICLES)], "OrderedQuantity": str(2 + (index + offset) % 3)}
                          for offset in range(1 + index % 2)],
        }}) for index in range(ORDERS)]
        for first in (0, 2):
            created = fortnox_client.post("/api/warehouse/purchaseorders-v1", {
                "supplierNumber": SUPPLIER, "orderDate": "2026-01-05", "currencyCode": "SEK", "currencyRate": 1,
                "paymentTermsCode": "30", "deliveryName": "Lager", "deliveryAddress": "Gatan 1", "deliveryZipCode": "11122",
                "deliveryCity": "Stockholm",
                "rows": [{"itemId": number, "orderedQuantity": 8, "currencyCode": "SEK"} for number in ARTICLES[first:first + 2]],
            })
            fortnox_client.post(f"/api/warehouse/purchaseorders-v1/{created['id']}/send",
                                {"receiver": "inkop@kaos.test", "replyTo": "lager@kaos.test", "subject": "Order", "body": "Order"})
        run = tasks.do_queue_sync(self.organization, trigger=SyncRun.Trigger.MANUAL)
        tasks.execute_run(run.pk)
        run.refresh_from_db()
        if run.status != SyncRun.Status.SUCCEEDED:
            raise RuntimeError(f"the warehouse sync that arranges the chaos run ended {run.status}:\n{run.log}")
        self.cancelled_number = str(orders[0]["DocumentNumber"])
        fortnox_client.put(f"/3/orders/{self.cancelled_number}/cancel")
        articles = list(Article.objects.for_organization(self.organization).filter(article_number__in=ARTICLES).order_by("pk"))
        purchase_order = PurchaseOrder.objects.create(
            organization=self.organization, order_number=LOCAL_PURCHASE_ORDER,
            supplier=Supplier.objects.for_organization(self.organization).get(supplier_number=SUPPLIER))
        for position, article in enumerate(articles[1:3]):
            purchase_order.rows.create(position=position, article=article, ordered_quantity=6)
        for article in articles:
            warehouse_actions.do_adjust_stock(article, OPENING_STOCK, "Inventering vid start", None)

    # --- steps ------------------------------------------------------------------------------------

    def step(self, rng: random.Random, number: int) -> str:
        cancelled = self._orders().get(order_number=self.cancelled_number)
        if cancelled.state == SalesOrder.State.OPEN:
            return self._fulfil(rng, cancelled)
        action = rng.choice([self.fulfil, self.fulfil, self.adjust, self.receive, self.take_back])
        return action(rng, number) or self.adjust(rng, number)

    def _orders(self):
        return SalesOrder.objects.for_organization(self.organization)

    def fulfil(self, rng: random.Random, number: int) -> str | None:
        waiting = list(self._orders().filter(state=SalesOrder.State.OPEN).order_by("pk"))
        return self._fulfil(rng, rng.choice(waiting)) if waiting else None

    def _fulfil(self, rng: random.Random, order: SalesOrder) -> str:
        ordered = [row.ordered_quantity for row in order.rows.all()]
        picked = [Decimal(rng.randrange(int(quantity))) if rng.random() < 0.3 else quantity for quantity in ordered]
        if not any(picked):  # packing needs something picked
            picked[0] = ordered[0]
        fulfil(order, picked, None)
        return f"fulfil order {order.order_number}{' short' if picked != ordered else ''}"

    def adjust(self, rng: random.Random, number: int) -> str:
        article = rng.choice(list(Article.objects.for_organization(self.organization).filter(
            article_number__in=ARTICLES).order_by("pk")))
        balance = StockBalance.objects.filter(article=article, location=None).values_list("quantity", flat=True).first() or 0
        quantity = rng.randint(1, 5)
        if rng.random() < 0.5 and balance >= 1:
            quantity = -min(quantity, int(balance))
        warehouse_actions.do_adjust_stock(article, Decimal(quantity), f"Kaosinventering {number}", None)
        return f"adjust {article.article_number} {quantity:+}"

    def receive(self, rng: random.Random, number: int) -> str | None:
        open_orders = list(PurchaseOrder.objects.for_organization(self.organization).filter(
            state__in=PurchaseOrder.RECEIVABLE).order_by("pk"))
        if not open_orders:
            return None
        purchase_order = rng.choice(open_orders)
        rows = [row for row in purchase_order.rows.order_by("position", "pk") if row.outstanding_quantity]
        quantities = {row.pk: Decimal(rng.randint(1, int(row.outstanding_quantity))) for row in rows if rng.random() < 0.6}
        if not quantities:
            quantities = {rows[0].pk: rows[0].outstanding_quantity}
        warehouse_actions.do_receive_purchase_order(purchase_order, quantities, None, note=f"Kaosleverans {number}")
        what = f"receive {plain(sum(quantities.values()))} on purchase order {purchase_order.order_number}"
        if ExternalLink.link_of(purchase_order, PURCHASE_ORDER_LINK) is None:
            return what
        purchase_order.refresh_from_db()
        if purchase_order.state == PurchaseOrder.State.PARTLY_RECEIVED and rng.random() < 0.25:
            purchase_order = warehouse_actions.do_close_purchase_order_short(purchase_order, None)
            what += ", closed short"
        do_report_purchase_order(purchase_order)
        return what + ", reported"

    def take_back(self, rng: random.Random, number: int) -> str | None:
        rows = [(order, row) for order in self._orders().filter(state=SalesOrder.State.SENT).order_by("pk")
                for row in order.rows.select_related("article") if row.returnable_quantity]
        if not rows:
            return None
        order, row = rng.choice(rows)
        quantity = Decimal(rng.randint(1, int(row.returnable_quantity)))
        warehouse_actions.do_register_return(row, quantity, f"Kaosretur {number}", None)
        return f"return {quantity} of {row.article.article_number} on order {order.order_number}"

    # --- the check --------------------------------------------------------------------------------

    def disagreements(self) -> list[str]:
        """Everything on which Brygga and the sandbox differ and no open error explains."""
        explained = {model: explained_objects(self.organization, model)
                     for model in (SalesOrder, Adjustment, Return, Receipt, PurchaseOrder)}
        fortnox = {resource: {record["key"]: record["document"] for record in self.control.records(self.company, resource)}
                   for resource in ("orders", "invoices", "incominggoods", "purchaseorders", "articles",
                                    *CUSTOM_RESOURCES.values())}
        return (self._order_problems(fortnox, explained) + self._document_problems(fortnox, explained)
                + self._incoming_goods_problems(fortnox, explained) + self._purchase_order_problems(fortnox, explained)
                + self._stock_problems(fortnox, explained))

    def _order_problems(self, fortnox: dict, explained: dict) -> list[str]:
        """Every fulfilled order delivered as Brygga recorded, warehouse-ready, with exactly the one
        invoice Brygga linked; nothing delivered or invoiced that Brygga did not fulfil."""
        invoices = defaultdict(list)
        for invoice in fortnox["invoices"].values():
            invoices[str(invoice["OrderReference"])].append(invoice)
        links = {link.object_id: link.external_id for link in ExternalLink.links_for(self.organization, ORDER_LINK, SalesOrder)}
        invoice_links = dict(ExternalLink.links_for(self.organization, INVOICE_LINK, SalesOrder).values_list("object_id", "external_id"))
        problems = []
        for order in self._orders().filter(pk__in=links).prefetch_related("rows").order_by("pk"):
            number = links[order.pk]
            document, billed = fortnox["orders"].get(number), invoices.pop(number, [])
            if order.pk in explained[SalesOrder]:
                continue
            if document is None:
                problems.append(f"order {number} is missing in Fortnox")
            elif order.state != SalesOrder.State.SENT:
                if billed or document.get("WarehouseReady"):
                    problems.append(f"order {number} is not fulfilled in Brygga, but Fortnox invoiced it or marked it ready")
            elif len(billed) != 1:
                problems.append(f"order {number} has {len(billed)} invoices in Fortnox")
            elif str(billed[0]["DocumentNumber"]) != invoice_links.get(order.pk):
                problems.append(f"order {number}: Brygga links invoice {invoice_links.get(order.pk)}, "
                                f"Fortnox made {billed[0]['DocumentNumber']}")
            else:
                problems += delivery_problems(order, document["OrderRows"], "the Fortnox order")
                problems += delivery_problems(order, billed[0]["InvoiceRows"], "its invoice")
                if document.get("DeliveryState") != "delivery" or not document.get("WarehouseReady"):
                    problems.append(f"order {number} is not delivered and warehouse-ready in Fortnox")
        problems += [f"Fortnox invoices {[invoice['DocumentNumber'] for invoice in billed]} are for order {number}, "
                     f"which Brygga did not fulfil" for number, billed in invoices.items()]
        return problems

    def _document_problems(self, fortnox: dict, explained: dict) -> list[str]:
        """One released custom document per adjustment, return and receipt on a Brygga purchase
        order, with its rows; no other document of Brygga's types."""
        linked = ExternalLink.links_for(self.organization, PURCHASE_ORDER_LINK, PurchaseOrder).values("object_id")
        documented = [*Adjustment.objects.for_organization(self.organization).select_related("article").order_by("pk"),
                      *Return.objects.for_organization(self.organization).select_related("order_row__article").order_by("pk"),
                      *Receipt.objects.for_organization(self.organization).exclude(purchase_order__in=linked).order_by("pk")]
        problems, expected = [], set()
        for obj in documented:
            direction, document_type, body = document_of(obj)
            resource, key = CUSTOM_RESOURCES[direction], f"{document_type.upper()}/{obj.pk}"
            expected.add((resource, key))
            document = fortnox[resource].get(key)
            if obj.pk in explained[type(obj)]:
                continue
            if document is None:
                problems.append(f"{obj._meta.verbose_name} {obj.pk} ({obj}) has no document {key} in Fortnox")
            elif not document["warehouseReady"] or document["voided"]:
                problems.append(f"document {key} is {'voided' if document['voided'] else 'not released'} in Fortnox")
            elif _rows(document["rows"], "quantity") != _rows(body["rows"], "quantity"):
                problems.append(f"document {key}: rows {_rows(document['rows'], 'quantity')} in Fortnox, "
                                f"{_rows(body['rows'], 'quantity')} in Brygga")
        problems += [f"Fortnox has document {key}, which is nothing in Brygga" for resource in CUSTOM_RESOURCES.values()
                     for key in sorted(fortnox[resource]) if key.split("/")[0] in BRYGGA_DOCUMENT_TYPES
                     and (resource, key) not in expected]
        return problems

    def _incoming_goods_problems(self, fortnox: dict, explained: dict) -> list[str]:
        """One released, completed incoming-goods document per receipt on a Fortnox purchase order."""
        ours = f"BRYGGA-{self.organization.pk}-"
        goods = [doc for doc in fortnox["incominggoods"].values() if str(doc.get("deliveryNoteId", "")).startswith(ours)]
        counts, by_note = Counter(doc["deliveryNoteId"] for doc in goods), {doc["deliveryNoteId"]: doc for doc in goods}
        linked = ExternalLink.links_for(self.organization, PURCHASE_ORDER_LINK, PurchaseOrder).values("object_id")
        problems, expected = [], set()
        receipts = Receipt.objects.for_organization(self.organization).filter(purchase_order__in=linked)
        for receipt in receipts.prefetch_related("rows__purchase_order_row__article").order_by("pk"):
            note = delivery_note_of(receipt)
            expected.add(note)
            if receipt.pk in explained[Receipt] or receipt.purchase_order_id in explained[PurchaseOrder]:
                continue
            document = by_note.get(note)
            mine = [f"{row.purchase_order_row.article.article_number} × {plain(row.quantity)}" for row in receipt.rows.all()]
            if counts[note] != 1:
                problems.append(f"Fortnox holds {counts[note]} incoming goods for receipt {receipt.pk} ({note})")
            elif not document["released"] or not document["completed"] or document["voided"]:
                problems.append(f"incoming goods {note} is not released and completed in Fortnox")
            elif _rows(document["rows"], "receivedQuantity") != mine:
                problems.append(f"incoming goods {note}: {_rows(document['rows'], 'receivedQuantity')} in Fortnox, {mine} in Brygga")
        problems += [f"Fortnox has incoming goods {note}, which is no receipt in Brygga" for note in sorted(counts)
                     if note not in expected]
        return problems

    def _purchase_order_problems(self, fortnox: dict, explained: dict) -> list[str]:
        """Fortnox purchase orders show Brygga's received quantities, and are received when Brygga is done with them."""
        problems = []
        failed = explained[PurchaseOrder] | set(
            Receipt.objects.filter(pk__in=explained[Receipt]).values_list("purchase_order_id", flat=True))
        for link in ExternalLink.links_for(self.organization, PURCHASE_ORDER_LINK, PurchaseOrder).order_by("object_id"):
            if link.object_id in failed:
                continue
            purchase_order = PurchaseOrder.objects.get(pk=link.object_id)
            document = fortnox["purchaseorders"][link.external_id]
            row_ids = [row[0] for row in link.last_synced_values["rows"]]
            received = {row["id"]: plain(row["receivedQuantity"]) for row in document["rows"]}
            rows = list(purchase_order.rows.select_related("article"))
            mine = [f"{row.article.article_number} × {plain(row.received_quantity)}" for row in rows]
            theirs = [f"{row.article.article_number} × {received.get(row_ids[row.position])}" for row in rows]
            if mine != theirs:
                problems.append(f"purchase order {link.external_id}: received {theirs} in Fortnox, {mine} in Brygga")
            if (purchase_order.state in DONE_PURCHASE_ORDER) != (document["purchaseOrderState"] == "RECEIVED"):
                problems.append(f"purchase order {link.external_id} is {purchase_order.state} in Brygga, "
                                f"{document['purchaseOrderState']} in Fortnox")
        return problems

    def _stock_problems(self, fortnox: dict, explained: dict) -> list[str]:
        """Fortnox's stock of each article is the sum of Brygga's movements. A movement whose
        document an open error explains may or may not have reached Fortnox, so any selection
        of those may be missing."""
        expected, unsure = defaultdict(Decimal), defaultdict(lambda: defaultdict(Decimal))
        movements = StockMovement.objects.for_organization(self.organization).select_related("article", "receipt")
        for movement in movements.order_by("pk"):
            number = movement.article.article_number
            owner = _explaining(movement, explained)
            if owner is None:
                expected[number] += movement.quantity
            else:
                unsure[number][owner] += movement.quantity
        problems = []
        for number in sorted(set(expected) | set(unsure)):
            possible = {Decimal(0)}
            for quantity in unsure[number].values():
                possible |= {total + quantity for total in possible}
            theirs = Decimal(plain(fortnox["articles"].get(number, {}).get("QuantityInStock")))
            if theirs - expected[number] not in possible:
                problems.append(f"stock of {number}: {plain(theirs)} in Fortnox, {plain(expected[number])} from Brygga's movements")
        return problems


def _explaining(movement: StockMovement, explained: dict):
    """The document behind a stock movement when an open error explains it (a receipt's error may
    be its purchase order's), else None. A return's movement also names its sales order."""
    model, pk = next((model, pk) for model, pk in (
        (Return, movement.goods_return_id), (Adjustment, movement.adjustment_id), (Receipt, movement.receipt_id),
        (SalesOrder, movement.sales_order_id)) if pk)
    failed = pk in explained[model] or (model is Receipt and movement.receipt.purchase_order_id in explained[PurchaseOrder])
    return (model, pk) if failed else None
