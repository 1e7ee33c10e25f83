"""The outbox handlers that push employee changes to Fortnox (registered when the app is ready)."""

from hr.models import Employee
from integrations.core import outbox
from integrations.core.models import ExternalLink
from integrations.fortnox.errors import FortnoxConflict

from . import fields as hr_fields
from .apply import PersonFailed, create_in_fortnox
from .links import EMPLOYEE_LINK


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
    employee = _employee(event)
    if ExternalLink.link_of(employee, EMPLOYEE_LINK) is not None:
        raise outbox.PushSkipped("already linked")
    try:
        create_in_fortnox(client, employee, note=lambda method, path, body: outbox.note_request(
            event, method, path, body, str(employee)))
    except PersonFailed as refused:
        # Not retryable (Fortnox gives the id to someone else): fail for good, into the error log.
        raise FortnoxConflict(str(refused)) from refused
