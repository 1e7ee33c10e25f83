from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizations.edit_conflicts import EditConflict, VersionGuard

from .models import Article, OrderType, PurchaseOrder, SalesOrder, StockLocation
from .quantities import QuantityField, readable
from .reporting import failed_filter
from .shipping import TransporterService


def failed_field():
    return forms.BooleanField(label=_("Only those that failed in Fortnox"), required=False)

# Scanners type the code and press Enter: one big field, focused, no autocorrect in the way.
SCAN_ATTRS = {
    "autofocus": True, "autocomplete": "off", "autocapitalize": "off", "spellcheck": "false",
    "inputmode": "text", "enterkeyhint": "go", "class": "scan-input",
}
QUANTITY_ATTRS = {"inputmode": "decimal", "class": "quantity-input", "step": "any"}


def quantity_field(**kwargs):
    return QuantityField(
        max_digits=12, decimal_places=3, widget=forms.NumberInput(attrs=QUANTITY_ATTRS), **kwargs
    )


def scan_field(label):
    return forms.CharField(
        label=label, max_length=50, widget=forms.TextInput(attrs=SCAN_ATTRS),
        help_text=_("Scan or type an EAN or an article number."),
    )


class OrganizationForm(forms.Form):
    """A form whose choices come from one organization; adds a stock location choice when the
    organization uses locations."""

    with_location = False

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        if self.with_location:
            locations = StockLocation.objects.for_organization(organization).filter(active=True)
            if locations.exists():
                self.fields["location"] = forms.ModelChoiceField(
                    label=_("Stock location"), queryset=locations, required=False,
                    empty_label=_("(no location)"),
                )

    def chosen_location(self):
        return self.cleaned_data.get("location")


class PickQueueFilterForm(OrganizationForm):
    TO_DO = ""
    state = forms.ChoiceField(
        label=_("State"), required=False,
        choices=[(TO_DO, _("To do (open, picking, packed)"))] + SalesOrder.State.choices,
    )
    order_type = forms.ModelChoiceField(label=_("Order type"), queryset=OrderType.objects.none(), required=False)
    delivery_by = forms.DateField(
        label=_("Delivery on or before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(
        label=_("Order or customer"), required=False, max_length=100,
        widget=forms.TextInput(attrs={**SCAN_ATTRS, "autofocus": False}),
    )
    NO_SERVICE = "none"
    service = forms.ChoiceField(label=_("Transporter service"), required=False)
    failed = failed_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order_type"].queryset = OrderType.objects.for_organization(self.organization)
        services = TransporterService.objects.for_organization(self.organization).select_related("transporter")
        self.fields["service"].choices = [("", _("Any")), (self.NO_SERVICE, _("None: flagged, choose one"))] + [
            (str(service.pk), str(service)) for service in services]

    def filter(self, orders):
        """Apply the valid filters; invalid ones are reported by the form and left out."""
        data = self.cleaned_data
        state = data.get("state")
        if data.get("failed"):  # in any state unless one is chosen: it is sent orders that are reported
            orders = orders.filter(failed_filter(SalesOrder, self.organization.pk))
        if state:
            orders = orders.filter(state=state)
        elif not data.get("failed"):
            orders = orders.filter(state__in=SalesOrder.TO_DO)
        if data.get("order_type"):
            orders = orders.filter(order_type=data["order_type"])
        if data.get("delivery_by"):
            orders = orders.filter(delivery_date__lte=data["delivery_by"])
        if data.get("service") == self.NO_SERVICE:
            orders = orders.filter(transporter_service__isnull=True)
        elif data.get("service"):
            orders = orders.filter(transporter_service_id=data["service"])
        if data.get("q"):
            orders = orders.filter(Q(order_number=data["q"]) | Q(customer__name__icontains=data["q"]))
        return orders


class PurchaseOrderFilterForm(OrganizationForm):
    state = forms.ChoiceField(
        label=_("State"), required=False,
        choices=[("", _("Still coming (expected, partly received)"))] + PurchaseOrder.State.choices,
    )
    failed = failed_field()

    def filter(self, purchase_orders):
        state = self.cleaned_data.get("state")
        if self.cleaned_data.get("failed"):  # in any state unless one is chosen, as on the pick queue
            purchase_orders = purchase_orders.filter(failed_filter(PurchaseOrder, self.organization.pk))
        if state:
            return purchase_orders.filter(state=state)
        return purchase_orders if self.cleaned_data.get("failed") else purchase_orders.filter(
            state__in=PurchaseOrder.RECEIVABLE)


class ScanForm(forms.Form):
    code = scan_field(_("Scan"))
    quantity = quantity_field(label=_("Quantity"), initial=1, min_value=Decimal("0.001"))


class PackForm(forms.Form):
    """The packing table's two numbers; the weight starts at the articles' weight when known."""

    parcels = forms.IntegerField(label=_("Parcels"), min_value=1, max_value=999, initial=1,
                                 widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "quantity-input"}))
    weight_kg = forms.DecimalField(label=_("Weight (kg)"), min_value=Decimal("0.001"), max_digits=9, decimal_places=3,
                                   widget=forms.NumberInput(attrs=QUANTITY_ATTRS),
                                   help_text=_("All parcels together, as weighed."))

    def with_weight_shown(self) -> "PackForm":
        weight = self.initial.get("weight_kg")
        if weight is not None:  # 0.800000 from the articles' grams reads 0.8
            self.initial["weight_kg"] = f"{weight.quantize(Decimal('0.001')).normalize():f}"
        return self


class PickRowForm(forms.Form):
    quantity = quantity_field(label=_("Quantity"), min_value=Decimal("0.001"))


class ArticleLookupForm(OrganizationForm):
    """Finds one article of the organization from a scanned EAN or article number."""

    code = scan_field(_("Article"))

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        articles = Article.objects.for_organization(self.organization).filter(Article.scan_filter(code))
        article = articles.first()
        if article is None:
            raise ValidationError(_("No article has the EAN or article number “%(code)s”."), params={"code": code})
        self.article = article
        return code


class AdjustmentForm(ArticleLookupForm):
    with_location = True
    quantity = quantity_field(
        label=_("Change in stock"), help_text=_("Positive adds to stock (found, counted more); negative takes out (damaged, lost)."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if not quantity:
            raise ValidationError(_("Enter a change other than zero."))
        return quantity


class ReturnForm(OrganizationForm):
    with_location = True
    row = forms.ModelChoiceField(label=_("Row"), queryset=None, empty_label=None)
    quantity = quantity_field(label=_("Quantity back"), min_value=Decimal("0.001"), initial=1)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, organization=order.organization, **kwargs)
        self.fields["row"].queryset = order.rows.select_related("article").filter(article__is_stock_article=True)
        self.fields["row"].label_from_instance = lambda row: _("%(article)s (delivered %(delivered)s, returned %(returned)s)") % {
            "article": row.article, "delivered": readable(row.delivered_quantity),
            "returned": readable(row.returned_quantity),
        }


class ReceiveForm(VersionGuard, OrganizationForm):
    """One quantity field per purchase-order row still expecting goods. Two people receiving the
    same delivery (or Fortnox changing the rows) while the form is open is a conflict: the second
    receipt would otherwise count the goods twice."""

    with_location = True
    note = forms.CharField(label=_("Note (delivery note number, damage)"), max_length=500, required=False)
    stale_message = _(
        "Goods were received on this purchase order (or the order itself was changed) while you had it open, so nothing was "
        "recorded. Below is what changed beside what you entered; your quantities are still in the form. Check that "
        "the goods were not already counted and record the receipt again."
    )

    def __init__(self, *args, purchase_order, rows, **kwargs):
        self.purchase_order, self.all_rows = purchase_order, rows
        self.rows = [row for row in rows if row.outstanding_quantity > 0]
        super().__init__(*args, organization=purchase_order.organization, **kwargs)
        for row in self.rows:
            self.fields[self.field_name(row)] = quantity_field(
                label=str(row.article), required=False, min_value=Decimal(0),
            )  # more than expected is allowed once the person confirms it (an over-receipt)

    def version_values(self) -> dict:
        return {"state": self.purchase_order.state, "rows": {
            str(row.pk): [str(row.article), f"{row.ordered_quantity.normalize():f}", f"{row.received_quantity.normalize():f}"]
            for row in self.all_rows
        }}

    def version_salt(self) -> str:
        return f"receive-version:{self.purchase_order.pk}"

    def find_conflicts(self, shown, current, cleaned):
        def state(row):
            if row is None:
                return _("not on the order any more")
            article, ordered, received = row
            return _("%(received)s of %(ordered)s received") % {"received": received, "ordered": ordered}

        conflicts = []
        for pk in dict.fromkeys([*shown["rows"], *current["rows"]]):
            then, now = shown["rows"].get(pk), current["rows"].get(pk)
            if then == now:
                continue
            entered = cleaned.get(f"row_{pk}")
            conflicts.append(EditConflict(
                (now or then)[0], state(now),
                _("%(state)s when you opened it; %(entered)s arriving now") % {
                    "state": state(then), "entered": readable(entered) if entered else readable(0),
                },
            ))
        return conflicts

    @staticmethod
    def field_name(row):
        return f"row_{row.pk}"

    def row_fields(self):
        """(row, its quantity field or None when nothing more is expected) for every row."""
        return [(row, self[self.field_name(row)] if row in self.rows else None) for row in self.all_rows]

    def quantities(self) -> dict[int, Decimal]:
        return {row.pk: self.cleaned_data.get(self.field_name(row)) or Decimal(0) for row in self.rows}
