"""Every write to HR data goes through here: it validates, saves, records the history and sends
the domain signals (see `hr.signals`), so no caller can forget one of them."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.permissions import Perm, user_can
from organizations.stored_text import StoredText

from . import signals
from .models import Absence, AbsenceStatus, ChangeRecord, Employee, Origin


def _value(instance, field: str):
    """A field's value as listeners get it: foreign keys as primary keys."""
    if isinstance(instance._meta.get_field(field), models.ForeignKey):
        return getattr(instance, f"{field}_id")
    return getattr(instance, field)


def _shown(instance, field: str) -> StoredText:
    """For the history: the value in every language (statuses, types, dates and times as read).
    A personal identity number is kept masked: the history is read by more people, for longer."""
    if field == "personal_identity_number":
        return StoredText.each_language(lambda: instance.personal_identity_number_masked)
    return StoredText.each_language(ChangeRecord.words_for, type(instance), field, getattr(instance, field))


def _assign(instance, values: dict):
    unknown = set(values) - set(instance.TRACKED_FIELDS)
    if unknown:
        raise TypeError(f"{type(instance).__name__} has no tracked fields {sorted(unknown)}")
    for field, value in values.items():
        setattr(instance, field, value)


def _apply_changes(instance, values: dict) -> tuple[dict, list[tuple[str, str, str]]]:
    """Assigns `values`, validates, and saves only what really changed (values are compared
    after normalisation, so "070-123 45 67" over "+46701234567" is no change).
    Returns the changed fields for listeners and (field, old, new) texts for the history."""
    before = {field: (_value(instance, field), _shown(instance, field)) for field in values}
    _assign(instance, values)
    instance.full_clean()
    changed, shown = {}, []
    for field, (old, old_text) in before.items():
        new = _value(instance, field)
        if new != old:
            changed[field] = (old, new)
            shown.append((field, old_text, _shown(instance, field)))
    if changed:
        instance.updated_at = timezone.now()
        instance.save(update_fields=[*changed, "updated_at"])
    return changed, shown


def _record(instance, action, acting_user, origin, shown=((None, "", ""),), source=""):
    is_absence = isinstance(instance, Absence)
    employee = instance.employee if is_absence else instance
    ChangeRecord.objects.bulk_create([
        ChangeRecord(
            organization_id=instance.organization_id,
            kind=ChangeRecord.Kind.ABSENCE if is_absence else ChangeRecord.Kind.EMPLOYEE,
            employee=employee, absence=instance if is_absence and action != ChangeRecord.Action.DELETED else None,
            subject=_absence_subject(instance) if is_absence else str(employee),
            action=action, field_name=field or "", old_value=old, new_value=new,
            changed_by=acting_user, origin=origin, source=source,
        )
        for field, old, new in shown
    ])


def _absence_subject(absence) -> StoredText:
    return StoredText.each_language(lambda: f"{absence.absence_type.name}, {absence.period_display}")


def _created_fields(instance) -> dict:
    return {field: (None, _value(instance, field)) for field in instance.TRACKED_FIELDS}


# Employees


@transaction.atomic
def do_create_employee(organization, values: dict, *, acting_user, origin=Origin.USER, source="") -> Employee:
    employee = Employee(organization=organization)
    _assign(employee, values)
    employee.full_clean()
    employee.save()
    _record(employee, ChangeRecord.Action.CREATED, acting_user, origin, source=source)
    signals.employee_changed.send(
        sender=Employee, employee=employee, changed_fields=_created_fields(employee), created=True, origin=origin,
    )
    return employee


@transaction.atomic
def do_update_employee(employee: Employee, values: dict, *, acting_user, origin=Origin.USER, source="") -> Employee:
    """Returns the updated employee (a fresh, locked copy: compare against the saved row, not
    against an instance a form may already have changed)."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    changed, shown = _apply_changes(employee, values)
    if changed:
        _record(employee, ChangeRecord.Action.CHANGED, acting_user, origin, shown, source=source)
        signals.employee_changed.send(
            sender=Employee, employee=employee, changed_fields=changed, created=False, origin=origin,
        )
    return employee


def do_deactivate_employee(employee: Employee, *, acting_user, employment_end=None) -> Employee:
    values = {"active": False}
    if employment_end is not None:
        values["employment_end"] = employment_end
    return do_update_employee(employee, values, acting_user=acting_user)


def update_from_external(employee: Employee, values: dict, *, source: str = "") -> Employee:
    """For an integration applying changes made in another system: recorded with no user and
    signalled with origin "external", so the integration does not push them back. `source`
    names the system in the history ("changed in Fortnox")."""
    return do_update_employee(employee, values, acting_user=None, origin=Origin.EXTERNAL, source=source)


def create_from_external(organization, values: dict, *, source: str = "") -> Employee:
    return do_create_employee(organization, values, acting_user=None, origin=Origin.EXTERNAL, source=source)


# Absences


def _lock_employee(employee: Employee):
    """Serialises writes to one employee's absences, so two overlapping requests cannot both
    pass the overlap check."""
    Employee.objects.select_for_update().filter(pk=employee.pk).values_list("pk").get()


def _scheduled_day_before_locking(employee, values: dict, current: Absence | None = None):
    """For an absence in hours whose day or hours change: the day's scheduled hours, read before the
    transaction (it may ask a payroll system over HTTP). None when nothing needs reading."""
    hours = values.get("hours", current.hours if current else None)
    start = values.get("start_date", current.start_date if current else None)
    if hours is None or start is None or (current is not None and not {"hours", "start_date"} & set(values)):
        return None
    probe = Absence(organization_id=employee.organization_id, employee=employee, start_date=start)
    probe.read_scheduled_day()
    return probe._scheduled_day


def _add_absence(employee, values, *, acting_user, status, decided_by=None) -> Absence:
    scheduled = _scheduled_day_before_locking(employee, values)
    with transaction.atomic():
        _lock_employee(employee)
        absence = Absence(organization_id=employee.organization_id, employee=employee, status=status,
                          created_by=acting_user)
        absence._scheduled_day = scheduled
        _assign(absence, values)
        if status == AbsenceStatus.APPROVED:
            absence.decided_by, absence.decided_at = decided_by, timezone.now()
        absence.full_clean()
        absence.save()
        _record(absence, ChangeRecord.Action.CREATED, acting_user, Origin.USER)
        signals.absence_changed.send(
            sender=Absence, absence=absence, changed_fields=_created_fields(absence), created=True, deleted=False,
            origin=Origin.USER,
        )
    return absence


def do_request_absence(employee: Employee, values: dict, *, acting_user) -> Absence:
    """An employee's own request; types that need no approval (e.g. sick leave) stand at once."""
    needs_approval = values["absence_type"].needs_approval
    return _add_absence(
        employee, values, acting_user=acting_user,
        status=AbsenceStatus.REQUESTED if needs_approval else AbsenceStatus.APPROVED,
    )


def do_register_absence(employee: Employee, values: dict, *, acting_user, approved=True) -> Absence:
    """An HR admin registers an absence for an employee, approved at once unless told otherwise."""
    if not user_can(acting_user, employee.organization, Perm.MANAGE_HR):
        raise PermissionDenied
    status = AbsenceStatus.APPROVED if approved else AbsenceStatus.REQUESTED
    return _add_absence(employee, values, acting_user=acting_user, status=status, decided_by=acting_user)


def _change_absence(absence: Absence, values: dict, *, acting_user, origin, allowed_from=None, done_in=None) -> Absence:
    """`done_in`: a status in which the change is already made (a decision repeated by a double
    click or a second tab): then nothing changes and the absence is returned as it is."""
    scheduled = _scheduled_day_before_locking(absence.employee, values, absence)
    with transaction.atomic():
        _lock_employee(absence.employee)
        absence = Absence.objects.with_related().select_for_update(of=("self",)).get(pk=absence.pk)
        absence._scheduled_day = scheduled
        if done_in is not None and absence.status == done_in:
            return absence
        if allowed_from is not None and absence.status not in allowed_from:
            raise ValidationError(
                _("This absence is %(status)s; it can no longer be changed that way.")
                % {"status": absence.get_status_display().lower()}, code="wrong_status",
            )
        changed, shown = _apply_changes(absence, values)
        if changed:
            _record(absence, ChangeRecord.Action.CHANGED, acting_user, origin, shown)
            signals.absence_changed.send(
                sender=Absence, absence=absence, changed_fields=changed, created=False, deleted=False, origin=origin,
            )
    return absence


def _decide(absence: Absence, status, *, acting_user, allowed_from) -> Absence:
    return _change_absence(
        absence, {"status": status, "decided_by": acting_user, "decided_at": timezone.now()},
        acting_user=acting_user, origin=Origin.USER, allowed_from=allowed_from, done_in=status,
    )


def do_approve_absence(absence: Absence, *, acting_user) -> Absence:
    if not absence.can_be_decided_by(acting_user):
        raise PermissionDenied(_("Only the employee's manager or an HR admin can approve this absence."))
    return _decide(absence, AbsenceStatus.APPROVED, acting_user=acting_user, allowed_from={AbsenceStatus.REQUESTED})


def do_reject_absence(absence: Absence, *, acting_user) -> Absence:
    if not absence.can_be_decided_by(acting_user):
        raise PermissionDenied(_("Only the employee's manager or an HR admin can reject this absence."))
    return _decide(absence, AbsenceStatus.REJECTED, acting_user=acting_user, allowed_from={AbsenceStatus.REQUESTED})


def do_cancel_absence(absence: Absence, *, acting_user) -> Absence:
    """The employee withdraws their own absence (or an HR admin does it for them)."""
    own = absence.employee.user_id == acting_user.pk
    if not own and not user_can(acting_user, absence.organization, Perm.MANAGE_HR):
        raise PermissionDenied(_("Only the employee themselves or an HR admin can cancel this absence."))
    return _decide(
        absence, AbsenceStatus.CANCELLED, acting_user=acting_user,
        allowed_from={AbsenceStatus.REQUESTED, AbsenceStatus.APPROVED},
    )


def do_update_absence(absence: Absence, values: dict, *, acting_user, origin=Origin.USER) -> Absence:
    return _change_absence(absence, values, acting_user=acting_user, origin=origin)


@transaction.atomic
def do_delete_absence(absence: Absence, *, acting_user, origin=Origin.USER):
    _record(absence, ChangeRecord.Action.DELETED, acting_user, origin)
    changed = {field: (_value(absence, field), None) for field in absence.TRACKED_FIELDS}
    absence_id = absence.pk
    absence.delete()
    absence.pk = absence_id  # see hr.signals: receivers look up what was linked to the deleted absence
    signals.absence_changed.send(
        sender=Absence, absence=absence, changed_fields=changed, created=False, deleted=True, origin=origin,
    )
