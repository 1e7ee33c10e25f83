"""Issue 15, defect 8: a manager was not told of a new absence request, nor an employee of the
decision on theirs. Now both are, in the bell and by email, each in their own language."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from hr import actions
from hr.models import AbsenceType
from organizations.models import Notification


@pytest.fixture
def vacation(tenant):
    AbsenceType.objects.ensure_defaults(tenant.organization)
    return AbsenceType.objects.get(organization=tenant.organization, code="vacation")


def request_vacation(staff, tenant, vacation, capture):
    with capture(execute=True):
        return actions.do_request_absence(staff.report, {
            "absence_type": vacation, "start_date": date(2026, 7, 6), "end_date": date(2026, 7, 10), "grade": 100,
            "note": "Fjällen",
        }, acting_user=tenant.employee)


def test_a_manager_is_told_of_a_new_request_in_their_language(staff, tenant, vacation, django_capture_on_commit_callbacks):
    tenant.manager.language = "sv"
    tenant.manager.save(update_fields=["language"])
    request_vacation(staff, tenant, vacation, django_capture_on_commit_callbacks)

    notice = Notification.objects.get()
    assert notice.user == tenant.manager and notice.link == reverse("hr:approvals")
    with translation.override("sv"):
        assert notice.title.startswith("Erik Sjöberg ansöker om Semester: ")
        assert [message.to for message in mail.outbox] == [[tenant.manager.email]] and mail.outbox[0].subject == notice.title
    assert "Fjällen" in mail.outbox[0].body


def test_a_request_of_someone_without_a_manager_goes_to_those_who_keep_hr(staff, tenant, vacation, django_capture_on_commit_callbacks):
    staff.report.manager = None
    staff.report.save(update_fields=["manager"])
    request_vacation(staff, tenant, vacation, django_capture_on_commit_callbacks)
    assert set(Notification.objects.values_list("user", flat=True)) == {tenant.hr_admin.pk, tenant.owner.pk}


@pytest.mark.parametrize(("decide", "word"), [(actions.do_approve_absence, "approved"), (actions.do_reject_absence, "rejected")])
def test_an_employee_is_told_of_the_decision_on_their_absence(staff, tenant, vacation, django_capture_on_commit_callbacks, decide, word):
    absence = request_vacation(staff, tenant, vacation, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide(absence, acting_user=tenant.manager)

    notice = Notification.objects.get(user=tenant.employee)
    assert notice.title.startswith(f"Your absence was {word}: Vacation, ") and notice.link == reverse("hr:my_absences")
    assert [message.to for message in mail.outbox] == [[tenant.employee.email]]
    assert f"{tenant.manager} {word} your absence" in mail.outbox[0].body


def test_nobody_is_told_of_their_own_doing(staff, tenant, vacation, django_capture_on_commit_callbacks):
    """An HR admin registering (approved at once) or deciding their own record hears nothing."""
    with django_capture_on_commit_callbacks(execute=True):
        absence = actions.do_register_absence(staff.hr_admin, {
            "absence_type": vacation, "start_date": date(2026, 7, 6), "end_date": date(2026, 7, 6), "grade": 100,
            "note": ""}, acting_user=tenant.hr_admin, approved=False)
        actions.do_approve_absence(absence, acting_user=tenant.hr_admin)
    assert not Notification.objects.filter(user=tenant.hr_admin).exists()
