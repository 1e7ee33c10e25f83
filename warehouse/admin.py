from django.contrib import admin

from organizations.admin import OrganizationScopedAdmin, OrganizationScopedTabularInline

from .models import (
    Adjustment,
    Article,
    Customer,
    OrderType,
    PurchaseOrder,
    PurchaseOrderRow,
    Receipt,
    ReceiptRow,
    Return,
    SalesOrder,
    SalesOrderRow,
    StockBalance,
    StockLocation,
    StockMovement,
    Supplier,
)


class LedgerAdmin(OrganizationScopedAdmin):
    """Stock records are written by the warehouse's actions so that balance and ledger agree;
    staff may read them, only superusers may change them (and answer for the difference)."""

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Supplier)
class SupplierAdmin(OrganizationScopedAdmin):
    list_display = ["supplier_number", "name", "organisation_number", "email", "active", "organization"]
    list_filter = ["active", "organization"]
    search_fields = ["supplier_number", "name", "organisation_number"]


@admin.register(Customer)
class CustomerAdmin(OrganizationScopedAdmin):
    list_display = ["customer_number", "name", "customer_type", "city", "active", "organization"]
    list_filter = ["customer_type", "active", "organization"]
    search_fields = ["customer_number", "name", "organisation_number", "email"]


@admin.register(Article)
class ArticleAdmin(OrganizationScopedAdmin):
    list_display = ["article_number", "description", "ean", "unit", "is_stock_article", "supplier", "active"]
    list_filter = ["is_stock_article", "active", "unit", "organization"]
    search_fields = ["article_number", "description", "ean"]
    list_select_related = ["supplier"]
    raw_id_fields = ["supplier"]


@admin.register(OrderType)
class OrderTypeAdmin(OrganizationScopedAdmin):
    list_display = ["name", "kind", "created_at", "organization"]
    list_filter = ["kind", "organization"]


@admin.register(StockLocation)
class StockLocationAdmin(OrganizationScopedAdmin):
    list_display = ["code", "name", "active", "organization"]
    list_filter = ["active", "organization"]
    search_fields = ["code", "name"]


class SalesOrderRowInline(OrganizationScopedTabularInline):
    model = SalesOrderRow
    extra = 0
    raw_id_fields = ["article"]


@admin.register(SalesOrder)
class SalesOrderAdmin(OrganizationScopedAdmin):
    list_display = ["order_number", "customer", "order_type", "state", "delivery_date", "transporter_service",
                    "fulfilled_at", "changed_at_source"]
    list_filter = ["state", "order_type__kind", "transporter_service", "changed_at_source", "notify_by_sms", "notify_by_email", "delivery_date", "organization"]
    search_fields = ["order_number", "customer__name", "customer__customer_number", "delivery_name"]
    list_select_related = ["customer", "order_type", "transporter_service__transporter"]
    raw_id_fields = ["customer"]
    date_hierarchy = "order_date"
    inlines = [SalesOrderRowInline]


class PurchaseOrderRowInline(OrganizationScopedTabularInline):
    model = PurchaseOrderRow
    extra = 0
    raw_id_fields = ["article"]


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(OrganizationScopedAdmin):
    list_display = ["order_number", "supplier", "state", "order_date", "expected_date", "closed_at"]
    list_filter = ["state", "expected_date", "organization"]
    search_fields = ["order_number", "supplier__name", "supplier__supplier_number"]
    list_select_related = ["supplier"]
    raw_id_fields = ["supplier"]
    inlines = [PurchaseOrderRowInline]


class ReceiptRowInline(OrganizationScopedTabularInline):
    model = ReceiptRow
    extra = 0
    raw_id_fields = ["purchase_order_row"]

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    has_change_permission = has_delete_permission = has_add_permission


@admin.register(Receipt)
class ReceiptAdmin(LedgerAdmin):
    list_display = ["pk", "purchase_order", "received_at", "received_by", "location"]
    list_filter = ["received_at", "location", "organization"]
    search_fields = ["purchase_order__order_number", "note"]
    list_select_related = ["purchase_order", "received_by", "location"]
    inlines = [ReceiptRowInline]


@admin.register(Adjustment)
class AdjustmentAdmin(LedgerAdmin):
    list_display = ["article", "quantity", "reason", "location", "created_by", "created_at"]
    list_filter = ["created_at", "location", "organization"]
    search_fields = ["article__article_number", "reason"]
    list_select_related = ["article", "location", "created_by"]


@admin.register(Return)
class ReturnAdmin(LedgerAdmin):
    list_display = ["order", "order_row", "quantity", "reason", "created_by", "created_at"]
    list_filter = ["created_at", "organization"]
    search_fields = ["order__order_number", "reason"]
    list_select_related = ["order", "order_row__article", "created_by"]


@admin.register(StockBalance)
class StockBalanceAdmin(LedgerAdmin):
    list_display = ["article", "location", "quantity", "updated_at"]
    list_filter = ["location", "organization"]
    search_fields = ["article__article_number", "article__description"]
    list_select_related = ["article", "location"]


@admin.register(StockMovement)
class StockMovementAdmin(LedgerAdmin):
    list_display = ["created_at", "kind", "article", "quantity", "location", "reason", "sales_order", "receipt", "created_by"]
    list_filter = ["kind", "created_at", "location", "organization"]
    search_fields = ["article__article_number", "reason", "sales_order__order_number"]
    list_select_related = ["article", "location", "sales_order", "receipt", "created_by"]
    date_hierarchy = "created_at"


from . import shipping_admin  # noqa: E402,F401  (registers the shipping admins)
