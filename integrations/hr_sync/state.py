"""Where employees and absences stand in Fortnox, for HR's pages and lists (registered with
`hr.outside` when the integration loads): queued, sent, failed with the reason, or held back by a
conflict with a change made in Fortnox."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from hr.models import Employee
from integrations.core.models import ExternalLink, FortnoxConnection, IntegrationError, OutboxEvent

from . import absences
from .links import EMPLOYEE_LINK
from .models import EmployeeConflict, HrIntegrationSettings

EMPLOYEE_EVENTS = ("employee_update", "employee_create")


@dataclass
class EmployeeFortnoxState:
    NOT_LINKED = "not_linked"
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CONFLICT = "conflict"

    employee: Employee
    status: str
    error: IntegrationError | None = None
    template = "integrations/_employee_badge.html"

    @property
    def label(self):
        return {self.NOT_LINKED: _("Not in Fortnox"), self.PENDING: _("On its way to Fortnox"),
                self.SENT: _("Sent to Fortnox"), self.FAILED: _("Failed in Fortnox"),
                self.CONFLICT: _("Conflict with Fortnox")}[self.status]

    @property
    def css(self) -> str:
        return {self.PENDING: "warn", self.SENT: "ok", self.FAILED: "error", self.CONFLICT: "warn"}.get(self.status, "")


def _employee_errors(organization):
    return IntegrationError.objects.for_organization(organization).filter(
        content_type=ContentType.objects.get_for_model(Employee), kind__in=EMPLOYEE_EVENTS,
        status=IntegrationError.Status.OPEN)


def employee_states(employees) -> dict[int, EmployeeFortnoxState]:
    """Each employee's Fortnox state (by pk) in five queries; empty without the HR integration.
    A change on its way is shown before an older failure: it may well fix it. A field in the
    conflicts inbox is not sent (nor taken from Fortnox) until someone chooses: the person is not
    "sent to Fortnox" meanwhile."""
    employees = list(employees)
    if not employees:
        return {}
    organization_id = employees[0].organization_id
    settings = HrIntegrationSettings.objects.for_organization(organization_id).first()
    if settings is None or not settings.is_active:
        return {}
    ids = [employee.pk for employee in employees]
    linked = set(ExternalLink.links_for(organization_id, EMPLOYEE_LINK, Employee).filter(object_id__in=ids).values_list(
        "object_id", flat=True))
    pending = set(OutboxEvent.objects.filter(
        organization_id=organization_id, content_type=ContentType.objects.get_for_model(Employee), object_id__in=ids,
        kind__in=EMPLOYEE_EVENTS, status__in=[OutboxEvent.Status.PENDING, OutboxEvent.Status.PROCESSING],
    ).values_list("object_id", flat=True))
    failed = {error.object_id: error for error in _employee_errors(organization_id).filter(object_id__in=ids).order_by("created_at")}
    conflicted = set(EmployeeConflict.objects.open().filter(organization_id=organization_id, employee_id__in=ids)
                     .values_list("employee_id", flat=True))
    states = {}
    for employee in employees:
        if employee.pk in pending:
            states[employee.pk] = EmployeeFortnoxState(employee, EmployeeFortnoxState.PENDING)
        elif employee.pk in failed:
            states[employee.pk] = EmployeeFortnoxState(employee, EmployeeFortnoxState.FAILED, failed[employee.pk])
        elif employee.pk in conflicted:
            states[employee.pk] = EmployeeFortnoxState(employee, EmployeeFortnoxState.CONFLICT)
        else:
            status = EmployeeFortnoxState.SENT if employee.pk in linked else EmployeeFortnoxState.NOT_LINKED
            states[employee.pk] = EmployeeFortnoxState(employee, status)
    return states


def employee_state(employee: Employee) -> EmployeeFortnoxState | None:
    return employee_states([employee]).get(employee.pk)


def open_employee_errors(employee: Employee):
    return _employee_errors(employee.organization_id).filter(object_id=employee.pk)


class FortnoxTracker:
    key = "fortnox"
    name = "Fortnox"

    def states(self, kind: str, objects: list) -> dict:
        return employee_states(objects) if kind == "employee" else absences.transfers().states(objects)

    def failed_ids(self, kind: str, organization):
        if kind == "employee":
            return _employee_errors(organization).values("object_id")
        return absences.transfers().failed_ids(organization)

    def waiting_notice(self, kind: str, obj) -> str:
        """A change on its way to Fortnox (or just refused for want of a connection) while Fortnox is
        not connected waits: re-connecting sends it (integrations.connection.actions.do_connect)."""
        connection = FortnoxConnection.existing_or_unsaved(obj.organization)
        if connection.is_connected:
            return ""
        state = self.states(kind, [obj]).get(obj.pk)
        if state is None or state.status not in ("pending", "failed"):
            return ""  # nothing of this change goes to Fortnox
        if connection.status == FortnoxConnection.Status.NEEDS_REAUTH:
            return str(_("Fortnox must be re-connected before it accepts changes again: this change is kept and sent "
                         "to Fortnox as soon as an organization admin re-connects it."))
        return str(_("Fortnox is not connected right now: this change is kept and sent to Fortnox when an "
                     "organization admin connects it again."))
