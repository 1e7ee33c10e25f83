"""The outbox handlers that push employee changes to Fortnox (registered when the app is ready)."""

from typing import NamedTuple

from django.db import transaction

from hr.models import Employee
from integrations.core import outbox, personal_data
from integrations.core.models import CONFLICT, ExternalLink, compare_three_way
from integrations.fortnox.errors import FortnoxConflict

from . import fields as hr_fields
from .apply import PersonFailed, create_in_fortnox
from .links import EMPLOYEE_LINK
from .models import EmployeeConflict
from .pull import notify_conflicts, record_conflict, values_in_flight


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
    events pushed late or out of order still leave Fortnox with what Brygga holds now. Fortnox is
    read first: a field someone changed there too since both sides last agreed is not sent but
    becomes a conflict (as the pull would have found it had it read Fortnox first), and a field
    with an open conflict waits for its resolution, which pushes it.

    Fortnox has no conditional write, so a change made there after it answered the read and
    before it applies the write is overwritten (docs/architecture.md, "The read-to-write window").
    That window is kept to the comparison alone: everything the push reads from or writes to the
    database happens before the read or after the write, and the write's slot in the rate limit
    is taken before the read (`read_then_write`)."""
    employee = _employee(event)
    link = ExternalLink.link_of(employee, EMPLOYEE_LINK)
    if link is None:
        raise outbox.PushSkipped("the employee is not linked to a Fortnox employee")
    path = f"/3/employees/{link.external_id}"
    values = {name: hr_fields.BY_NAME[name].from_employee(employee) for name in event.payload["fields"]}
    # What an earlier attempt of this event (or of another still going) sent may be in Fortnox
    # even though its answer was lost.
    sent = values_in_flight(employee.organization, [employee.pk]).get(employee.pk, {})
    waiting = set(EmployeeConflict.objects.open().filter(employee=employee).values_list("field", flat=True))
    # Noted as if all were sent, before the read: a failed read or write shows what was to be
    # sent, and a write whose answer is lost is known to pulls and retries (`values_in_flight`;
    # a value noted but not sent is one Fortnox held already or one in a conflict, so no harm).
    event.payload = {**event.payload, "sent_values": values}
    outbox.note_request(event, "PUT", path, {"Employee": hr_fields.fortnox_document(values)}, str(employee))
    split = None

    def decide(document: dict) -> dict | None:
        nonlocal split
        split = _unless_changed_in_fortnox(link, values, document, sent, waiting)
        return {"Employee": hr_fields.fortnox_document(split.send)} if split.send else None

    # Sent once: a refused or unanswered write goes back to the outbox, whose retry reads
    # Fortnox again, so a change made there meanwhile becomes a conflict, not an overwrite.
    client.read_then_write(path, decide)
    found = sum(record_conflict(employee, name, local, remote) is not None for name, local, remote in split.conflicts)
    if found:
        transaction.on_commit(lambda: notify_conflicts(employee.organization, found))
    if split.send or split.agreed:
        link.remember({**split.agreed, **split.send})


class Split(NamedTuple):
    send: dict
    agreed: dict
    conflicts: list  # (name, Brygga's value, Fortnox's value)


def _unless_changed_in_fortnox(link, values: dict, document: dict, sent: dict, waiting: set) -> Split:
    """`values` split against Fortnox's `document` (in memory only: it runs between Fortnox's
    answer to the read and the write): those to send, those Fortnox already holds (`agreed`), and
    `conflicts` (name, Brygga's, Fortnox's) for fields Fortnox changed to something else since the
    last agreement — unless what Fortnox holds is a value Brygga `sent` itself in a push whose
    answer was lost. Fields with an open conflict (`waiting`) are none of these."""
    remote, unreadable = hr_fields.fortnox_values(document)
    last = link.last_synced_values
    seen_local, seen_remote = personal_data.fingerprinted(values), personal_data.fingerprinted(remote)
    send, agreed, conflicts = {}, {}, []
    for name, value in values.items():
        if name in waiting:
            continue
        if name in unreadable or name not in remote:
            send[name] = value
        elif seen_remote[name] == seen_local[name]:
            agreed[name] = value
        elif name in last and remote[name] not in sent.get(name, ()) \
                and compare_three_way(seen_local[name], last[name], seen_remote[name]) == CONFLICT:
            conflicts.append((name, value, remote[name]))
        else:
            send[name] = value
    return Split(send, agreed, conflicts)


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
