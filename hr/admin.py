from django.contrib import admin

from organizations.admin import OrganizationScopedAdmin

from .models import Absence, AbsenceType, ChangeRecord, Employee


@admin.register(Employee)
class EmployeeAdmin(OrganizationScopedAdmin):
    list_display = ["employment_id", "family_name", "given_name", "email", "phone", "manager", "employment_start",
                    "employment_end", "active", "organization"]
    list_filter = ["active", "country", "organization"]
    search_fields = ["employment_id", "given_name", "family_name", "email", "phone"]
    list_select_related = ["manager", "organization"]
    raw_id_fields = ["manager", "user"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(AbsenceType)
class AbsenceTypeAdmin(OrganizationScopedAdmin):
    list_display = ["code", "name_sv", "name_en", "counts_as_work_days", "needs_approval", "active", "position",
                    "organization"]
    list_filter = ["active", "needs_approval", "counts_as_work_days", "organization"]
    search_fields = ["code", "name_sv", "name_en"]
    list_select_related = ["organization"]


@admin.register(Absence)
class AbsenceAdmin(OrganizationScopedAdmin):
    list_display = ["employee", "absence_type", "start_date", "end_date", "grade", "status", "decided_by",
                    "organization"]
    list_filter = ["status", "absence_type__code", "organization"]
    search_fields = ["employee__given_name", "employee__family_name", "employee__email", "employee__employment_id"]
    list_select_related = ["employee", "absence_type", "decided_by", "organization"]
    raw_id_fields = ["employee", "decided_by", "created_by"]
    date_hierarchy = "start_date"
    readonly_fields = ["created_at", "updated_at"]


@admin.register(ChangeRecord)
class ChangeRecordAdmin(OrganizationScopedAdmin):
    """History is evidence: readable, never edited."""

    list_display = ["changed_at", "kind", "subject", "action", "field_name", "old_value", "new_value", "changed_by",
                    "origin"]
    list_filter = ["kind", "action", "origin", "organization"]
    search_fields = ["subject", "field_name", "employee__email"]
    list_select_related = ["changed_by"]
    date_hierarchy = "changed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
