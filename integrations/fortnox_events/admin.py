"""The event stream's rows, read-only: the listener and the jobs are their only writers. An
edited offset would skip or replay events, a changed lease would let two listeners hold the
stream, an edited inbox row would apply an event twice or never. An organization's staff see
their organization's tenant, events and offsets; the lease and the topics' resume points belong
to no organization and are the superusers' (`close_global_admins`)."""

from django.contrib import admin

from organizations.admin_tenancy import ReadOnlyAdmin

from .models import ListenerLease, StreamEvent, StreamOffset, StreamTenant, StreamTopic


class ReadOnlyGlobalAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ListenerLease)
class ListenerLeaseAdmin(ReadOnlyGlobalAdmin):
    list_display = ["name", "holder", "acquired_at", "heartbeat_at", "subscribed_at", "tenants"]


@admin.register(StreamTopic)
class StreamTopicAdmin(ReadOnlyGlobalAdmin):
    list_display = ["topic", "offset", "updated_at"]


@admin.register(StreamTenant)
class StreamTenantAdmin(ReadOnlyAdmin):
    list_display = ["organization", "tenant_id", "live_since", "polling_since", "problem"]
    list_select_related = ["organization"]
    search_fields = ["organization__name", "tenant_id"]


@admin.register(StreamEvent)
class StreamEventAdmin(ReadOnlyAdmin):
    list_display = ["topic", "offset", "type", "entity_id", "status", "attempts", "received_at", "done_at",
                    "organization"]
    list_filter = ["status", "topic"]
    list_select_related = ["organization"]
    search_fields = ["entity_id", "offset"]
    date_hierarchy = "received_at"


@admin.register(StreamOffset)
class StreamOffsetAdmin(ReadOnlyAdmin):
    list_display = ["organization", "topic", "offset", "committed_at"]
    list_filter = ["topic"]
    list_select_related = ["organization"]
