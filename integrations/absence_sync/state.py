"""Where an absence stands with Fortnox: the rules' verdict with the Fortnox ids it needs
(`target_of`), and what the absence page shows (`fortnox_state`)."""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy as _, ngettext

from hr.models import Absence, Employee
from hr.validators import format_hours
from integrations.core.models import ExternalLink, IntegrationError
from integrations.hr_sync.models import AbsenceTypeMapping, HrIntegrationSettings

from .models import AbsenceTransfer
from .rules import NEVER_QUEUED, reason_not_transferred

LINK_KIND = "absence_transaction"
EMPLOYEE_LINK = "employee"
PENDING_PREFIX = "pending-"  # an ExternalLink whose create was sent but not (yet) answered
# Beside the values sent, a link notes the absence type they were sent for: a link whose type now
# maps to another cause code was cut off by a mapping change and is left alone, while one sent for
# an earlier type of its absence (the absence was re-typed) is still Brygga's to change or remove.
SENT_FOR = "absence_type"
# Noted on a link when the admin chose, on a mapping change, to move it to the type's new cause
# code: it stays Brygga's, and its next job changes its code (which drops the note).
MOVING = "moving"


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


def is_disconnected(values: dict, codes: dict, absence_type_id) -> bool:
    """A link (its last synced `values`) cut off by a mapping change: its cause code is no longer
    the one the type it was sent for maps to (`absence_type_id` for links from before types were
    noted), and nobody chose to move it."""
    sent_for = values.get(SENT_FOR, absence_type_id)
    return not values.get(MOVING) and values.get("CauseCode") != codes.get(sent_for)


def held_under(organization, absence_type, cause_code: str):
    """Brygga's transactions in Fortnox sent for `absence_type` under `cause_code`: those a
    change of the type's mapping away from that code disconnects."""
    if not cause_code:
        return ExternalLink.objects.none()
    legacy = AbsenceTransfer.objects.for_organization(organization).filter(absence_type=absence_type).values("absence_id")
    return ExternalLink.links_for(organization, LINK_KIND, Absence).filter(
        Q(**{f"last_synced_values__{SENT_FOR}": absence_type.pk})
        | Q(**{f"last_synced_values__{SENT_FOR}__isnull": True}, object_id__in=legacy),
        last_synced_values__CauseCode=cause_code,
    ).exclude(external_id__startswith=PENDING_PREFIX)


@dataclass
class Remapping:
    """A mapping change that leaves transactions in Fortnox under the type's old cause code."""

    absence_type: object
    old_code: str
    new_code: str
    transactions: int


def remappings(organization, mappings: dict, cause_codes: dict) -> list[Remapping]:
    """The changes among `cause_codes` (absence type → new code) that `mappings` (type id →
    current mapping) say leave transactions behind, with how many."""
    found = []
    for absence_type, new_code in cause_codes.items():
        mapping = mappings.get(absence_type.pk)
        if mapping is not None and mapping.cause_code and mapping.cause_code != new_code:
            count = held_under(organization, absence_type, mapping.cause_code).count()
            if count:
                found.append(Remapping(absence_type, mapping.cause_code, new_code, count))
    return found


def transaction_links(organization_id, absence_id: int):
    return ExternalLink.links_for(organization_id, LINK_KIND, Absence).filter(object_id=absence_id).order_by("pk")


@dataclass
class FortnoxState:
    """Where an absence stands with Fortnox, as its page and the lists show it."""

    NOT_TRANSFERRED = "not_transferred"
    PENDING = "pending"
    TRANSFERRED = "transferred"
    FAILED = "failed"
    DISCONNECTED = "disconnected"

    absence: Absence
    status: str
    reason: object = ""
    days: int = 0  # transactions Fortnox holds for it (days with hours in the person's schedule)
    hours: float = 0.0
    transfer: AbsenceTransfer | None = None
    # Transactions left in Fortnox under an earlier cause code by a mapping change: (Date, CauseCode).
    disconnected: list = field(default_factory=list)
    template = "integrations/_absence_badge.html"  # how hr's lists show it (hr.outside)

    @property
    def label(self):
        if self.schedule_gives_no_hours:
            return _("Fortnox got 0 hours")
        return {self.NOT_TRANSFERRED: _("Not sent to Fortnox"), self.PENDING: _("On its way to Fortnox"),
                self.TRANSFERRED: _("Sent to Fortnox"), self.FAILED: _("Failed in Fortnox"),
                self.DISCONNECTED: _("Disconnected in Fortnox")}[self.status]

    @property
    def css(self) -> str:
        if self.schedule_gives_no_hours:
            return "warn"
        return {self.PENDING: "warn", self.TRANSFERRED: "ok", self.FAILED: "error", self.DISCONNECTED: "warn"}.get(self.status, "")

    @property
    def disconnected_codes(self) -> str:
        return ", ".join(sorted({code for _date, code in self.disconnected}))

    @property
    def error(self):
        return self.transfer.error if self.status == self.FAILED else None

    @property
    def delete_note(self) -> str:
        """What deleting the absence does in Fortnox, for the confirmation."""
        if not self.days:
            return ""
        if self.absence.hours is not None and self.days == 1:
            return gettext("Its %(hours)s h in Fortnox are deleted there too.") % {"hours": format_hours(self.hours)}
        return ngettext("Its %(days)s day in Fortnox is deleted there too.",
                        "Its %(days)s days in Fortnox are deleted there too.", self.days) % {"days": self.days}

    @property
    def never_queued(self) -> bool:
        return self.reason is NEVER_QUEUED

    @property
    def schedule_gives_no_hours(self) -> bool:
        """Sent, yet Fortnox holds nothing although the absence has work days: the person's Fortnox
        working-time schedule gives 0 hours on them (a new Fortnox employee gets such a schedule)."""
        return self.status == self.TRANSFERRED and self.days == 0 and bool(self.absence.days)


def fortnox_states(absences) -> dict[int, FortnoxState]:
    """The Fortnox state of each absence (by pk), in a fixed number of queries for any number of
    absences; empty when the organization does not use the HR integration (nothing to show)."""
    absences = list(absences)
    if not absences:
        return {}
    organization_id = absences[0].organization_id
    settings = HrIntegrationSettings.objects.for_organization(organization_id).first()
    if settings is None or not settings.is_active:
        return {}
    ids = [absence.pk for absence in absences]
    transfers = {t.absence_id: t for t in AbsenceTransfer.objects.filter(absence_id__in=ids).select_related("run", "error")}
    lookups = Lookups(organization_id)
    held = {}  # absence id → [Hours] of its transactions under its type's current cause code
    links = ExternalLink.links_for(organization_id, LINK_KIND, Absence).filter(object_id__in=ids).exclude(
        external_id__startswith=PENDING_PREFIX).values_list("object_id", "last_synced_values")
    for absence_id, values in links:
        held.setdefault(absence_id, []).append(values)
    states = {}
    for absence in absences:
        code = lookups.cause_codes.get(absence.absence_type_id)
        sent = [values for values in held.get(absence.pk, []) if values.get("CauseCode") == code]
        transfer = transfers.get(absence.pk)
        sent_for = transfer.absence_type_id if transfer is not None else absence.absence_type_id
        disconnected = sorted((values["Date"], values["CauseCode"]) for values in held.get(absence.pk, [])
                              if is_disconnected(values, lookups.cause_codes, sent_for))
        state = FortnoxState(absence, FortnoxState.TRANSFERRED, days=len(sent),
                             hours=round(sum(float(values.get("Hours") or 0) for values in sent), 2), transfer=transfer,
                             disconnected=disconnected)
        if transfer is not None and transfer.has_failed:
            state.status = FortnoxState.FAILED
        elif transfer is not None and transfer.is_pending:
            state.status = FortnoxState.PENDING
        else:
            backfilled = transfer is not None and transfer.backfilled_at is not None
            state.reason = target_of(absence, settings=settings, backfilled=backfilled, lookups=lookups).reason
            if state.reason is None and transfer is None and not sent:
                # It qualifies now, but nothing ever queued it: it is not in Fortnox.
                state.reason = NEVER_QUEUED
            if state.reason is not None:
                state.status = FortnoxState.NOT_TRANSFERRED
            elif disconnected and not sent:  # not "Sent — 0 days": what Fortnox holds is under the old code
                state.status = FortnoxState.DISCONNECTED
        states[absence.pk] = state
    return states


def fortnox_state(absence: Absence) -> FortnoxState | None:
    """None when the organization does not use the HR integration (nothing to show)."""
    return fortnox_states([absence]).get(absence.pk)


def failed_absence_ids(organization):
    """The absences whose transfer failed and is still open in the error log (a subquery)."""
    return AbsenceTransfer.objects.for_organization(organization).filter(
        error__status=IntegrationError.Status.OPEN).values("absence_id")
