"""Listens to the warehouse's domain events and promises (outbox events, in the same transaction)
to report them to Fortnox, as the settings say. Also warns the person who reported a short
delivery that Fortnox will leave a back order, and reads a newly connected company's warehouse mode."""

from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext as _

from integrations.connection import signals as connection_signals
from integrations.core import outbox
from integrations.core.models import ExternalLink, FortnoxConnection
from organizations.actions import do_notify
from warehouse import signals as warehouse_signals
from warehouse.models import PurchaseOrder, Return, SalesOrder
from warehouse.quantities import readable as qty

from .exporters import INVOICE_LINK
from .importers import ORDER_LINK, PURCHASE_ORDER_LINK
from .mode import do_adopt_warehouse_mode
from .models import WarehouseSyncSettings
from .state import failed_ids


def _settings(obj) -> WarehouseSyncSettings | None:
    return WarehouseSyncSettings.objects.for_organization(obj.organization_id).first()


@receiver(connection_signals.connected, dispatch_uid="warehouse_sync.connected")
def adopt_warehouse_mode(sender, connection, client, **kwargs):
    do_adopt_warehouse_mode(connection, client)


@receiver(warehouse_signals.reporting_blocked, dispatch_uid="warehouse_sync.reporting_blocked")
def reporting_blocked(sender, organization_id, **kwargs):
    """Brygga's warehouse-module setting contradicts what Fortnox last said (see `mode`)."""
    settings = WarehouseSyncSettings.objects.filter(organization_id=organization_id).first()
    if settings is None or settings.mode_conflict is None:
        return None
    connected = FortnoxConnection.objects.filter(
        organization_id=organization_id, status=FortnoxConnection.Status.CONNECTED, warehouse_enabled=True,
    ).exists()
    return settings.mode_conflict if connected else None


@receiver(warehouse_signals.report_failed, dispatch_uid="warehouse_sync.report_failed")
def report_failed(sender, organization_id, **kwargs):
    return failed_ids(sender, organization_id)


@receiver(warehouse_signals.order_fulfilled, dispatch_uid="warehouse_sync.order_fulfilled")
def order_fulfilled(sender, order, rows, short, by, **kwargs):
    settings = _settings(order)
    if settings is None or not settings.report_fulfilled or ExternalLink.link_of(order, ORDER_LINK) is None:
        return
    outbox.record(order, "wms_fulfilment")
    if short and settings.back_orders_in_fortnox and by is not None:
        do_notify(
            order.organization, [by], title_template="integrations/warehouse/email/back_order_subject.txt",
            body_template="integrations/warehouse/email/back_order_body.txt",
            context={"order": order, "short_rows": [row for row in rows if row.ordered_quantity > row.delivered_quantity]},
            link=reverse("warehouse:order", args=[order.pk]), level="warning", email=False,
        )


@receiver(warehouse_signals.follow_up, sender=SalesOrder, dispatch_uid="warehouse_sync.short_follow_up")
def back_order_to_come(sender, obj, short_rows, **kwargs):
    """Before a short fulfilment is confirmed: what Fortnox does with the rest of the order."""
    settings = _settings(obj)
    if settings is None or not settings.report_fulfilled or ExternalLink.link_of(obj, ORDER_LINK) is None:
        return None
    rest = ", ".join(f"{row.article or row.description} × {qty(row.left_to_pick)}" for row in short_rows)
    if settings.back_orders_in_fortnox:
        return _("When Brygga invoices order %(order)s, Fortnox makes a back order of what is short (%(rest)s); it "
                 "arrives here as a new order to pick.") % {"order": obj.order_number, "rest": rest}
    return _("Fortnox makes no back order (back orders are off in Fortnox): what is short (%(rest)s) is not delivered "
             "later unless someone makes a new order.") % {"rest": rest}


@receiver(warehouse_signals.follow_up, sender=Return, dispatch_uid="warehouse_sync.return_follow_up")
def credit_note_to_make(sender, obj, **kwargs):
    """After a return: Brygga puts the goods back but never credits an invoice, so the person is
    told plainly where the credit note is made."""
    settings = _settings(obj)
    if settings is None or ExternalLink.link_of(obj.order, ORDER_LINK) is None:
        return None
    invoice = ExternalLink.link_of(obj.order, INVOICE_LINK)
    if invoice is not None:
        return _("Brygga does not credit invoices: if the customer is to get money back for the return, make a "
                 "credit note for invoice %(invoice)s (order %(order)s) in Fortnox.") % {
            "invoice": invoice.external_id, "order": obj.order.order_number}
    return _("Order %(order)s has no invoice in Fortnox yet. Once it has, credit the returned goods there if the "
             "customer is to get money back: Brygga does not credit invoices.") % {"order": obj.order.order_number}


def _documents_wanted(obj) -> bool:
    settings = _settings(obj)
    return settings is not None and settings.use_warehouse_module


@receiver(warehouse_signals.stock_adjusted, dispatch_uid="warehouse_sync.stock_adjusted")
def stock_adjusted(sender, adjustment, **kwargs):
    if _documents_wanted(adjustment):
        outbox.record(adjustment, "wms_custom_document")


@receiver(warehouse_signals.goods_returned, dispatch_uid="warehouse_sync.goods_returned")
def goods_returned(sender, goods_return, **kwargs):
    if _documents_wanted(goods_return):
        outbox.record(goods_return, "wms_custom_document")


@receiver(warehouse_signals.goods_received, dispatch_uid="warehouse_sync.goods_received")
def goods_received(sender, receipt, purchase_order, **kwargs):
    """Receipts on a Fortnox (Lager+) purchase order wait for "Report to Fortnox"; any other
    receipt becomes a custom inbound document in warehouse-module mode."""
    if ExternalLink.link_of(purchase_order, PURCHASE_ORDER_LINK) is None and _documents_wanted(receipt):
        outbox.record(receipt, "wms_custom_document")


def do_report_purchase_order(purchase_order: PurchaseOrder) -> None:
    """Staff pressed "Report to Fortnox": its receipts become incoming goods (see exporters)."""
    outbox.record(purchase_order, "wms_purchase_order_report")
