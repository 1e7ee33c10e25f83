"""Writes of the absence transfer, one small function each."""

from django.db import transaction
from django.utils import timezone

from hr.models import Absence, AbsenceStatus

from .models import AbsenceTransfer
from .push import request_transfer
from .state import Lookups, target_of


def request_sync(absence: Absence, transfer: AbsenceTransfer | None, *, at, backfill: bool = False) -> AbsenceTransfer:
    """Note that Fortnox must catch up with the absence as of `at` and queue a job (inside the
    caller's transaction, like the outbox row it writes)."""
    subject = f"{absence.employee}: {absence.absence_type.name_en}, {absence.period_display}"[:200]
    if transfer is None:
        transfer = AbsenceTransfer.objects.create(
            organization_id=absence.organization_id, absence_id=absence.pk, subject=subject,
            absence_type_id=absence.absence_type_id, requested_at=at, backfilled_at=at if backfill else None,
        )
    else:
        transfer.subject, transfer.absence_type_id, transfer.requested_at = subject, absence.absence_type_id, at
        fields = ["subject", "absence_type", "requested_at"]
        if backfill:
            transfer.backfilled_at = at
            fields.append("backfilled_at")
        transfer.save(update_fields=fields)
    request_transfer(transfer)
    return transfer


def backfill_candidates(organization, start, end, *, settings):
    """Approved absences in the period that were approved before activation and would
    otherwise qualify (what the backfill preview lists and the backfill sends)."""
    absences = (
        Absence.objects.for_organization(organization).with_related()
        .filter(status=AbsenceStatus.APPROVED, end_date__isnull=False, start_date__lte=end, end_date__gte=start)
        .exclude(pk__in=AbsenceTransfer.objects.for_organization(organization).filter(
            backfilled_at__isnull=False).values("absence_id"))
        .order_by("start_date", "pk")
    )
    lookups = Lookups(organization)
    return [absence for absence in absences
            if target_of(absence, settings=settings, lookups=lookups).reason is not None
            and target_of(absence, settings=settings, backfilled=True, lookups=lookups).reason is None]


@transaction.atomic
def do_backfill(organization, start, end, *, settings) -> int:
    """Send the absences of a period that were approved before the integration was activated."""
    at = timezone.now()
    candidates = backfill_candidates(organization, start, end, settings=settings)
    transfers = {t.absence_id: t for t in AbsenceTransfer.objects.filter(absence_id__in=[a.pk for a in candidates])}
    for absence in candidates:
        request_sync(absence, transfers.get(absence.pk), at=at, backfill=True)
    return len(candidates)
