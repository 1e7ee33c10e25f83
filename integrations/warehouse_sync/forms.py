from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.edit_conflicts import ConcurrentEditForm

from .models import WarehouseSyncSettings


class WarehouseSyncSettingsForm(ConcurrentEditForm):
    class Meta:
        model = WarehouseSyncSettings
        fields = [
            "active", "interval_minutes", "pull_articles", "pull_suppliers", "pull_customers", "pull_orders",
            "pull_purchase_orders", "fulfil_orders", "order_selection", "set_order_type", "report_fulfilled", "write_stock",
            "use_warehouse_module", "back_orders_in_fortnox",
        ]
        widgets = {"order_selection": forms.RadioSelect, "fulfil_orders": forms.RadioSelect}

    def clean_interval_minutes(self):
        minutes = self.cleaned_data["interval_minutes"]
        if not 5 <= minutes <= 1440:
            raise forms.ValidationError(_("Choose an interval between 5 and 1,440 minutes (one day)."))
        return minutes

    def clean_use_warehouse_module(self):
        use = self.cleaned_data["use_warehouse_module"]
        fortnox_has_it = self.instance.fortnox_warehouse_module
        if fortnox_has_it is not None and use != fortnox_has_it:
            if fortnox_has_it:
                raise forms.ValidationError(_(
                    "The Fortnox company uses the warehouse module (Lager), so Brygga must use it too: Fortnox then "
                    "owns stock and delivered quantities. Leave this ticked."
                ))
            raise forms.ValidationError(_(
                "The Fortnox company does not have the warehouse module (Lager) activated, so Brygga cannot use it. "
                "Activate Lager in Fortnox first, or leave this unticked."
            ))
        return use

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("write_stock") and cleaned.get("use_warehouse_module"):
            raise forms.ValidationError(_(
                "Stock levels cannot be written to the article register when the Fortnox warehouse module is used: "
                "there stock follows warehouse documents. Choose one of the two."
            ))
        return cleaned
