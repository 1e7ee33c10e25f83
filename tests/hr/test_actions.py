"""The action functions: who may decide what, the history they write and the signals they send."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hr import actions, signals
from hr.models import Absence, AbsenceStatus, ChangeRecord, Employee, Origin


@pytest.fixture
def requested(staff, absence_types) -> Absence:
    return actions.do_request_absence(
        staff.report, {"absence_type": absence_types["vacation"], "start_date": date(2026, 7, 6),
                       "end_date": date(2026, 7, 10)}, acting_user=staff.report.user,
    )


@pytest.fixture
def received():
    """Every HR signal sent during the test, as (signal name, kwargs)."""
    events = []

    def receiver(signal, sender, **kwargs):
        events.append((signal, kwargs))

    for signal in (signals.employee_changed, signals.absence_changed):
        signal.connect(receiver, weak=False)
    yield events
    for signal in (signals.employee_changed, signals.absence_changed):
        signal.disconnect(receiver)


def test_a_manager_approves_a_request_of_a_direct_report(staff, tenant, requested):
    absence = actions.do_approve_absence(requested, acting_user=tenant.manager)
    assert (absence.status, absence.decided_by, absence.decided_at is not None) == (
        AbsenceStatus.APPROVED, tenant.manager, True)


def test_a_manager_cannot_approve_absences_outside_their_reports(staff, tenant, absence_types):
    other = actions.do_register_absence(
        staff.colleague, {"absence_type": absence_types["vacation"], "start_date": date(2026, 7, 6)},
        acting_user=tenant.hr_admin, approved=False,
    )
    with pytest.raises(PermissionDenied):
        actions.do_approve_absence(other, acting_user=tenant.manager)
    with pytest.raises(PermissionDenied):
        actions.do_reject_absence(other, acting_user=tenant.manager)
    assert Absence.objects.get(pk=other.pk).status == AbsenceStatus.REQUESTED


@pytest.mark.parametrize("role", ["hr_admin", "owner"])
def test_hr_admins_and_organization_admins_decide_any_absence(staff, tenant, requested, role):
    assert actions.do_reject_absence(requested, acting_user=getattr(tenant, role)).status == AbsenceStatus.REJECTED


@pytest.mark.parametrize("role", ["employee", "warehouse"])
def test_people_without_the_approval_permission_cannot_decide(staff, tenant, requested, role):
    with pytest.raises(PermissionDenied):
        actions.do_approve_absence(requested, acting_user=getattr(tenant, role))


def test_a_decided_absence_cannot_be_decided_again(staff, tenant, requested):
    actions.do_reject_absence(requested, acting_user=tenant.manager)
    with pytest.raises(ValidationError, match="This absence is rejected"):
        actions.do_approve_absence(requested, acting_user=tenant.manager)


def test_a_type_that_needs_no_approval_stands_at_once(staff, absence_types):
    absence = actions.do_request_absence(
        staff.report, {"absence_type": absence_types["sick_leave"], "start_date": date(2026, 7, 6)},
        acting_user=staff.report.user,
    )
    assert absence.status == AbsenceStatus.APPROVED


def test_the_employee_cancels_their_own_absence_but_not_a_colleagues(staff, tenant, requested, absence_types):
    assert actions.do_cancel_absence(requested, acting_user=tenant.employee).status == AbsenceStatus.CANCELLED
    other = actions.do_register_absence(
        staff.colleague, {"absence_type": absence_types["vacation"], "start_date": date(2026, 7, 6)},
        acting_user=tenant.hr_admin,
    )
    with pytest.raises(PermissionDenied):
        actions.do_cancel_absence(other, acting_user=tenant.employee)


def test_only_hr_admins_register_absences(staff, tenant, absence_types):
    with pytest.raises(PermissionDenied):
        actions.do_register_absence(
            staff.colleague, {"absence_type": absence_types["vacation"], "start_date": date(2026, 7, 6)},
            acting_user=tenant.manager,
        )


def test_an_employee_edit_records_who_changed_which_field_from_what_to_what(staff, tenant):
    actions.do_update_employee(staff.colleague, {"city": "Malmö", "phone": staff.colleague.phone},
                               acting_user=tenant.hr_admin)
    change = ChangeRecord.objects.get(employee=staff.colleague, action=ChangeRecord.Action.CHANGED)
    assert (change.field_name, change.old_value, change.new_value, change.changed_by, change.origin) == (
        "city", "Stockholm", "Malmö", tenant.hr_admin, Origin.USER)
    assert str(change.field_label) == "city"


def test_an_unchanged_save_records_nothing_and_signals_nothing(staff, tenant, received):
    before = ChangeRecord.objects.count()
    actions.do_update_employee(staff.colleague, {"phone": "0" + staff.colleague.phone[3:]},
                               acting_user=tenant.hr_admin)
    assert ChangeRecord.objects.count() == before
    assert received == []


def test_an_absence_decision_and_deletion_are_recorded(staff, tenant, requested):
    actions.do_approve_absence(requested, acting_user=tenant.manager)
    actions.do_delete_absence(requested, acting_user=tenant.hr_admin)
    records = list(ChangeRecord.objects.filter(kind=ChangeRecord.Kind.ABSENCE).order_by("pk"))
    assert [r.action for r in records][0] == ChangeRecord.Action.CREATED
    assert ("status", "Requested", "Approved") in [(r.field_name, r.old_shown, r.new_shown) for r in records]
    assert records[-1].action == ChangeRecord.Action.DELETED and records[-1].changed_by == tenant.hr_admin
    assert all(r.employee == staff.report for r in records)


def test_an_employee_change_is_signalled_with_the_changed_fields(staff, tenant, received):
    actions.do_update_employee(staff.report, {"family_name": "Ek", "manager": staff.colleague, "city": "Stockholm"},
                               acting_user=tenant.hr_admin)
    [(signal, event)] = received
    assert signal is signals.employee_changed
    assert event["changed_fields"] == {"family_name": ("Sjöberg", "Ek"), "manager": (staff.manager.pk, staff.colleague.pk)}
    assert (event["created"], event["origin"], event["employee"].pk) == (False, Origin.USER, staff.report.pk)


def test_a_new_employee_is_signalled_as_created(tenant, make_employee, received):
    employee = make_employee(email="ny@alfa.test")
    [(_signal, event)] = received
    assert event["created"] is True and event["employee"] == employee
    assert event["changed_fields"]["email"] == (None, "ny@alfa.test")


def test_a_change_from_an_external_system_is_signalled_as_external(staff, received):
    actions.update_from_external(staff.colleague, {"given_name": "Göte"})
    [(_signal, event)] = received
    assert event["origin"] == Origin.EXTERNAL
    assert ChangeRecord.objects.get(field_name="given_name").origin == Origin.EXTERNAL


def test_absence_changes_are_signalled_through_their_life(staff, tenant, requested, received):
    actions.do_update_absence(requested, {"grade": 50}, acting_user=tenant.hr_admin)
    actions.do_approve_absence(requested, acting_user=tenant.manager)
    absence_id = requested.pk
    actions.do_delete_absence(requested, acting_user=tenant.hr_admin)
    events = [event for _signal, event in received]
    assert events[0]["changed_fields"] == {"grade": (100, 50)}
    assert events[1]["changed_fields"]["status"] == (AbsenceStatus.REQUESTED, AbsenceStatus.APPROVED)
    assert events[2]["deleted"] is True and events[2]["absence"].pk == absence_id
    assert events[2]["changed_fields"]["start_date"] == (date(2026, 7, 6), None)


def test_a_failing_listener_rolls_the_change_back(staff, tenant):
    def refuse(**kwargs):
        raise RuntimeError("outbox unavailable")

    signals.employee_changed.connect(refuse, weak=False)
    try:
        with pytest.raises(RuntimeError):
            actions.do_update_employee(staff.colleague, {"city": "Luleå"}, acting_user=tenant.hr_admin)
    finally:
        signals.employee_changed.disconnect(refuse)
    assert Employee.objects.get(pk=staff.colleague.pk).city == "Stockholm"
    assert not ChangeRecord.objects.filter(field_name="city").exists()


def test_deactivating_an_employee_keeps_the_record(staff, tenant):
    employee = actions.do_deactivate_employee(staff.colleague, acting_user=tenant.hr_admin,
                                              employment_end=date(2026, 8, 31))
    assert (employee.active, employee.employment_end) == (False, date(2026, 8, 31))
