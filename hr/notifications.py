"""Tells people what happened to an absence that concerns them: whoever approves it of a new
request, the employee of the decision on theirs (bell and email, each in their own language).
Follows `hr.signals`, after the change committed."""

from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse

from organizations.actions import do_notify
from organizations.permissions import Perm

from . import signals
from .models import AbsenceStatus, Origin

DECISIONS = (AbsenceStatus.APPROVED, AbsenceStatus.REJECTED)


def approvers_of(absence):
    """The employee's manager; an absence of someone without one is for the HR admins to decide."""
    manager = absence.employee.manager
    if manager is not None and manager.user is not None and manager.user.is_active:
        return [manager.user]
    return list(absence.organization.members_with(Perm.MANAGE_HR))


@receiver(signals.absence_changed, dispatch_uid="hr.notifications.absence_changed")
def absence_changed(sender, absence, changed_fields, created, deleted, origin, **kwargs):
    if origin != Origin.USER or deleted:
        return
    if created and absence.status == AbsenceStatus.REQUESTED:
        requested_by = absence.created_by_id
        people = [user for user in approvers_of(absence) if user.pk != requested_by]
        transaction.on_commit(lambda: _tell(absence, people, "requested", reverse("hr:approvals")))
    elif not created and "status" in changed_fields and absence.status in DECISIONS:
        employee = absence.employee.user
        if employee is not None and employee.is_active and employee.pk != absence.decided_by_id:
            transaction.on_commit(lambda: _tell(absence, [employee], "decided", reverse("hr:my_absences")))


def _tell(absence, people, what, link) -> None:
    if people:
        do_notify(absence.organization, people, title_template=f"hr/email/absence_{what}_title.txt",
                  body_template=f"hr/email/absence_{what}_body.txt", context={"absence": absence}, link=link,
                  level="warning" if absence.status == AbsenceStatus.REJECTED else "info")
