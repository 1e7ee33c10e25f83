from django.contrib import admin

from organizations.admin import OrganizationScopedAdmin

from .sync_models import AbsenceTypeMapping, ExternalLink, HrIntegrationSettings, IntegrationError, OutboxEvent, SyncRun


@admin.register(AbsenceTypeMapping)
class AbsenceTypeMappingAdmin(OrganizationScopedAdmin):
    list_display = ["absence_type", "cause_code", "organization"]
    list_select_related = ["absence_type", "organization"]
    list_filter = ["cause_code"]


@admin.register(HrIntegrationSettings)
class HrIntegrationSettingsAdmin(OrganizationScopedAdmin):
    list_display = ["organization", "create_absences", "create_employees", "activated_at"]
    list_select_related = ["organization"]


@admin.register(ExternalLink)
class ExternalLinkAdmin(OrganizationScopedAdmin):
    list_display = ["kind", "object_id", "external_id", "synced_at", "organization"]
    list_filter = ["kind"]
    search_fields = ["external_id"]
    list_select_related = ["organization"]


@admin.register(SyncRun)
class SyncRunAdmin(OrganizationScopedAdmin):
    list_display = ["kind", "trigger", "status", "progress_done", "progress_total", "api_calls", "created_at", "organization"]
    list_filter = ["kind", "status", "trigger"]
    list_select_related = ["organization"]
    readonly_fields = ["log", "data", "counts"]


@admin.register(OutboxEvent)
class OutboxEventAdmin(OrganizationScopedAdmin):
    list_display = ["kind", "object_id", "status", "attempts", "next_attempt_at", "created_at", "organization"]
    list_filter = ["kind", "status"]
    list_select_related = ["organization"]


@admin.register(IntegrationError)
class IntegrationErrorAdmin(OrganizationScopedAdmin):
    list_display = ["kind", "subject", "fortnox_code", "status", "created_at", "organization"]
    list_filter = ["kind", "status"]
    list_select_related = ["organization"]
