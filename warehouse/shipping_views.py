"""Shipping pages: transporters, services and rules (organization admins), and an order's
service chosen by staff (warehouse staff). Objects are reached only through `request.organization`."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizations.decorators import organization_required
from organizations.permissions import Perm

from . import delivery_note, notices, shipping_actions
from .shipping import Transporter, TransporterRule, TransporterService
from .shipping_forms import (
    OrderNoticeForm,
    OverrideServiceForm,
    RuleForm,
    ServiceForm,
    ShippingSettingsForm,
    TransporterForm,
)
from .views import _attempt, _order, warehouse_required

manage_settings = organization_required(Perm.MANAGE_SETTINGS)
FORMS = {"settings": ShippingSettingsForm, "transporter": TransporterForm, "service": ServiceForm, "rule": RuleForm}


@manage_settings
def shipping_settings(request):
    organization = request.organization
    posted = request.POST.get("form") if request.method == "POST" else None
    forms = {name: form(request.POST if name == posted else None, prefix=name, organization=organization)
             for name, form in FORMS.items()}
    if posted in forms and forms[posted].is_valid():
        if posted == "rule":
            shipping_actions.do_add_rule(forms[posted].save(commit=False))
        else:
            forms[posted].save()
        messages.success(request, _("Saved."))
        return redirect("warehouse:shipping")
    transporters = Transporter.objects.for_organization(organization).prefetch_related(
        Prefetch("services", TransporterService.objects.order_by("name")))
    return render(request, "warehouse/shipping_settings.html", {
        "forms": forms, "transporters": transporters, "rules": TransporterRule.in_order(organization),
        "flagged": shipping_actions.open_ruled_orders(organization).exclude(service_problem="").count(),
    })


def _rule(request, pk):
    return get_object_or_404(TransporterRule.objects.for_organization(request.organization), pk=pk)


@manage_settings
def rule_edit(request, pk):
    rule = _rule(request, pk)
    form = RuleForm(request.POST if request.method == "POST" else None, instance=rule, organization=request.organization)
    if form.is_valid():
        shipping_actions.do_save_rule(form.save(commit=False))
        messages.success(request, _("Rule saved; open orders follow it."))
        return redirect("warehouse:shipping")
    return render(request, "warehouse/rule_edit.html", {"form": form, "rule": rule})


@manage_settings
@require_POST
def rule_move(request, pk):
    shipping_actions.do_move_rule(_rule(request, pk), up=request.POST.get("direction") == "up")
    return redirect("warehouse:shipping")


@manage_settings
@require_POST
def rule_delete(request, pk):
    shipping_actions.do_delete_rule(_rule(request, pk))
    messages.success(request, _("Rule deleted."))
    return redirect("warehouse:shipping")


@manage_settings
@require_POST
def service_delete(request, pk):
    service = get_object_or_404(TransporterService.objects.for_organization(request.organization), pk=pk)
    shipping_actions.do_delete_service(service)
    messages.success(request, _("Service deleted; rules that used it need another one."))
    return redirect("warehouse:shipping")


@manage_settings
@require_POST
def apply_rules(request):
    changed = shipping_actions.do_apply_rules(request.organization)
    messages.success(request, _("Rules applied: %(count)s orders changed.") % {"count": changed})
    return redirect("warehouse:shipping")


@warehouse_required
def order_service(request, pk):
    order = _order(request, pk)
    posted = request.POST if request.method == "POST" else None
    form = OverrideServiceForm(posted if posted and "notices" not in posted else None,
                               organization=request.organization, initial={"service": order.transporter_service_id})
    notice_form = OrderNoticeForm(posted if posted and "notices" in posted else None, order=order)
    if posted and "rules" in posted:
        _attempt(request, shipping_actions.do_use_rules_again, order, success=_("The rules choose the service again."))
        return redirect("warehouse:order_service", pk)
    if notice_form.is_valid() and _attempt(
            request, shipping_actions.do_choose_notices, order, notice_form.cleaned_data["notify_by_email"],
            notice_form.cleaned_data["notify_by_sms"], success=_("Saved.")):
        return redirect("warehouse:order_service", pk)
    if form.is_valid() and _attempt(request, shipping_actions.do_override_service, order,
                                    form.cleaned_data["service"], form.cleaned_data["reason"], request.user,
                                    success=_("Service chosen.")):
        return redirect("warehouse:order_service", pk)
    return render(request, "warehouse/order_service.html", {"order": order, "form": form, "notice_form": notice_form})


@warehouse_required
def order_delivery_note(request, pk, as_pdf=False):
    """The note goes in the customer's parcel, so it is in their language; the buttons around
    the printable sheet are in the reader's."""
    order = _order(request, pk)
    with translation.override(order.customer_language):
        if as_pdf:
            response = HttpResponse(delivery_note.pdf(order), content_type="application/pdf")
            filename = _("delivery-note-%(number)s.pdf") % {"number": order.order_number}
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        sheet = render_to_string("warehouse/_delivery_note_sheet.html", delivery_note.note_context(order))
    # The sheet is our own template, rendered (and escaped) just above.
    return render(request, "warehouse/delivery_note.html", {"order": order, "sheet": mark_safe(sheet)})


@warehouse_required
@require_POST
def notice_send_again(request, pk, notice_pk):
    order = _order(request, pk)
    notice = get_object_or_404(order.notices, pk=notice_pk)
    if notices.do_send_again(notice).status == notices.CustomerNotice.Status.PENDING:
        messages.success(request, _("The notice will be sent again."))
    else:
        messages.error(request, _("Only a notice that failed can be sent again; this one is %(status)s.")
                       % {"status": notice.get_status_display().lower()})
    return redirect("warehouse:order", pk)
