"""Turns absence changes into transfer jobs, in the transaction of the change (hr.signals)."""

from django.dispatch import receiver
from django.utils import timezone

from hr import signals as hr_signals
from integrations.hr_sync.models import HrIntegrationSettings

from .actions import request_sync
from .models import AbsenceTransfer
from .state import target_of


@receiver(hr_signals.absence_changed, dispatch_uid="integrations.absence_sync.absence_changed")
def absence_changed(sender, absence, changed_fields, created, deleted, origin, **kwargs):
    settings = HrIntegrationSettings.objects.for_organization(absence.organization_id).first()
    if settings is None or not (settings.is_active and settings.create_absences):
        return  # switched off: Brygga leaves Fortnox's absences alone, neither adding nor removing
    transfer = AbsenceTransfer.objects.filter(absence_id=absence.pk).first()
    if transfer is None:
        # Nothing was ever sent for it: only an absence that qualifies now needs a job.
        if deleted or target_of(absence, settings=settings).reason is not None:
            return
    request_sync(absence, transfer, at=timezone.now())
