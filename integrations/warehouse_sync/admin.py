from django.contrib import admin

from organizations.admin import OrganizationScopedAdmin

from .models import WarehouseSyncSettings


@admin.register(WarehouseSyncSettings)
class WarehouseSyncSettingsAdmin(OrganizationScopedAdmin):
    list_display = ["organization", "active", "interval_minutes", "use_warehouse_module", "write_stock", "updated_at"]
    list_filter = ["active", "use_warehouse_module", "write_stock"]
    list_select_related = ["organization"]
    search_fields = ["organization__name"]
