from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy as _

from organizations.admin import OrganizationScopedAdmin

from . import absences
from .forms import cause_code_choices
from .models import AbsenceTypeMapping, EmployeeConflict, HrIntegrationSettings


def transactions_left_behind(mapping: AbsenceTypeMapping) -> int:
    """How many transactions in Fortnox stay under the stored mapping's cause code if it changes
    (as stored: a form that was refused has already put the typed values on the instance)."""
    stored = AbsenceTypeMapping.objects.select_related("organization", "absence_type").filter(pk=mapping.pk).first()
    if stored is None or not stored.cause_code:
        return 0
    return absences.transfers().transactions_under(stored.organization, stored.absence_type, stored.cause_code)


def mapping_page_pointer(mapping: AbsenceTypeMapping, count: int) -> str:
    return gettext(
        "%(count)s transactions in Fortnox are under the cause code %(code)s of %(type)s. Change this mapping on "
        "Brygga's mapping page (%(url)s, working in %(organization)s), which asks whether to move them to the new "
        "cause code or leave them disconnected; changed here they would stay under the old code unnoticed."
    ) % {"count": count, "code": mapping.cause_code, "type": mapping.absence_type.name,
         "url": reverse("hr_mapping"), "organization": mapping.organization.name}


class AbsenceTypeMappingForm(forms.ModelForm):
    cause_code = forms.ChoiceField(label=_("Fortnox cause code"), choices=cause_code_choices, required=False)

    def clean(self):
        """A mapping whose old cause code still holds transactions changes only on the product's
        mapping page, where its transactions are moved or left knowingly (issue 24)."""
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        stored = AbsenceTypeMapping.objects.select_related("organization", "absence_type").get(pk=self.instance.pk)
        changes = cleaned.get("cause_code") != stored.cause_code or cleaned.get("absence_type") != stored.absence_type
        if changes and (count := transactions_left_behind(stored)):
            raise forms.ValidationError(mapping_page_pointer(stored, count))
        return cleaned


@admin.register(AbsenceTypeMapping)
class AbsenceTypeMappingAdmin(OrganizationScopedAdmin):
    form = AbsenceTypeMappingForm
    list_display = ["absence_type", "cause_code", "organization"]
    list_select_related = ["absence_type", "organization"]
    list_filter = ["cause_code"]

    def get_actions(self, request):
        # Deleted in bulk, mappings would leave their transactions under codes nothing maps.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not transactions_left_behind(obj))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        mapping = self.get_object(request, object_id)
        if request.method == "GET" and mapping is not None and (count := transactions_left_behind(mapping)):
            messages.warning(request, mapping_page_pointer(mapping, count))
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(HrIntegrationSettings)
class HrIntegrationSettingsAdmin(OrganizationScopedAdmin):
    list_display = ["organization", "create_absences", "create_employees", "activated_at"]
    list_select_related = ["organization"]


@admin.register(EmployeeConflict)
class EmployeeConflictAdmin(OrganizationScopedAdmin):
    list_display = ["employee", "field", "fortnox_seen_at", "resolved_at", "kept", "organization"]
    list_select_related = ["employee", "organization"]
    list_filter = ["resolved_at"]
    # Their values are personal data, shown in full only on the conflicts inbox to those who resolve.
    exclude = ["brygga_value", "fortnox_value"]
