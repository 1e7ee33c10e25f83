"""Where an absence stands with Fortnox: the rules' verdict with the Fortnox ids it needs
(`target_of`), and what the absence page shows (`fortnox_state`)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from hr.models import Absence, Employee
from integrations.sync_models import AbsenceTypeMapping, ExternalLink, HrIntegrationSettings

from .models import AbsenceTransfer
from .rules import reason_not_transferred

LINK_KIND = "absence_transaction"
EMPLOYEE_LINK = "employee"
PENDING_PREFIX = "pending-"  # an ExternalLink whose create was sent but not (yet) answered


@dataclass
class Target:
    """What the rules say about an absence now: `reason` (None when it qualifies), the Fortnox
    EmployeeId (when linked) and its type's cause code (None unmapped, "" do not transfer)."""

    reason: object
    employee_id: str | None
    cause_code: str | None


def cause_code_of(absence_type_id) -> str | None:
    mapping = AbsenceTypeMapping.objects.filter(absence_type_id=absence_type_id).first()
    return None if mapping is None else mapping.cause_code


def cause_codes(organization) -> dict:
    """Each mapped absence type's cause code ("" for do not transfer), by type id."""
    return dict(AbsenceTypeMapping.objects.for_organization(organization).values_list("absence_type_id", "cause_code"))


def fortnox_employee_id(employee: Employee) -> str | None:
    link = ExternalLink.link_of(employee, EMPLOYEE_LINK)
    return None if link is None else link.external_id


class Lookups:
    """Every mapping and employee link of an organization in two queries, for lists of absences."""

    def __init__(self, organization):
        self.cause_codes = cause_codes(organization)
        self.employee_ids = dict(ExternalLink.links_for(organization, EMPLOYEE_LINK, Employee).values_list(
            "object_id", "external_id"))


def target_of(absence: Absence, *, settings=None, backfilled: bool = False, lookups: Lookups | None = None) -> Target:
    settings = settings or HrIntegrationSettings.objects.for_organization(absence.organization_id).first()
    if lookups is None:
        employee_id, cause_code = fortnox_employee_id(absence.employee), cause_code_of(absence.absence_type_id)
    else:
        employee_id = lookups.employee_ids.get(absence.employee_id)
        cause_code = lookups.cause_codes.get(absence.absence_type_id)
    reason = reason_not_transferred(absence, settings=settings, cause_code=cause_code,
                                    employee_linked=employee_id is not None, backfilled=backfilled)
    return Target(reason=reason, employee_id=employee_id, cause_code=cause_code)


def transaction_links(organization_id, absence_id: int):
    return ExternalLink.links_for(organization_id, LINK_KIND, Absence).filter(object_id=absence_id).order_by("pk")


@dataclass
class FortnoxState:
    NOT_TRANSFERRED = "not_transferred"
    PENDING = "pending"
    TRANSFERRED = "transferred"
    FAILED = "failed"

    status: str
    reason: object = ""
    days: int = 0
    transfer: AbsenceTransfer | None = None

    @property
    def label(self):
        return {self.NOT_TRANSFERRED: _("Not transferred"), self.PENDING: _("Pending"),
                self.TRANSFERRED: _("Transferred"), self.FAILED: _("Failed")}[self.status]


def fortnox_state(absence: Absence) -> FortnoxState | None:
    """None when the organization does not use the HR integration (nothing to show)."""
    settings = HrIntegrationSettings.objects.for_organization(absence.organization_id).first()
    if settings is None or not settings.is_active:
        return None
    transfer = AbsenceTransfer.objects.filter(absence_id=absence.pk).select_related("run", "error").first()
    code = cause_code_of(absence.absence_type_id)
    days = transaction_links(absence.organization_id, absence.pk).filter(
        last_synced_values__CauseCode=code).exclude(external_id__startswith=PENDING_PREFIX).count()
    if transfer is not None and transfer.has_failed:
        return FortnoxState(FortnoxState.FAILED, days=days, transfer=transfer)
    if transfer is not None and transfer.is_pending:
        return FortnoxState(FortnoxState.PENDING, days=days, transfer=transfer)
    reason = target_of(absence, settings=settings, backfilled=transfer is not None and transfer.backfilled_at is not None).reason
    if reason is not None:
        return FortnoxState(FortnoxState.NOT_TRANSFERRED, reason=reason, days=days, transfer=transfer)
    return FortnoxState(FortnoxState.TRANSFERRED, days=days, transfer=transfer)
