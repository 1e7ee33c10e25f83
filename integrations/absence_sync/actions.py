"""Writes of the absence transfer, one small function each."""

from django.db import transaction
from django.utils import timezone

from hr.models import Absence, AbsenceStatus
from integrations.core import outbox
from integrations.core.models import ExternalLink, FortnoxConnection, SyncRun

from . import schedule
from .models import AbsenceTransfer
from .push import request_transfer
from .state import MOVING, Lookups, fortnox_employee_id, held_under, target_of

BACKFILL_KIND = "absence_backfill"


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


@transaction.atomic
def do_send_again(absence: Absence, *, acting_user) -> None:
    """Transfer the absence again: retry its open failure, or (nothing failed, but Fortnox holds
    fewer days than it should, e.g. after the person got a schedule in Fortnox) read the person's
    schedule afresh and bring Fortnox in line."""
    transfer = AbsenceTransfer.objects.select_related("error").filter(absence_id=absence.pk).first()
    if transfer is not None and transfer.has_failed and transfer.error.can_retry:
        outbox.do_retry_error(transfer.error, acting_user=acting_user)
        return
    connection = FortnoxConnection.existing_or_unsaved(absence.organization)
    employee_id = fortnox_employee_id(absence.employee)
    if employee_id is not None:
        schedule.forget(connection, employee_id, absence.start_date, absence.end_date or absence.start_date)
    request_sync(absence, transfer, at=timezone.now())


def do_move_transactions(organization, absence_type, old_code: str) -> int:
    """Keep the transactions sent under the type's old cause code Brygga's after its mapping
    changed: each absence's next job gives them the new code. Returns how many were moved."""
    links = list(held_under(organization, absence_type, old_code))
    for link in links:
        link.last_synced_values = {**link.last_synced_values, MOVING: True}
    ExternalLink.objects.bulk_update(links, ["last_synced_values"])
    now = timezone.now()
    transfers = AbsenceTransfer.objects.for_organization(organization).filter(absence_id__in={link.object_id for link in links})
    transfers.update(requested_at=now)
    for transfer in transfers:
        request_transfer(transfer)
    return len(links)


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
def do_backfill(organization, start, end, *, settings, acting_user=None) -> SyncRun:
    """Send the absences of a period that were approved before the integration was activated.
    The run records which absences the admin sent, so a page can follow them to the end."""
    at = timezone.now()
    candidates = backfill_candidates(organization, start, end, settings=settings)
    transfers = {t.absence_id: t for t in AbsenceTransfer.objects.filter(absence_id__in=[a.pk for a in candidates])}
    for absence in candidates:
        request_sync(absence, transfers.get(absence.pk), at=at, backfill=True)
    return SyncRun.objects.create(
        organization=organization, kind=BACKFILL_KIND, trigger=SyncRun.Trigger.BACKFILL, status=SyncRun.Status.RUNNING,
        started_by=acting_user, started_at=at, progress_total=len(candidates),
        data={"absence_ids": [absence.pk for absence in candidates], "start": start.isoformat(), "end": end.isoformat()},
    )


def backfill_progress(run: SyncRun) -> SyncRun:
    """The run as it stands now, read from its absences' transfers (each absence's own job does
    the work; nothing else writes the backfill run): how many are through, failed or waiting."""
    transfers = AbsenceTransfer.objects.filter(absence_id__in=run.data["absence_ids"]).select_related("error")
    failed = sum(transfer.has_failed for transfer in transfers)
    sent = sum(not transfer.is_pending and not transfer.has_failed for transfer in transfers)
    run.progress_done, run.counts = sent + failed, {"sent": sent, "failed": failed}
    if run.progress_done >= run.progress_total:
        run.status = SyncRun.Status.PARTIAL if failed else SyncRun.Status.SUCCEEDED
    return run
