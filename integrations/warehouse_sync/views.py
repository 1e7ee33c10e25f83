"""The warehouse integration's pages: settings with "Sync now" and the latest runs (organization
admins), a run with live progress, and "Report to Fortnox" for purchase-order receipts
(warehouse staff). Every object is reached through `request.organization`."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from integrations.core import outbox
from integrations.core.models import ExternalLink, FortnoxConnection, IntegrationError, OutboxEvent, SyncRun
from organizations.decorators import organization_required
from organizations.permissions import Perm
from warehouse.models import Adjustment, PurchaseOrder, Receipt, Return, SalesOrder

from . import mode, receivers, tasks
from .exporters import INCOMING_GOODS_LINK
from .forms import WarehouseSyncSettingsForm
from .importers import PURCHASE_ORDER_LINK
from .models import WarehouseSyncSettings

manage_settings = organization_required(Perm.MANAGE_SETTINGS)
warehouse_required = organization_required(Perm.WORK_WAREHOUSE)


def _runs(organization):
    return SyncRun.objects.for_organization(organization).filter(kind=tasks.RUN_KIND).select_related("started_by")


@manage_settings
def settings_page(request):
    if request.method == "POST":
        mode.refresh_warehouse_mode(request.organization)  # validate against Fortnox as it is now
    settings = WarehouseSyncSettings.get_or_create_for(request.organization)
    # Read before the form: validating it writes the entered values on `settings`.
    choice_before, choice_pending = settings.order_choice, settings.order_choice_pending
    form = WarehouseSyncSettingsForm(request.POST if request.method == "POST" else None, instance=settings)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = tasks.do_save_settings(form)
        messages.success(request, _("Warehouse integration settings saved."))
        if saved.order_choice != choice_before and not saved.order_choice_pending:  # else the page's note says it
            messages.info(request, _(
                "Which orders the warehouse fulfils changed: this takes effect at the next synchronisation. Orders "
                "already in picking stay in the queue."))
        return redirect("warehouse_sync_settings")
    connection = FortnoxConnection.existing_or_unsaved(request.organization)
    return render(request, "integrations/warehouse/settings.html", {
        "form": form, "settings": settings, "connection": connection, "runs": _runs(request.organization)[:10],
        "choice_pending": choice_pending,
        "missing_scopes": connection.missing_scopes() if connection.is_connected else [],
    })


@manage_settings
@require_POST
def sync_now(request):
    if not FortnoxConnection.existing_or_unsaved(request.organization).is_connected:
        messages.error(request, _("Connect Fortnox first (Integrations → Fortnox)."))
        return redirect("warehouse_sync_settings")
    run = tasks.do_sync_now(request.organization, acting_user=request.user)
    if run is None:
        messages.info(request, _("A synchronisation is already running; here it is."))
        run = tasks.busy_runs(request.organization).first()
    return redirect("warehouse_sync_run", run.pk)


@manage_settings
def run_page(request, pk):
    run = get_object_or_404(_runs(request.organization), pk=pk)
    template = "integrations/_run_progress.html" if request.htmx else "integrations/warehouse/run.html"
    return render(request, template, {"run": run})


@warehouse_required
def purchase_orders_page(request):
    """Fortnox purchase orders with receipts, each receipt with whether Fortnox has it."""
    links = ExternalLink.links_for(request.organization, PURCHASE_ORDER_LINK, PurchaseOrder)
    orders = (PurchaseOrder.objects.for_organization(request.organization)
              .filter(pk__in=links.values("object_id")).annotate(receipt_count=Count("receipts"))
              .filter(receipt_count__gt=0).select_related("supplier").order_by("-pk"))
    reported = set(ExternalLink.objects.for_organization(request.organization)
                   .filter(kind=INCOMING_GOODS_LINK, last_synced_values__completed=True).values_list("object_id", flat=True))
    pending = set(OutboxEvent.objects.for_organization(request.organization).filter(
        kind="wms_purchase_order_report", status__in=[OutboxEvent.Status.PENDING, OutboxEvent.Status.PROCESSING],
    ).values_list("object_id", flat=True))
    orders = list(orders.prefetch_related("receipts"))
    for order in orders:
        order.unreported = [receipt for receipt in order.receipts.all() if receipt.pk not in reported]
        order.pending = order.pk in pending
    return render(request, "integrations/warehouse/purchase_orders.html", {"orders": orders})


@warehouse_required
@require_POST
def report_purchase_order(request, pk):
    links = ExternalLink.links_for(request.organization, PURCHASE_ORDER_LINK, PurchaseOrder)
    purchase_order = get_object_or_404(
        PurchaseOrder.objects.for_organization(request.organization).filter(pk__in=links.values("object_id")), pk=pk,
    )
    if not purchase_order.receipts.exists():
        messages.error(request, _("Nothing has been received on %(order)s yet.") % {"order": purchase_order})
    else:
        with transaction.atomic():
            receivers.do_report_purchase_order(purchase_order)
        messages.success(request, _("%(order)s is on its way to Fortnox.") % {"order": purchase_order})
    return redirect("warehouse_sync_purchase_orders")


# The objects whose Fortnox state a page shows, by the name in the state's URL, with the page of each.
REPORTED = {"order": (SalesOrder, "warehouse:order"), "purchase-order": (PurchaseOrder, "warehouse:purchase_order"),
            "receipt": (Receipt, None), "adjustment": (Adjustment, None), "return": (Return, None)}


@warehouse_required
def report_state(request, kind, pk):
    """The Fortnox state box of one object, polled by its page while the report is on its way."""
    if kind not in REPORTED:
        raise Http404
    obj = get_object_or_404(REPORTED[kind][0].objects.for_organization(request.organization), pk=pk)
    return render(request, "integrations/warehouse/_report_state.html", {"object": obj, "kind": kind})


@manage_settings
@require_POST
def retry_report(request, pk):
    """Retry on the object's page: the failed report is queued again, and the page shows it on its way."""
    error = get_object_or_404(IntegrationError.objects.for_organization(request.organization), pk=pk)
    if not error.can_retry:
        messages.error(request, _("This report cannot be retried any more (it was retried or dismissed already)."))
    else:
        outbox.do_retry_error(error, acting_user=request.user)
        messages.success(request, _("Brygga is trying again."))
    page = next((url for model, url in REPORTED.values() if url and error.content_type
                 and error.content_type.model_class() is model), None)
    return redirect(page, error.object_id) if page else redirect("integration_errors")
