from django.contrib import admin, messages
from django.utils.translation import gettext as _, gettext_lazy

from integrations.core.models import FortnoxConnection
from organizations.admin import OrganizationScopedAdmin

from . import actions


@admin.register(FortnoxConnection)
class FortnoxConnectionAdmin(OrganizationScopedAdmin):
    """Tokens are not editable fields, so they never reach a form, a page or a log here."""

    list_display = ["organization", "status", "company_name", "tenant_id", "expires_at", "refreshed_at", "last_error_at"]
    list_filter = ["status", "hr_enabled", "warehouse_enabled"]
    search_fields = ["organization__name", "company_name", "tenant_id"]
    list_select_related = ["organization"]
    fields = [
        "organization", "status", "hr_enabled", "warehouse_enabled", "warehouse_custom_documents", "granted_scopes",
        "tenant_id", "company_name", "expires_at", "refreshed_at", "last_error", "last_error_at", "connected_by",
        "connected_at",
    ]
    readonly_fields = [
        "status", "granted_scopes", "tenant_id", "company_name", "expires_at", "refreshed_at", "last_error",
        "last_error_at", "connected_by", "connected_at",
    ]

    actions = ["disconnect"]

    @admin.action(description=gettext_lazy("Disconnect (revokes Brygga's access at Fortnox)"), permissions=["change"])
    def disconnect(self, request, queryset):
        for connection in queryset.exclude(status=FortnoxConnection.Status.DISCONNECTED):
            failure = actions.do_disconnect(connection)
            if failure is None:
                self.message_user(request, _("%(organization)s: Fortnox is disconnected and Brygga's access was revoked.")
                                  % {"organization": connection.organization}, messages.SUCCESS)
            else:
                self.message_user(request, _(
                    "%(organization)s: Brygga forgot its access to Fortnox, but Fortnox could not be told (%(reason)s). "
                    "To be sure, remove Brygga under Integrations in Fortnox.",
                ) % {"organization": connection.organization, "reason": failure.user_message}, messages.WARNING)

    # A connection is made through Fortnox's consent and ended by disconnecting (the action above),
    # which revokes the grant at Fortnox; a row added or deleted here would do neither.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
