"""Listens to the warehouse's domain events and promises (outbox events, in the same transaction)
to report them to Fortnox, as the settings say. Also warns the person who reported a short
delivery that Fortnox will leave a back order."""

from django.dispatch import receiver
from django.urls import reverse

from organizations.actions import do_notify
from warehouse import signals as warehouse_signals
from warehouse.models import PurchaseOrder

from .. import outbox
from ..models import FortnoxConnection
from ..sync_models import ExternalLink
from .importers import ORDER_LINK, PURCHASE_ORDER_LINK
from .models import WarehouseSyncSettings
from .state import failed_ids


def _settings(obj) -> WarehouseSyncSettings | None:
    return WarehouseSyncSettings.objects.for_organization(obj.organization_id).first()


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
