from django.contrib import admin
from django.contrib.admin.options import csrf_protect_m

from organizations.admin import OrganizationScopedAdmin

from . import actions
from .models import Absence, AbsenceStatus, AbsenceType, ChangeRecord, Employee


class WritesThroughActions:
    """Saves in the admin go through the action functions too, so they are in the history and
    reach the signal listeners like any other change."""

    def save_model(self, request, obj, form, change):
        values = {
            field: form.cleaned_data[field] for field in obj.TRACKED_FIELDS
            if field in form.cleaned_data and (not change or field in form.changed_data)
        }
        saved = self.update(obj, values, request.user) if change else self.create(obj, values, request.user)
        obj.pk = saved.pk


@admin.register(Employee)
class EmployeeAdmin(WritesThroughActions, OrganizationScopedAdmin):
    list_display = ["employment_id", "family_name", "given_name", "email", "phone", "manager", "employment_start",
                    "employment_end", "active", "organization"]
    list_filter = ["active", "country", "organization"]
    search_fields = ["employment_id", "given_name", "family_name", "email", "phone"]
    list_select_related = ["manager", "organization"]
    raw_id_fields = ["manager", "user"]
    readonly_fields = ["created_at", "updated_at"]

    def get_exclude(self, request, obj=None):
        """Personal identity numbers, salary form and tax details are for HR admins in Brygga,
        not for staff in the admin: only superusers see them here."""
        excluded = list(super().get_exclude(request, obj) or ())
        return excluded if request.user.is_superuser else excluded + list(Employee.PAYROLL_PRIVATE_FIELDS)

    def create(self, obj, values, user):
        return actions.do_create_employee(obj.organization, values, acting_user=user)

    def update(self, obj, values, user):
        return actions.do_update_employee(obj, values, acting_user=user)


@admin.register(AbsenceType)
class AbsenceTypeAdmin(OrganizationScopedAdmin):
    list_display = ["code", "name_sv", "name_en", "counts_as_work_days", "needs_approval", "active", "position",
                    "organization"]
    list_filter = ["active", "needs_approval", "counts_as_work_days", "organization"]
    search_fields = ["code", "name_sv", "name_en"]
    list_select_related = ["organization"]


@admin.register(Absence)
class AbsenceAdmin(WritesThroughActions, OrganizationScopedAdmin):
    list_display = ["employee", "absence_type", "start_date", "end_date", "grade", "hours", "status", "decided_by",
                    "organization"]
    list_filter = ["status", "absence_type__code", "organization"]
    search_fields = ["employee__given_name", "employee__family_name", "employee__email", "employee__employment_id"]
    list_select_related = ["employee", "absence_type", "decided_by", "organization"]
    raw_id_fields = ["employee", "decided_by", "created_by"]
    date_hierarchy = "start_date"
    readonly_fields = ["created_at", "updated_at"]

    @csrf_protect_m
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Without the admin's request-wide transaction: validating hours reads the day's schedule,
        which may ask a payroll system over HTTP, and no lock or transaction may wait on that. The
        actions the save goes through hold their own transaction (and lock the employee)."""
        return self._changeform_view(request, object_id, form_url, extra_context)

    def create(self, obj, values, user):
        return actions.do_register_absence(
            obj.employee, values, acting_user=user, approved=values.get("status") == AbsenceStatus.APPROVED,
        )

    def update(self, obj, values, user):
        return actions.do_update_absence(obj, values, acting_user=user)

    def delete_model(self, request, obj):
        actions.do_delete_absence(obj, acting_user=request.user)

    def delete_queryset(self, request, queryset):
        for absence in queryset.select_related("employee", "absence_type"):
            actions.do_delete_absence(absence, acting_user=request.user)


@admin.register(ChangeRecord)
class ChangeRecordAdmin(OrganizationScopedAdmin):
    """History is evidence: readable, never edited."""

    list_display = ["changed_at", "kind", "subject", "action", "field_name", "old_value", "new_value", "changed_by",
                    "origin"]
    list_filter = ["kind", "action", "origin", "organization"]
    search_fields = ["subject", "field_name", "employee__email"]
    list_select_related = ["changed_by"]
    date_hierarchy = "changed_at"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.exclude(field_name__in=Employee.PAYROLL_PRIVATE_FIELDS)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
