import json

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from organizations.admin import OrganizationScopedAdmin
from organizations.admin_tenancy import ReadOnlyAdmin

from .hr_forms import cause_code_choices
from .personal_data import masked
from .sync_models import AbsenceTypeMapping, ExternalLink, HrIntegrationSettings, IntegrationError, OutboxEvent, SyncRun


def folded(name: str, label):
    """A read-only JSON field shown folded (a plan can be tens of kilobytes) and masked (the last
    synced values of a link hold a full bank account)."""

    @admin.display(description=label)
    def show(obj):
        text = json.dumps(masked(getattr(obj, name)), indent=2, ensure_ascii=False, sort_keys=True)
        return format_html("<details><summary>{}</summary><pre>{}</pre></details>",
                           Truncator(" ".join(text.split())).chars(80), text)

    show.__name__ = f"{name}_folded"
    return show


class AbsenceTypeMappingForm(forms.ModelForm):
    cause_code = forms.ChoiceField(label=_("Fortnox cause code"), choices=cause_code_choices, required=False)


@admin.register(AbsenceTypeMapping)
class AbsenceTypeMappingAdmin(OrganizationScopedAdmin):
    form = AbsenceTypeMappingForm
    list_display = ["absence_type", "cause_code", "organization"]
    list_select_related = ["absence_type", "organization"]
    list_filter = ["cause_code"]


@admin.register(HrIntegrationSettings)
class HrIntegrationSettingsAdmin(OrganizationScopedAdmin):
    list_display = ["organization", "create_absences", "create_employees", "activated_at"]
    list_select_related = ["organization"]


@admin.register(ExternalLink)
class ExternalLinkAdmin(ReadOnlyAdmin):
    """A deleted or edited link makes the next push create the Fortnox record again."""

    list_display = ["kind", "object_id", "external_id", "synced_at", "organization"]
    list_filter = ["kind"]
    search_fields = ["external_id"]
    list_select_related = ["organization"]
    exclude = ["last_synced_values"]
    readonly_fields = [folded("last_synced_values", _("last synced values"))]


@admin.register(SyncRun)
class SyncRunAdmin(OrganizationScopedAdmin):
    """A run is the job's own record: a changed status let a second run start beside it. Finished
    runs may be deleted."""

    list_display = ["kind", "trigger", "status", "progress_done", "progress_total", "api_calls", "created_at", "organization"]
    list_filter = ["kind", "status", "trigger"]
    list_select_related = ["organization"]
    exclude = ["data", "counts"]
    readonly_fields = [folded("data", _("data")), folded("counts", _("counts"))]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.is_finished)


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = ["kind", "object_id", "status", "attempts", "next_attempt_at", "created_at", "organization"]
    list_filter = ["kind", "status"]
    list_select_related = ["organization"]
    exclude = ["payload"]
    readonly_fields = [folded("payload", _("payload"))]


@admin.register(IntegrationError)
class IntegrationErrorAdmin(OrganizationScopedAdmin):
    list_display = ["kind", "subject", "fortnox_code", "status", "created_at", "organization"]
    list_filter = ["kind", "status"]
    list_select_related = ["organization"]
    exclude = ["sent"]
    readonly_fields = [folded("sent", _("what was sent"))]
