"""The transfer state of one absence: which change Fortnox has caught up with, which job is
working on it (a lease, so one absence is never transferred by two jobs at once), its current run
(progress) and its open failure. The transactions themselves are `ExternalLink`s of kind
"absence_transaction" (one per day), issue 6's bindings."""

from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integrations.core.models import IntegrationError, SyncRun
from organizations.models import OrganizationOwned

# Longer than a job's share of the work (`settings.ABSENCE_SYNC_CALL_BUDGET` calls at the rate
# limit, plus the client's retries): a job that died frees its absences after this.
LEASE = timedelta(minutes=10)


class AbsenceTransfer(OrganizationOwned):
    # No foreign key to the absence: its transactions must still be removed after it is deleted.
    absence_id = models.PositiveBigIntegerField(_("absence"), unique=True)
    subject = models.CharField(_("about"), max_length=200, blank=True)
    # Kept here too: after the absence is deleted, its type's mapping still tells Brygga's
    # transactions (current cause code) from disconnected ones (an earlier code).
    absence_type = models.ForeignKey("hr.AbsenceType", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                     verbose_name=_("absence type"))
    backfilled_at = models.DateTimeField(_("included by a backfill"), null=True, blank=True)
    requested_at = models.DateTimeField(_("last change"), default=timezone.now)
    synced_at = models.DateTimeField(_("caught up with the change of"), null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    run = models.ForeignKey(SyncRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                            verbose_name=_("current run"))
    error = models.ForeignKey(IntegrationError, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("failure"))

    class Meta:
        verbose_name = _("absence transfer")
        verbose_name_plural = _("absence transfers")

    def __str__(self):
        return f"absence {self.absence_id}"

    @property
    def is_pending(self) -> bool:
        return self.synced_at is None or self.synced_at < self.requested_at

    @property
    def has_failed(self) -> bool:
        return self.error is not None and self.error.status == IntegrationError.Status.OPEN

    def claim(self) -> bool:
        """Take the lease for this job; False when another job holds it."""
        now = timezone.now()
        claimed = AbsenceTransfer.objects.filter(pk=self.pk).filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
        ).update(claimed_until=now + LEASE)
        if claimed:
            self.refresh_from_db()
        return bool(claimed)

    def release(self, *, caught_up_with=None) -> bool:
        """Give the lease back (noting the change Fortnox now reflects); True when a change
        arrived meanwhile, whose own job found the lease taken and left it to this one."""
        fields = {"claimed_until": None}
        if caught_up_with is not None:
            fields["synced_at"] = caught_up_with
        AbsenceTransfer.objects.filter(pk=self.pk).update(**fields)
        self.refresh_from_db()
        return caught_up_with is not None and self.requested_at > caught_up_with
