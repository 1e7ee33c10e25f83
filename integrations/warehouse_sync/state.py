"""Where warehouse work stands with Fortnox, shown on the object and on the lists people work
from: a fulfilment (on its sales order), a receipt, adjustment or return (custom documents), and
a Fortnox purchase order's receipts (reported together, on the purchase order). The latest outbox
event of the object decides: on its way (pending or being sent), sent (Fortnox accepted) or
failed (with the error-log entry's reason)."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext, pgettext_lazy

from integrations.core.models import ExternalLink, IntegrationError, OutboxEvent
from warehouse.models import PurchaseOrder, Receipt, SalesOrder

from .exporters import INVOICE_LINK
from .importers import INCOMING_GOODS_LINK, PURCHASE_ORDER_LINK

KINDS = ("wms_fulfilment", "wms_custom_document", "wms_purchase_order_report")


@dataclass
class ReportState:
    WAITING, QUEUED, SENT, FAILED = "waiting", "queued", "sent", "failed"
    # One object's state (a run's count of "Sent to Fortnox" is plural in Swedish).
    LABELS = {WAITING: pgettext_lazy("fortnox state", "Not reported to Fortnox yet"),
              QUEUED: pgettext_lazy("fortnox state", "On its way to Fortnox"),
              SENT: pgettext_lazy("fortnox state", "Sent to Fortnox"),
              FAILED: pgettext_lazy("fortnox state", "Failed in Fortnox")}

    status: str
    error: IntegrationError | None = None
    invoiced_before: str = ""  # a sales order Fortnox had invoiced before the warehouse reported it: its invoice

    @property
    def note(self) -> str:
        if not self.invoiced_before:
            return ""
        return gettext("Fortnox had invoiced the order already (invoice %(number)s): it keeps that one invoice and "
                       "the delivered quantities were not written.") % {"number": self.invoiced_before}

    @property
    def label(self):
        return self.LABELS[self.status]

    @property
    def reason(self) -> str:
        return self.error.message if self.error else ""

    @property
    def can_retry(self) -> bool:
        return self.error is not None and self.error.can_retry


STATUSES = {OutboxEvent.Status.PENDING: ReportState.QUEUED, OutboxEvent.Status.PROCESSING: ReportState.QUEUED,
            OutboxEvent.Status.DONE: ReportState.SENT, OutboxEvent.Status.FAILED: ReportState.FAILED}


def _events(model, organization_id):
    return OutboxEvent.objects.filter(
        organization_id=organization_id, content_type=ContentType.objects.get_for_model(model), kind__in=KINDS,
    )


def report_states(model, organization_id, ids) -> dict[int, ReportState]:
    """The state of each of `model`'s objects with these ids that has been reported at all, or
    (a Fortnox purchase order) waits to be (a few queries, whatever the number of objects)."""
    latest = {}
    for event in _events(model, organization_id).filter(object_id__in=list(ids)).order_by("pk").only(
            "pk", "object_id", "status"):
        latest[event.object_id] = event
    failed = [event.pk for event in latest.values() if event.status == OutboxEvent.Status.FAILED]
    errors = {error.outbox_event_id: error
              for error in IntegrationError.objects.filter(outbox_event_id__in=failed).order_by("pk")}
    states = {object_id: ReportState(STATUSES[event.status], errors.get(event.pk))
              for object_id, event in latest.items()}
    if model is PurchaseOrder:
        for object_id in waiting_purchase_orders(organization_id, ids):
            if states.get(object_id) is None or states[object_id].status == ReportState.SENT:
                states[object_id] = ReportState(ReportState.WAITING)
    elif model is Receipt:
        states.update(receipt_states(organization_id, ids))
    return states


def receipt_states(organization_id, ids) -> dict[int, ReportState]:
    """Receipts on a Fortnox purchase order go with their purchase order's report: sent once
    their incoming goods are complete in Fortnox, else as the purchase order's report stands."""
    linked = ExternalLink.links_for(organization_id, PURCHASE_ORDER_LINK, PurchaseOrder).values("object_id")
    receipts = dict(Receipt.objects.filter(pk__in=list(ids), purchase_order_id__in=linked)
                    .values_list("pk", "purchase_order_id"))
    reported = set(ExternalLink.links_for(organization_id, INCOMING_GOODS_LINK, Receipt).filter(
        object_id__in=list(receipts), last_synced_values__completed=True).values_list("object_id", flat=True))
    orders = report_states(PurchaseOrder, organization_id, set(receipts.values()))
    waiting = ReportState(ReportState.WAITING)
    return {pk: ReportState(ReportState.SENT) if pk in reported else orders.get(order_id, waiting)
            for pk, order_id in receipts.items()}


def waiting_purchase_orders(organization_id, ids) -> set[int]:
    """Fortnox purchase orders with receipts not in Fortnox yet: they wait for "Report to Fortnox"."""
    linked = ExternalLink.links_for(organization_id, PURCHASE_ORDER_LINK, PurchaseOrder).values("object_id")
    reported = ExternalLink.links_for(organization_id, INCOMING_GOODS_LINK, Receipt).filter(
        last_synced_values__completed=True).values("object_id")
    return set(Receipt.objects.filter(purchase_order_id__in=list(ids)).filter(purchase_order_id__in=linked)
               .exclude(pk__in=reported).values_list("purchase_order_id", flat=True))


def report_state(obj) -> ReportState | None:
    """One object's state; a sales order's also says when Fortnox had invoiced it already (on the
    object's own page: the lists show the state alone)."""
    state = report_states(type(obj), obj.organization_id, [obj.pk]).get(obj.pk)
    if isinstance(obj, SalesOrder) and state is not None and state.status == ReportState.SENT:
        link = ExternalLink.link_of(obj, INVOICE_LINK)
        if link is not None and link.last_synced_values.get("invoiced_in_fortnox"):
            state.invoiced_before = link.external_id
    return state


def failed_ids(model, organization_id):
    """Ids of `model`'s objects whose latest report failed for good, as a subquery."""
    later = OutboxEvent.objects.filter(content_type=OuterRef("content_type"), object_id=OuterRef("object_id"),
                                       kind__in=KINDS, pk__gt=OuterRef("pk"))
    return (_events(model, organization_id).filter(status=OutboxEvent.Status.FAILED).exclude(Exists(later))
            .values_list("object_id", flat=True))
