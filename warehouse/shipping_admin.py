"""The Django admin for shipping, organization-tight like the rest (`OrganizationScopedAdmin`).
Deleting a service goes through `do_delete_service` here too, so orders stay right."""

from django.contrib import admin

from organizations.admin import OrganizationScopedAdmin, OrganizationScopedTabularInline
from organizations.admin_tenancy import ReadOnlyAdmin

from . import shipping_actions
from .notices import CustomerNotice
from .shipping import ShippingSettings, TermsOfDelivery, Transporter, TransporterRule, TransporterService, WayOfDelivery


@admin.register(WayOfDelivery, TermsOfDelivery)
class DeliveryCodeAdmin(ReadOnlyAdmin):
    """Fortnox's registers: changed there, read here."""

    list_display = ["code", "description", "description_english", "organization"]
    list_filter = ["organization"]
    search_fields = ["code", "description"]


class TransporterServiceInline(OrganizationScopedTabularInline):
    model = TransporterService
    exclude = ["organization"]  # the transporter's (`TransporterAdmin.save_formset`)
    extra = 1
    can_delete = False  # a service is deleted on its own page, so its orders are kept right


@admin.register(Transporter)
class TransporterAdmin(OrganizationScopedAdmin):
    list_display = ["name", "active", "organization"]
    list_filter = ["active", "organization"]
    search_fields = ["name"]
    inlines = [TransporterServiceInline]

    def save_formset(self, request, form, formset, change):
        for inline in formset.forms:  # new services belong to the transporter's organization
            inline.instance.organization_id = form.instance.organization_id
        super().save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        for service in obj.services.all():
            shipping_actions.do_delete_service(service)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for transporter in queryset:
            self.delete_model(request, transporter)


@admin.register(TransporterService)
class TransporterServiceAdmin(OrganizationScopedAdmin):
    list_display = ["__str__", "code", "active", "organization"]
    list_filter = ["active", "transporter", "organization"]
    search_fields = ["name", "code", "transporter__name"]
    list_select_related = ["transporter"]

    def delete_model(self, request, obj):
        shipping_actions.do_delete_service(obj)

    def delete_queryset(self, request, queryset):
        for service in queryset:
            shipping_actions.do_delete_service(service)


@admin.register(TransporterRule)
class TransporterRuleAdmin(OrganizationScopedAdmin):
    list_display = ["position", "service", "way_of_delivery", "terms_of_delivery", "order_kind", "delivery_country",
                    "min_weight_kg", "max_weight_kg", "organization"]
    list_filter = ["organization"]
    list_select_related = ["service__transporter"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        shipping_actions.do_apply_rules(obj.organization)

    def delete_model(self, request, obj):
        shipping_actions.do_delete_rule(obj)

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            shipping_actions.do_delete_rule(rule)


@admin.register(ShippingSettings)
class ShippingSettingsAdmin(OrganizationScopedAdmin):
    list_display = ["organization", "notify_by_email", "notify_by_sms", "notify_b2b", "notify_b2c"]


@admin.register(CustomerNotice)
class CustomerNoticeAdmin(ReadOnlyAdmin):
    """Sent once, by the product: staff send a failed one again from its order's page."""

    list_display = ["order", "channel", "status", "recipient", "attempts", "sent_at", "problem", "organization"]
    list_filter = ["status", "channel", "organization"]
    search_fields = ["order__order_number", "recipient"]
    list_select_related = ["order"]
