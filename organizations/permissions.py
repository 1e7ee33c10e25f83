"""Roles and what they may do: the one place that answers "may this user do X here?"."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", _("Organization admin")
    HR_ADMIN = "hr_admin", _("HR admin")
    MANAGER = "manager", _("Manager")
    EMPLOYEE = "employee", _("Employee")
    WAREHOUSE = "warehouse", _("Warehouse staff")


class Perm(models.TextChoices):
    MANAGE_SETTINGS = "manage_settings", _("Change organization-wide settings (members, integrations)")
    MANAGE_HR = "manage_hr", _("Keep employee records and absences")
    APPROVE_ABSENCES = "approve_absences", _("Approve absences of direct reports")
    REQUEST_ABSENCE = "request_absence", _("Request own absence and see own record")
    WORK_WAREHOUSE = "work_warehouse", _("Pick, ship, receive and adjust stock")
    HANDLE_HR_FAILURES = "handle_hr_failures", _("Read and retry Fortnox failures of employees and absences")


ROLE_PERMISSIONS = {
    Role.ORG_ADMIN: frozenset(Perm),
    Role.HR_ADMIN: frozenset({Perm.MANAGE_HR, Perm.APPROVE_ABSENCES, Perm.REQUEST_ABSENCE, Perm.HANDLE_HR_FAILURES}),
    Role.MANAGER: frozenset({Perm.APPROVE_ABSENCES, Perm.REQUEST_ABSENCE}),
    Role.EMPLOYEE: frozenset({Perm.REQUEST_ABSENCE}),
    Role.WAREHOUSE: frozenset({Perm.WORK_WAREHOUSE, Perm.REQUEST_ABSENCE}),
}


def user_can(user, organization, perm: Perm, membership=None) -> bool:
    """May `user` do `perm` in `organization`? Superusers may do everything everywhere.
    Pass the user's `membership` there when already at hand to save the query."""
    if not user.is_authenticated or not user.is_active or organization is None:
        return False
    if user.is_superuser:
        return True
    if membership is None or membership.organization_id != organization.pk:
        from .models import Membership

        membership = Membership.objects.filter(user=user, organization=organization).first()
    return membership is not None and membership.can(perm)
