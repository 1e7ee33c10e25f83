"""Listens to HR changes and turns them into outbox events; the push handlers for those events.

Changes signalled with origin "external" came from Fortnox (a user synchronisation applying
them) and are not pushed back. Nothing is pushed before the HR integration is activated.
"""

from django.dispatch import receiver

from hr import signals as hr_signals
from hr.models import Employee, Origin
from integrations.core import outbox
from integrations.core.models import ExternalLink
from integrations.fortnox.errors import FortnoxConflict

from . import fields as hr_fields
from .models import HrIntegrationSettings

EMPLOYEE_LINK = "employee"


@receiver(hr_signals.employee_changed, dispatch_uid="integrations.employee_changed")
def employee_changed(sender, employee, changed_fields, created, origin, **kwargs):
    if origin == Origin.EXTERNAL:
        return
    settings = HrIntegrationSettings.objects.for_organization(employee.organization_id).first()
    if settings is None or not settings.is_active:
        return
    link = None if created else ExternalLink.link_of(employee, EMPLOYEE_LINK)
    if link is not None:
        fields = hr_fields.synced_fields_changed(changed_fields)
        if fields:
            outbox.record(employee, "employee_update", {"fields": fields})
    elif settings.create_employees and employee.active:
        outbox.record(employee, "employee_create")


def _employee(event) -> Employee:
    employee = Employee.objects.filter(pk=event.object_id, organization_id=event.organization_id).first()
    if employee is None:
        raise outbox.PushSkipped("the employee no longer exists")
    return employee


def _sent_what_failed(later, failed) -> bool:
    """An update sends the fields it names only: a later one makes good a failed one only when it
    sent each of those fields too (as they are now)."""
    return set(failed.payload.get("fields", [])) <= set(later.payload.get("fields", []))


@outbox.handler("employee_update", covers=_sent_what_failed)
def push_employee_update(event, client):
    """Sends the current values of the changed fields (not those at the time of the change), so
    events pushed late or out of order still leave Fortnox with what Brygga holds now."""
    employee = _employee(event)
    link = ExternalLink.link_of(employee, EMPLOYEE_LINK)
    if link is None:
        raise outbox.PushSkipped("the employee is not linked to a Fortnox employee")
    values = {name: hr_fields.BY_NAME[name].from_employee(employee) for name in event.payload["fields"]}
    body = {"Employee": hr_fields.fortnox_document(values)}
    path = f"/3/employees/{link.external_id}"
    outbox.note_request(event, "PUT", path, body, str(employee))
    client.put(path, body)
    link.remember(values)


@outbox.handler("employee_create")
def push_employee_create(event, client):
    from .sync import PersonFailed, create_in_fortnox

    employee = _employee(event)
    if ExternalLink.link_of(employee, EMPLOYEE_LINK) is not None:
        raise outbox.PushSkipped("already linked")
    try:
        create_in_fortnox(client, employee, note=lambda method, path, body: outbox.note_request(
            event, method, path, body, str(employee)))
    except PersonFailed as refused:
        # Not retryable (Fortnox gives the id to someone else): fail for good, into the error log.
        raise FortnoxConflict(str(refused)) from refused
