"""Warehouse staff pages: made for a tablet or a scanner's browser (big buttons, one focused
scan field per page). Every view needs `Perm.WORK_WAREHOUSE` and reaches objects only through
`request.organization`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Subquery, Sum, Window
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizations.decorators import organization_required
from organizations.permissions import Perm

from . import actions, reporting
from .forms import (
    AdjustmentForm,
    ArticleLookupForm,
    PackForm,
    PickQueueFilterForm,
    PickRowForm,
    PurchaseOrderFilterForm,
    ReceiveForm,
    ReturnForm,
    ScanForm,
)
from .models import Article, PurchaseOrder, Return, SalesOrder, SalesOrderRow, StockBalance
from .quantities import readable
from .shipping import Shipment

PAGE_SIZE = 50
warehouse_required = organization_required(Perm.WORK_WAREHOUSE)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _posted(request):
    """POST data to bind a form to, even when empty (an empty submit must show its errors)."""
    return request.POST if request.method == "POST" else None


def _attempt(request, action, *args, success=None, **kwargs):
    """Run an action; report a broken rule as an error message. Returns the result or None."""
    try:
        result = action(*args, **kwargs)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return None
    if success:
        messages.success(request, success)
    return result


def _order(request, pk):
    return get_object_or_404(
        SalesOrder.objects.for_organization(request.organization).select_related(
            "customer", "order_type", "transporter_service__transporter"), pk=pk
    )


def _purchase_order(request, pk):
    return get_object_or_404(
        PurchaseOrder.objects.for_organization(request.organization).select_related("supplier"), pk=pk
    )


@warehouse_required
def pick_queue(request):
    form = PickQueueFilterForm(request.GET or None, organization=request.organization)
    orders = SalesOrder.objects.for_organization(request.organization).select_related(
        "customer", "order_type", "transporter_service__transporter")
    if form.is_bound:
        form.is_valid()  # errors are shown; the valid filters still apply
        orders = form.filter(orders)
        if form.cleaned_data.get("q") and (exact := orders.filter(order_number=form.cleaned_data["q"]).first()):
            return redirect("warehouse:order", exact.pk)  # a scanned order slip opens its order
    else:
        orders = orders.filter(state__in=SalesOrder.TO_DO)
    orders = orders.order_by(F("delivery_date").asc(nulls_last=True), "order_number")
    return render(request, "warehouse/pick_queue.html", {"form": form, "page": _page(request, orders)})


def _order_page(request, order, **context):
    rows = list(order.rows.select_related("article"))
    blocked = reporting.blocked_reason(order.organization_id) if order.state != SalesOrder.State.CANCELLED else None
    # Blocked: nobody starts, picks or reports work that could not be reported (packing and
    # cancelling report nothing).
    reportable = {SalesOrder.State.PICKING, SalesOrder.State.SENT}
    return render(request, "warehouse/order.html", {
        "order": order, "rows": rows, "scan_form": ScanForm(), "pick_form": PickRowForm(), "blocked_reason": blocked,
        "can_move_to": {state: order.can_move_to(state) and not (blocked and state in reportable)
                        for state in SalesOrder.State},
        "accepts_picks": not blocked and order.state in (SalesOrder.State.OPEN, SalesOrder.State.PICKING),
        "returns": order.returns.select_related("order_row__article", "created_by", "location"),
        "pack_form": PackForm(initial={"weight_kg": Shipment.of(order, rows).weight_kg}).with_weight_shown(),
        "notices": list(order.notices.all()),
        **context,
    })


@warehouse_required
def order_page(request, pk):
    return _order_page(request, _order(request, pk))


@warehouse_required
@require_POST
def order_start_picking(request, pk):
    _attempt(request, actions.do_start_picking, _order(request, pk), request.user)
    return redirect("warehouse:order", pk)


@warehouse_required
@require_POST
def order_scan(request, pk):
    order = _order(request, pk)
    form = ScanForm(request.POST)
    if not form.is_valid():
        return _order_page(request, order, scan_form=form)
    row = _attempt(request, order.row_for_scan, form.cleaned_data["code"])
    if row is not None:
        _attempt(
            request, actions.do_pick_row, row, form.cleaned_data["quantity"], request.user,
            success=_("Picked %(quantity)s × %(article)s.") % {
                "quantity": readable(form.cleaned_data["quantity"]), "article": row.article,
            },
        )
    return redirect("warehouse:order", pk)


@warehouse_required
@require_POST
def order_pick_row(request, pk, row_pk):
    order = _order(request, pk)
    row = SalesOrderRow.objects.filter(order=order, pk=row_pk).first()
    if row is None:
        messages.error(request, actions.order_changed_meanwhile(order).messages[0])
        return redirect("warehouse:order", pk)
    form = PickRowForm(request.POST)
    if form.is_valid():
        _attempt(request, actions.do_pick_row, row, form.cleaned_data["quantity"], request.user)
    else:
        messages.error(request, _("Enter a quantity above zero to pick."))
    return redirect("warehouse:order", pk)


@warehouse_required
@require_POST
def order_pack(request, pk):
    order = _order(request, pk)
    form = PackForm(request.POST)
    if not form.is_valid():
        return _order_page(request, order, pack_form=form)
    _attempt(request, actions.do_pack, order, request.user, form.cleaned_data["parcels"], form.cleaned_data["weight_kg"],
             success=_("Packed."))
    return redirect("warehouse:order", pk)


@warehouse_required
@require_POST
def order_report_fulfilled(request, pk):
    order = _order(request, pk)
    try:
        _attempt(
            request, actions.do_report_fulfilled, order, request.user, allow_short="confirm_short" in request.POST,
            # Only "sent" here: whether (and when) Fortnox has it is the order page's Fortnox state.
            success=_("%(order)s is marked sent.") % {"order": order},
        )
    except actions.ShortDeliveryNeedsConfirmation as short:
        return render(request, "warehouse/confirm_short.html", {
            "order": order, "short_rows": short.short_rows,
            "follow_ups": reporting.follow_ups(SalesOrder, order, short_rows=short.short_rows),
        })
    return redirect("warehouse:order", pk)


@warehouse_required
@require_POST
def order_cancel(request, pk):
    _attempt(request, actions.do_cancel_order, _order(request, pk), success=_("Order cancelled."))
    return redirect("warehouse:order", pk)


@warehouse_required
def order_return(request, pk):
    order = _order(request, pk)
    form = ReturnForm(_posted(request), order=order)
    if form.is_valid():
        data = form.cleaned_data
        done = _attempt(
            request, actions.do_register_return, data["row"], data["quantity"], data["reason"], request.user,
            location=form.chosen_location(), success=_("Return registered; the goods are back in stock."),
        )
        if done:
            for note in reporting.follow_ups(Return, done):
                messages.warning(request, note)
            return redirect("warehouse:order", pk)
    return render(request, "warehouse/return_form.html", {
        "order": order, "form": form, "blocked_reason": reporting.blocked_reason(order.organization_id),
    })


@warehouse_required
def purchase_order_list(request):
    form = PurchaseOrderFilterForm(request.GET or {}, organization=request.organization)
    form.is_valid()
    purchase_orders = form.filter(
        PurchaseOrder.objects.for_organization(request.organization).select_related("supplier")
    ).order_by(F("expected_date").asc(nulls_last=True), "order_number")
    return render(request, "warehouse/purchase_orders.html", {"form": form, "page": _page(request, purchase_orders)})


@warehouse_required
def purchase_order_receive(request, pk):
    purchase_order = _purchase_order(request, pk)
    rows = list(purchase_order.rows.select_related("article"))
    form = ReceiveForm(_posted(request), purchase_order=purchase_order, rows=rows)
    if form.is_valid():
        try:
            receipt = _attempt(
                request, actions.do_receive_purchase_order, purchase_order, form.quantities(), request.user,
                location=form.chosen_location(), note=form.cleaned_data["note"], success=_("Receipt recorded."),
                allow_over_receipt="confirm_over_receipt" in request.POST,
            )
        except actions.OverReceiptNeedsConfirmation as over:
            posted = [(name, value) for name, value in request.POST.items() if name != "csrfmiddlewaretoken"]
            return render(request, "warehouse/confirm_over_receipt.html", {
                "purchase_order": purchase_order, "over": over.over, "posted": posted,
            })
        if receipt:
            return redirect("warehouse:purchase_order", pk)
    receipts = purchase_order.receipts.select_related("received_by", "location").prefetch_related(
        "rows__purchase_order_row__article"
    )
    blocked = reporting.blocked_reason(purchase_order.organization_id)
    return render(request, "warehouse/purchase_order.html", {
        "purchase_order": purchase_order, "form": form, "receipts": receipts, "blocked_reason": blocked,
        "receivable": purchase_order.state in PurchaseOrder.RECEIVABLE and not blocked,
    })


@warehouse_required
@require_POST
def purchase_order_close_short(request, pk):
    _attempt(
        request, actions.do_close_purchase_order_short, _purchase_order(request, pk), request.user,
        success=_("Closed short: the rest is not expected any more."),
    )
    return redirect("warehouse:purchase_order", pk)


@warehouse_required
def stock(request):
    """Articles with their stock; a scanned code that matches one article opens it."""
    form = ArticleLookupForm(request.GET or None, organization=request.organization)
    if form.is_valid():
        return redirect("warehouse:article", form.article.pk)
    in_stock = StockBalance.objects.filter(article=OuterRef("pk")).values("article").annotate(total=Sum("quantity"))
    articles = Article.objects.for_organization(request.organization).annotate(
        in_stock=Subquery(in_stock.values("total"))
    )
    return render(request, "warehouse/stock.html", {"form": form, "page": _page(request, articles)})


@warehouse_required
def article_stock(request, pk):
    article = get_object_or_404(Article.objects.for_organization(request.organization).select_related("supplier"), pk=pk)
    balances = list(article.balances.select_related("location"))
    ledger = article.movements.select_related(
        "location", "created_by", "sales_order", "receipt__purchase_order", "adjustment"
    ).annotate(
        running_total=Window(Sum("quantity"), order_by=[F("created_at").asc(), F("pk").asc()])
    ).order_by("-created_at", "-pk")
    return render(request, "warehouse/article.html", {
        "article": article, "balances": balances, "total": sum(b.quantity for b in balances),
        "page": _page(request, ledger),
    })


@warehouse_required
def adjustment_new(request):
    initial = {"code": request.GET.get("code", "")}
    form = AdjustmentForm(_posted(request), initial=initial, organization=request.organization)
    if form.is_valid():
        data = form.cleaned_data
        adjustment = _attempt(
            request, actions.do_adjust_stock, form.article, data["quantity"], data["reason"], request.user,
            location=form.chosen_location(), success=_("Stock adjusted."),
        )
        if adjustment:
            return redirect("warehouse:article", form.article.pk)
    return render(request, "warehouse/adjustment_form.html", {
        "form": form, "blocked_reason": reporting.blocked_reason(request.organization.pk),
    })
