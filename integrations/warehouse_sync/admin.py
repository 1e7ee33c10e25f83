from django.contrib import admin
from django.utils import timezone

from organizations.admin import OrganizationScopedAdmin

from .forms import WarehouseSyncSettingsForm
from .models import WarehouseSyncSettings
from .tasks import do_update_schedule


@admin.register(WarehouseSyncSettings)
class WarehouseSyncSettingsAdmin(OrganizationScopedAdmin):
    """The settings page's rules (the interval, stock writing or the warehouse module) and its
    schedule: a save here reaches the pulls' schedule as one there does."""

    form = WarehouseSyncSettingsForm
    fields = ["organization", *WarehouseSyncSettingsForm.Meta.fields]
    list_display = ["organization", "active", "interval_minutes", "fulfil_orders", "use_warehouse_module", "write_stock",
                    "updated_at"]
    list_filter = ["active", "fulfil_orders", "use_warehouse_module", "write_stock"]
    list_select_related = ["organization"]
    search_fields = ["organization__name"]

    def save_model(self, request, obj, form, change):
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)
        do_update_schedule(obj)

    def has_delete_permission(self, request, obj=None):
        return False  # its schedule would go on pulling: switch the synchronisation off instead
