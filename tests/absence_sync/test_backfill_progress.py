"""A backfill is a job a person waits for: after "Send to Fortnox" the admin follows its absences
live (n of m, updated in place by htmx) until the result, with refusals counted."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.core import outbox
from integrations.core.models import SyncRun
from integrations.hr_sync.models import HrIntegrationSettings
from tests.support.absences import MONDAY, sick

pytestmark = pytest.mark.slow


def test_a_backfill_shows_its_progress_until_every_absence_is_sent_or_refused(world, client_for):
    sick(world)  # Monday to Sunday
    sick(world, start=MONDAY + timedelta(days=14), end=MONDAY + timedelta(days=15))
    HrIntegrationSettings.objects.update(activated_at=timezone.now())  # both were approved before activation
    world.sandbox.update_company(world.company.data, locked_salary_until=(MONDAY + timedelta(days=7)).isoformat())
    admin = client_for(world.tenant.owner)

    sent = admin.post(reverse("absence_backfill"), {"start": "2026-03-01", "end": "2026-03-31"})
    run = SyncRun.objects.get(kind="absence_backfill")
    assert sent["Location"] == reverse("absence_backfill_run", args=[run.pk])
    waiting = admin.get(sent["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "0 of 2" in waiting and "hx-get" in waiting and "<html" not in waiting

    outbox.push_due()
    done = admin.get(sent["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "2 of 2" in done and "Finished with failures" in done and "hx-get" not in done  # polling stops
    assert 'data-count="sent"' in done and 'data-count="failed"' in done
    assert "integration error log" in admin.get(sent["Location"]).content.decode()


def test_another_organizations_backfill_is_not_found(world, client_for, other_tenant):
    run = SyncRun.objects.create(organization=world.tenant.organization, kind="absence_backfill",
                                 data={"absence_ids": []})
    assert client_for(other_tenant.owner).get(reverse("absence_backfill_run", args=[run.pk])).status_code == 404
    assert client_for(world.tenant.hr_admin).get(reverse("absence_backfill_run", args=[run.pk])).status_code == 403
