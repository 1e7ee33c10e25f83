from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .admin_tenancy import (
    OrganizationScopedAdmin,
    OrganizationScopedMixin,
    OrganizationScopedTabularInline,
    admin_organizations,
)
from .models import Invitation, Membership, Notification, Organization, User

# Granting privileges is a superuser's act: staff who could tick these would make themselves one.
PRIVILEGE_FIELDS = ["is_staff", "is_superuser", "groups", "user_permissions"]


@admin.register(User)
class UserAdmin(OrganizationScopedMixin, DjangoUserAdmin):
    """Staff see the members of their organizations, and change only those who belong to no
    other organization (a password set here opens every organization the person is in)."""

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

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if request.user.is_superuser else readonly + PRIVILEGE_FIELDS

    def has_add_permission(self, request):
        # People join an organization by invitation; an account made here would belong to none.
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.governs(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.governs(request.user, obj)

    @staticmethod
    def governs(staff, user) -> bool:
        if staff.is_superuser or user is None:
            return True
        if user.is_superuser:
            return False
        memberships = user.memberships.all()
        return memberships.exists() and not memberships.exclude(organization__in=admin_organizations(staff)).exists()


class MembershipInline(OrganizationScopedTabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    list_display = ["name", "organisation_number", "language", "require_mfa_for_admins", "created_at"]
    list_filter = ["language", "require_mfa_for_admins"]
    search_fields = ["name", "organisation_number"]
    inlines = [MembershipInline]

    def has_add_permission(self, request):
        # A new organization has no members yet, so staff would lose sight of it on saving.
        return request.user.is_superuser and super().has_add_permission(request)


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


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """allauth's own admin shows and edits an authenticator's data: the TOTP secret and the
    recovery codes' seed. Here a superuser sees which methods a person has and may delete one (the
    person sets it up again); the secrets never reach a page."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
