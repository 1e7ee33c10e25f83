from django.contrib import admin

from organizations.admin import OrganizationScopedAdmin

from .models import AbsenceTransfer


@admin.register(AbsenceTransfer)
class AbsenceTransferAdmin(OrganizationScopedAdmin):
    """Read-only: the state is the jobs' own bookkeeping (change absences or mappings instead)."""

    list_display = ["subject", "requested_at", "synced_at", "backfilled_at", "organization"]
    list_select_related = ["organization"]
    search_fields = ["subject"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
