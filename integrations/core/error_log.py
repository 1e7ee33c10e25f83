"""Who reads which entries of the integration error log. Organization admins read and handle
all of them; HR admins those about employees and absences, which they are told about and can
fix (the record in Brygga, the schedule or salary period in Fortnox) and then retry."""

from organizations.permissions import Perm, user_can

from .models import IntegrationError

# The event and run kinds of the HR features (employee push, absence transfer, user synchronisation).
HR_KINDS = ("employee_update", "employee_create", "absence_sync", "hr_users")


def readable_kinds(user, organization, membership=None) -> tuple[str, ...] | None:
    """The kinds of entries `user` may read: None for all of them, () for none."""
    if user_can(user, organization, Perm.MANAGE_SETTINGS, membership):
        return None
    if user_can(user, organization, Perm.HANDLE_HR_FAILURES, membership):
        return HR_KINDS
    return ()


def may_read(user, organization, kind: str, membership=None) -> bool:
    kinds = readable_kinds(user, organization, membership)
    return kinds is None or kind in kinds


def entries_for(user, organization, membership=None):
    entries = IntegrationError.objects.for_organization(organization)
    kinds = readable_kinds(user, organization, membership)
    return entries if kinds is None else entries.filter(kind__in=kinds)
