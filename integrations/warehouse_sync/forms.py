from django import forms
from django.utils.translation import gettext_lazy as _

from .models import WarehouseSyncSettings


class WarehouseSyncSettingsForm(forms.ModelForm):
    class Meta:
        model = WarehouseSyncSettings
        fields = [
            "active", "interval_minutes", "pull_articles", "pull_suppliers", "pull_customers", "pull_orders",
            "pull_purchase_orders", "order_selection", "set_order_type", "report_fulfilled", "write_stock",
            "use_warehouse_module", "back_orders_in_fortnox",
        ]
        widgets = {"order_selection": forms.RadioSelect}

    def clean_interval_minutes(self):
        minutes = self.cleaned_data["interval_minutes"]
        if not 5 <= minutes <= 1440:
            raise forms.ValidationError(_("Choose an interval between 5 and 1,440 minutes (one day)."))
        return minutes

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("write_stock") and cleaned.get("use_warehouse_module"):
            raise forms.ValidationError(_(
                "Stock levels cannot be written to the article register when the Fortnox warehouse module is used: "
                "there stock follows warehouse documents. Choose one of the two."
            ))
        return cleaned
