"""One job per absence at a time, and no change is lost to a job that found the absence busy."""

from datetime import timedelta

from django.utils import timezone

from integrations.absence_sync.models import LEASE, AbsenceTransfer


def test_a_second_job_cannot_take_an_absence_another_job_holds_until_the_lease_runs_out(tenant):
    transfer = AbsenceTransfer.objects.create(organization=tenant.organization, absence_id=1)
    other = AbsenceTransfer.objects.get(pk=transfer.pk)
    assert transfer.claim() and not other.claim()
    AbsenceTransfer.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))  # the first job died
    assert other.claim() and other.claimed_until > timezone.now() + LEASE - timedelta(minutes=1)


def test_releasing_reports_a_change_that_arrived_while_the_job_ran(tenant):
    transfer = AbsenceTransfer.objects.create(organization=tenant.organization, absence_id=1)
    assert transfer.claim()
    seen = transfer.requested_at
    AbsenceTransfer.objects.update(requested_at=seen + timedelta(seconds=1))  # an edit meanwhile
    assert transfer.release(caught_up_with=seen) is True and transfer.is_pending
    assert transfer.claim() and transfer.release(caught_up_with=transfer.requested_at) is False
    assert not transfer.is_pending and transfer.claimed_until is None
