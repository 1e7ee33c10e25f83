"""Domain events of the warehouse. Anyone (an ERP integration, notifications) may listen; this
app never knows who does.

All are sent inside the transaction that made the change, so a receiver's own writes commit or
roll back with it; a receiver that talks to the outside world must defer that work with
`transaction.on_commit`. Every signal is sent with `sender` = the model class concerned.
"""

from django.dispatch import Signal

# order: SalesOrder (state sent), rows: list[SalesOrderRow] with delivered_quantity set,
# short: bool (something was delivered short), by: User or None
order_fulfilled = Signal()

# receipt: Receipt, purchase_order: PurchaseOrder (state after the receipt),
# rows: list[ReceiptRow], by: User or None
goods_received = Signal()

# purchase_order: PurchaseOrder closed short (no more goods are coming), by: User or None
purchase_order_closed = Signal()

# adjustment: Adjustment (quantity signed), by: User or None
stock_adjusted = Signal()

# goods_return: Return, order: SalesOrder, by: User or None
goods_returned = Signal()

# movement: StockMovement, balance: StockBalance (after the movement)
stock_changed = Signal()

# Asked before work that will be reported (picking, Report fulfilled, receipts, adjustments,
# returns): organization_id. A receiver answers why that work cannot be reported now (words for
# the person at the scanner), or None. Any reason blocks the work up front.
reporting_blocked = Signal()

# Asked by the lists' "failed" filter: organization_id. A receiver answers with the ids of the
# `sender` model's objects whose report failed for good (a list or a subquery of ids), or None.
report_failed = Signal()

# Asked about what follows elsewhere from work on the floor, so the person is told at the moment
# they do it: before a short fulfilment is confirmed (sender SalesOrder, obj the order, short_rows)
# and after a return is registered (sender Return, obj the return). A receiver answers with words
# for the person (a back order to come, a credit note to make), or None.
follow_up = Signal()

# A document written from another system (an ERP) through `warehouse.imports`: document
# (SalesOrder or PurchaseOrder, rows saved), created: bool, origin: organizations.origin.Origin
# (EXTERNAL for a sync). A listener that reports changes back skips what came from outside.
document_imported = Signal()
