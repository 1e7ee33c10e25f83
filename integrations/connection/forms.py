from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.core.models import FortnoxConnection
from organizations.edit_conflicts import ConcurrentEditForm


class FortnoxFeaturesForm(ConcurrentEditForm):
    """Which Brygga features use Fortnox: they decide the scopes asked for at the next connect."""

    class Meta:
        model = FortnoxConnection
        fields = ["hr_enabled", "warehouse_enabled", "warehouse_custom_documents"]
        # What each feature does, before the permissions it asks for: read before connecting.
        help_texts = {
            "hr_enabled": _("Employees' changes and approved absences go to Fortnox's payroll at once. Asks Fortnox "
                            "for the salary (Lön) permission."),
            "warehouse_enabled": _("Articles, customers and orders come from Fortnox to be picked and shipped; "
                                   "delivered quantities, invoices and stock go back. Asks Fortnox for the article, "
                                   "supplier, customer, order, invoice and warehouse permissions."),
            "warehouse_custom_documents": _("Returns and stock adjustments become warehouse documents of their own "
                                            "in Fortnox. Asks Fortnox for the warehousecustomdocument permission."),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("warehouse_custom_documents") and not cleaned.get("warehouse_enabled"):
            self.add_error("warehouse_custom_documents", _("Custom documents are part of the warehouse: turn the warehouse on too."))
        return cleaned


class ActivationForm(forms.Form):
    organization = forms.TypedChoiceField(label=_("Organization"), coerce=int, empty_value=None)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = {org.pk: org for org in organizations}
        self.fields["organization"].choices = [(org.pk, org.name) for org in organizations]

    def clean_organization(self):
        return self.organizations[self.cleaned_data["organization"]]
