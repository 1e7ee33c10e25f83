"""The warehouse's writes of documents that come from another system (an ERP): sales orders and
purchase orders with their rows, created, updated or marked as changed at the source. Each takes
the `origin` of the change and sends `signals.document_imported` with it, so a listener can tell
such a write from work done on the floor (and an integration does not report it back). Rows are
written in bulk: an import of many orders costs a few queries per order, not one per row.

The callers read and check the other system's data; these functions only write it. A caller
holds the transaction (and the lock on an existing document) around a document's writes.
"""

from decimal import Decimal

from organizations.origin import Origin

from . import signals
from .models import PurchaseOrder, PurchaseOrderRow, SalesOrder, SalesOrderRow


def changed(instance, values: dict) -> list[str]:
    """Set `values` on `instance`; the names of the fields that really changed."""
    fields = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in fields:
        setattr(instance, name, values[name])
    return fields


def _imported(document, *, created: bool, origin) -> None:
    signals.document_imported.send(sender=type(document), document=document, created=created, origin=origin)


def _save_rows(order: SalesOrder, rows: list[SalesOrderRow]) -> None:
    for row in rows:
        row.order = order
    SalesOrderRow.objects.bulk_create(rows)


def do_create_order(organization, order_number: str, values: dict, rows: list[SalesOrderRow], *,
                    origin=Origin.EXTERNAL) -> SalesOrder:
    """A sales order with its rows (not saved yet)."""
    order = SalesOrder.objects.create(organization=organization, order_number=order_number, **values)
    _save_rows(order, rows)
    _imported(order, created=True, origin=origin)
    return order


def do_update_order(order: SalesOrder, values: dict, rows: list[SalesOrderRow] | None, *,
                    origin=Origin.EXTERNAL) -> SalesOrder:
    """The order's fields as `values` say, and its rows replaced by `rows` (None: kept)."""
    fields = changed(order, values)
    if fields:
        order.save(update_fields=fields)
    if rows is not None:
        order.rows.all().delete()
        _save_rows(order, rows)
    if fields or rows is not None:
        _imported(order, created=False, origin=origin)
    return order


def do_note_change_at_source(order: SalesOrder, note) -> bool:
    """The source changed an order the warehouse already owns: the change is not applied, the
    order says what it was. Returns whether the note is new."""
    fields = changed(order, {"changed_at_source": True, "source_change_note": note})
    if fields:
        order.save(update_fields=fields)
    return bool(fields)


def do_save_purchase_order(organization, purchase_order: PurchaseOrder | None, order_number: str, values: dict,
                           rows: list[PurchaseOrderRow], *, origin=Origin.EXTERNAL) -> PurchaseOrder:
    """A new purchase order (`purchase_order` None) or one updated, its rows replaced by `rows`
    (not saved yet), then moved to (partly) received as the rows' received quantities say."""
    created = purchase_order is None
    if created:
        purchase_order = PurchaseOrder.objects.create(organization=organization, order_number=order_number, **values)
    else:
        fields = changed(purchase_order, values)
        if fields:
            purchase_order.save(update_fields=fields)
        purchase_order.rows.all().delete()
    for row in rows:
        row.purchase_order = purchase_order
    PurchaseOrderRow.objects.bulk_create(rows)
    _move_to_received_state(purchase_order, list(purchase_order.rows.all()))
    _imported(purchase_order, created=created, origin=origin)
    return purchase_order


def do_set_received(purchase_order: PurchaseOrder, rows: list[PurchaseOrderRow], received: list[Decimal], *,
                    origin=Origin.EXTERNAL) -> bool:
    """Each row's received quantity as the source says (`received` in the order of `rows`, all
    of the purchase order's rows). Returns whether anything changed."""
    changed_rows = []
    for row, quantity in zip(rows, received):
        if row.received_quantity != quantity:
            row.received_quantity = quantity
            changed_rows.append(row)
    PurchaseOrderRow.objects.bulk_update(changed_rows, ["received_quantity"])
    _move_to_received_state(purchase_order, rows)
    if changed_rows:
        _imported(purchase_order, created=False, origin=origin)
    return bool(changed_rows)


def _move_to_received_state(purchase_order: PurchaseOrder, rows: list[PurchaseOrderRow]) -> None:
    """Partly received or received, as the rows say (a purchase order the warehouse has closed
    stays closed)."""
    if purchase_order.state not in PurchaseOrder.RECEIVABLE or not any(row.received_quantity for row in rows):
        return
    all_in = all(row.outstanding_quantity == 0 for row in rows)
    state = PurchaseOrder.State.RECEIVED if all_in else PurchaseOrder.State.PARTLY_RECEIVED
    if state != purchase_order.state and purchase_order.can_move_to(state):
        purchase_order.move_to(state)
        purchase_order.save(update_fields=["state"])
