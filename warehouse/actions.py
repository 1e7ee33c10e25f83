"""Every write with side effects in the warehouse, one small function each.

Each action locks the document it changes (`select_for_update`), checks the rules, writes, and
sends its domain event inside the same transaction. Stock changes only through `do_move_stock`.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import signals
from .models import (
    ZERO,
    Adjustment,
    Article,
    PurchaseOrder,
    PurchaseOrderRow,
    Receipt,
    ReceiptRow,
    Return,
    SalesOrder,
    SalesOrderRow,
    StockBalance,
    StockLocation,
    StockMovement,
)
from .quantities import readable
from .reporting import require_reportable


class ShortDeliveryNeedsConfirmation(Exception):
    """Report fulfilled on an order with less picked than ordered: the person must confirm first."""

    def __init__(self, order: SalesOrder, short_rows: list[SalesOrderRow]):
        super().__init__(f"{order} is short on {len(short_rows)} row(s)")
        self.order = order
        self.short_rows = short_rows


class OverReceiptNeedsConfirmation(Exception):
    """A receipt with more than is still expected on some rows: the person must confirm first."""

    def __init__(self, purchase_order: PurchaseOrder, over: list[tuple[PurchaseOrderRow, Decimal]]):
        super().__init__(f"{purchase_order} is over-received on {len(over)} row(s)")
        self.purchase_order = purchase_order
        self.over = over


def _locked(instance):
    return type(instance).objects.select_for_update().get(pk=instance.pk)


def _move(document, state, **stamps):
    """Lock a document, move it to `state` and save that with the who/when `stamps`."""
    document = _locked(document)
    document.move_to(state)
    for field, value in stamps.items():
        setattr(document, field, value)
    document.save(update_fields=["state", *stamps])
    return document


@transaction.atomic
def do_move_stock(
    *, article: Article, kind, quantity: Decimal, by, location: StockLocation | None = None, reason: str = "",
    allow_negative: bool = True, **references,
) -> StockMovement:
    """The only way stock changes: record the movement and apply it to the balance.
    `references` are the documents behind it (sales_order, receipt, adjustment, goods_return)."""
    if not article.is_stock_article:
        raise ValidationError(_("%(article)s is not a stock article; it has no stock.") % {"article": article})
    if not quantity:
        raise ValidationError(_("A stock movement needs a quantity other than zero."))
    if location is not None and location.organization_id != article.organization_id:
        raise ValueError("The stock location belongs to another organization.")
    balance, _created = StockBalance.objects.select_for_update().get_or_create(
        organization_id=article.organization_id, article=article, location=location
    )
    if not allow_negative and balance.quantity + quantity < 0:
        raise ValidationError(
            _("Only %(balance)s of %(article)s in stock there; cannot take out %(quantity)s.")
            % {"balance": readable(balance.quantity), "article": article, "quantity": readable(-quantity)}
        )
    movement = StockMovement.objects.create(
        organization_id=article.organization_id, article=article, location=location, kind=kind, quantity=quantity,
        reason=reason, created_by=by, **references,
    )
    StockBalance.objects.filter(pk=balance.pk).update(quantity=F("quantity") + quantity, updated_at=timezone.now())
    balance.refresh_from_db(fields=["quantity", "updated_at"])
    signals.stock_changed.send(sender=StockBalance, movement=movement, balance=balance)
    return movement


@transaction.atomic
def do_start_picking(order: SalesOrder, by) -> SalesOrder:
    require_reportable(order.organization_id)  # no one picks what could not be reported
    return _move(order, SalesOrder.State.PICKING, picking_started_at=timezone.now(), picking_started_by=by)


def order_changed_meanwhile(order) -> ValidationError:
    return ValidationError(
        _("%(order)s was changed while you had it open and that row is not on it any more. Nothing was picked: "
          "pick again from the order as it is now.") % {"order": order}
    )


@transaction.atomic
def do_pick_row(row: SalesOrderRow, quantity: Decimal, by) -> SalesOrderRow:
    """Pick `quantity` more of a row (partial picks add up). The first pick on an open order
    starts picking, so a scanner user never has to press a separate button."""
    order = _locked(row.order)
    row = SalesOrderRow.objects.select_related("article").filter(pk=row.pk, order=order).first()
    if row is None:  # the order's rows were replaced from the source after the page was shown
        raise order_changed_meanwhile(order)
    require_reportable(order.organization_id)
    if order.state == SalesOrder.State.OPEN:
        order = do_start_picking(order, by)
    if order.state != SalesOrder.State.PICKING:
        raise ValidationError(
            _("%(order)s is %(state)s: rows can only be picked while it is being picked.")
            % {"order": order, "state": order.get_state_display().lower()}
        )
    if not row.is_pickable:
        raise ValidationError(_("“%(row)s” is not a stock article and is never picked.") % {"row": row.description or row})
    if quantity <= 0:
        raise ValidationError(_("Pick a quantity above zero."))
    if not row.left_to_pick:
        raise ValidationError(_("All of %(article)s is picked already.") % {"article": row.article})
    if quantity > row.left_to_pick:
        raise ValidationError(
            _("Only %(left)s left to pick of %(article)s.") % {"left": readable(row.left_to_pick), "article": row.article}
        )
    row.picked_quantity = F("picked_quantity") + quantity
    row.save(update_fields=["picked_quantity"])
    row.refresh_from_db(fields=["picked_quantity"])
    return row


@transaction.atomic
def do_pack(order: SalesOrder, by, parcels: int = 1, weight_kg: Decimal | None = None) -> SalesOrder:
    """Packed in `parcels` parcels weighing `weight_kg` together (the delivery note and the
    transporter need both; the packing page always asks)."""
    if parcels < 1:
        raise ValidationError(_("An order leaves in at least one parcel."))
    if weight_kg is not None and weight_kg <= 0:
        raise ValidationError(_("Enter the weight of the parcels, above zero."))
    order = _locked(order)
    rows = list(order.rows.select_related("article"))
    if any(row.is_pickable for row in rows) and not any(row.picked_quantity for row in rows):
        raise ValidationError(_("Nothing has been picked on %(order)s yet.") % {"order": order})
    order.move_to(SalesOrder.State.PACKED)
    order.packed_at, order.packed_by, order.parcels, order.packed_weight_kg = timezone.now(), by, parcels, weight_kg
    order.save(update_fields=["state", "packed_at", "packed_by", "parcels", "packed_weight_kg"])
    return order


@transaction.atomic
def do_report_fulfilled(order: SalesOrder, by, allow_short: bool = False) -> SalesOrder:
    """The "sent" button: deliver what was picked (non-stock rows are delivered as ordered),
    take it out of stock and tell the world. Short picks need `allow_short`."""
    require_reportable(order.organization_id)
    order = _locked(order)
    order.move_to(SalesOrder.State.SENT)
    rows = list(order.rows.select_related("article"))
    short_rows = order.short_rows(rows)
    if short_rows and not allow_short:
        raise ShortDeliveryNeedsConfirmation(order, short_rows)
    for row in rows:
        row.delivered_quantity = row.picked_quantity if row.is_pickable else row.ordered_quantity
        row.save(update_fields=["delivered_quantity"])
        if row.is_pickable and row.picked_quantity:
            for location, quantity in StockBalance.draw_plan(row.article, row.picked_quantity):
                do_move_stock(
                    article=row.article, kind=StockMovement.Kind.DELIVERY, quantity=-quantity, by=by,
                    location=location, sales_order=order,
                )
    order.fulfilled_at = timezone.now()
    order.fulfilled_by = by
    order.save(update_fields=["state", "fulfilled_at", "fulfilled_by"])
    signals.order_fulfilled.send(sender=SalesOrder, order=order, rows=rows, short=bool(short_rows), by=by)
    return order


@transaction.atomic
def do_cancel_order(order: SalesOrder) -> SalesOrder:
    # Nothing leaves stock before Report fulfilled, so cancelling never touches stock.
    return _move(order, SalesOrder.State.CANCELLED, cancelled_at=timezone.now())


def _receipt_errors(rows_by_pk, quantities) -> list[str]:
    errors = []
    for pk, quantity in quantities.items():
        row = rows_by_pk.get(pk)
        if row is None:
            errors.append(_("Row %(pk)s is not on this purchase order.") % {"pk": pk})
        elif quantity < 0:
            errors.append(_("%(article)s: a received quantity cannot be negative.") % {"article": row.article})
    if not errors and not any(quantities.values()):
        errors.append(_("Enter a received quantity on at least one row."))
    return errors


@transaction.atomic
def do_receive_purchase_order(
    purchase_order: PurchaseOrder, quantities: dict[int, Decimal], by, location: StockLocation | None = None,
    note: str = "", received_at=None, allow_over_receipt: bool = False,
) -> Receipt:
    """Record one delivery from the supplier: `quantities` maps purchase-order row ids to what
    arrived now. Several receipts on different days add up until everything is in. More than is
    still expected needs `allow_over_receipt`, and the receipt is then marked an over-receipt."""
    require_reportable(purchase_order.organization_id)
    purchase_order = _locked(purchase_order)
    if purchase_order.state not in PurchaseOrder.RECEIVABLE:
        raise ValidationError(
            _("%(order)s is %(state)s; nothing more can be received on it.")
            % {"order": purchase_order, "state": purchase_order.get_state_display().lower()}
        )
    rows_by_pk = {row.pk: row for row in purchase_order.rows.select_related("article")}
    errors = _receipt_errors(rows_by_pk, quantities)
    if errors:
        raise ValidationError(errors)
    over = [(rows_by_pk[pk], quantity) for pk, quantity in quantities.items()
            if quantity > rows_by_pk[pk].outstanding_quantity]
    if over and not allow_over_receipt:
        raise OverReceiptNeedsConfirmation(purchase_order, over)
    receipt = Receipt.objects.create(
        organization_id=purchase_order.organization_id, purchase_order=purchase_order,
        received_at=received_at or timezone.now(), received_by=by, location=location, note=note,
        over_receipt=bool(over),
    )
    receipt_rows = []
    for pk, quantity in quantities.items():
        if not quantity:
            continue
        row = rows_by_pk[pk]
        receipt_rows.append(ReceiptRow.objects.create(receipt=receipt, purchase_order_row=row, quantity=quantity))
        row.received_quantity += quantity
        row.save(update_fields=["received_quantity"])
        if row.article.is_stock_article:
            do_move_stock(
                article=row.article, kind=StockMovement.Kind.RECEIPT, quantity=quantity, by=by, location=location,
                receipt=receipt,
            )
    all_in = all(row.outstanding_quantity == ZERO for row in rows_by_pk.values())
    purchase_order.move_to(PurchaseOrder.State.RECEIVED if all_in else PurchaseOrder.State.PARTLY_RECEIVED)
    purchase_order.save(update_fields=["state"])
    signals.goods_received.send(
        sender=PurchaseOrder, receipt=receipt, purchase_order=purchase_order, rows=receipt_rows, by=by
    )
    return receipt


@transaction.atomic
def do_close_purchase_order_short(purchase_order: PurchaseOrder, by) -> PurchaseOrder:
    """Done with this purchase order although not everything came: the rest is not coming."""
    purchase_order = _move(purchase_order, PurchaseOrder.State.CLOSED_SHORT, closed_at=timezone.now(), closed_by=by)
    signals.purchase_order_closed.send(sender=PurchaseOrder, purchase_order=purchase_order, by=by)
    return purchase_order


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason; it stays in the stock ledger."))
    return reason


@transaction.atomic
def do_adjust_stock(
    article: Article, quantity: Decimal, reason: str, by, location: StockLocation | None = None
) -> Adjustment:
    """A counted difference or a write-off. Never takes the balance below zero."""
    require_reportable(article.organization_id)
    reason = _require_reason(reason)
    adjustment = Adjustment.objects.create(
        organization_id=article.organization_id, article=article, location=location, quantity=quantity,
        reason=reason, created_by=by,
    )
    do_move_stock(
        article=article, kind=StockMovement.Kind.ADJUSTMENT, quantity=quantity, by=by, location=location,
        reason=reason, allow_negative=False, adjustment=adjustment,
    )
    signals.stock_adjusted.send(sender=Adjustment, adjustment=adjustment, by=by)
    return adjustment


@transaction.atomic
def do_register_return(
    row: SalesOrderRow, quantity: Decimal, reason: str, by, location: StockLocation | None = None
) -> Return:
    """Goods back from the customer on a sent order: back into stock, at most what was delivered."""
    require_reportable(row.order.organization_id)
    order = _locked(row.order)
    row = SalesOrderRow.objects.select_related("article").get(pk=row.pk)
    reason = _require_reason(reason)
    if order.state != SalesOrder.State.SENT:
        raise ValidationError(_("Only sent orders can take returns; %(order)s is %(state)s.") % {
            "order": order, "state": order.get_state_display().lower(),
        })
    if quantity <= 0:
        raise ValidationError(_("Return a quantity above zero."))
    if quantity > row.returnable_quantity:
        raise ValidationError(
            _("At most %(left)s of %(article)s can come back on this order.")
            % {"left": readable(row.returnable_quantity), "article": row.article or row.description}
        )
    goods_return = Return.objects.create(
        organization_id=order.organization_id, order=order, order_row=row, location=location, quantity=quantity,
        reason=reason, created_by=by,
    )
    row.returned_quantity = F("returned_quantity") + quantity
    row.save(update_fields=["returned_quantity"])
    do_move_stock(
        article=row.article, kind=StockMovement.Kind.RETURN, quantity=quantity, by=by, location=location,
        reason=reason, sales_order=order, goods_return=goods_return,
    )
    signals.goods_returned.send(sender=Return, goods_return=goods_return, order=order, by=by)
    return goods_return
