from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Invitation, Membership, Notification, Organization, User


def admin_organizations(user):
    return Organization.objects.filter(memberships__user=user)


class OrganizationScopedAdmin(admin.ModelAdmin):
    """Staff see and pick only their own organizations' rows; superusers see all.
    `organization_path` is the lookup from the model to its Organization."""

    organization_path = "organization"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.organization_path}__in": admin_organizations(request.user)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization" and not request.user.is_superuser:
            kwargs["queryset"] = admin_organizations(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "language", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "language"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "language"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(memberships__organization__in=admin_organizations(request.user)).distinct()


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    organization_path = "pk"
    list_display = ["name", "organisation_number", "language", "require_mfa_for_admins", "created_at"]
    list_filter = ["language", "require_mfa_for_admins"]
    search_fields = ["name", "organisation_number"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        return qs if request.user.is_superuser else qs.filter(pk__in=admin_organizations(request.user))


@admin.register(Membership)
class MembershipAdmin(OrganizationScopedAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__email", "organization__name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "organization"]


@admin.register(Invitation)
class InvitationAdmin(OrganizationScopedAdmin):
    list_display = ["email", "organization", "role", "created_at", "accepted_at"]
    list_filter = ["role", "organization"]
    search_fields = ["email"]
    list_select_related = ["organization"]
    readonly_fields = ["token"]


@admin.register(Notification)
class NotificationAdmin(OrganizationScopedAdmin):
    list_display = ["title", "user", "organization", "level", "created_at", "read_at"]
    list_filter = ["level", "organization"]
    search_fields = ["title", "body", "user__email"]
    list_select_related = ["user", "organization"]
