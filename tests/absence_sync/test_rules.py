"""Which absences qualify, what the absence page says about those that do not, and the backfill
(no Fortnox call is needed for any of it: nothing is queued)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hr import actions as hr_actions
from integrations.absence_sync.models import AbsenceTransfer
from integrations.core.models import ExternalLink, OutboxEvent
from integrations.hr_sync.models import HrIntegrationSettings
from tests.support.absences import MONDAY, sick


def state_text(client_for, world, absence) -> str:
    return client_for(world.tenant.hr_admin).get(reverse("hr:absence_edit", args=[absence.pk])).content.decode()


@pytest.mark.parametrize("change, reason", [
    (lambda w: ExternalLink.objects.filter(kind="employee").delete(), "not linked to a Fortnox employee"),
    (lambda w: w.types["sick_leave"].fortnox_mapping.delete(), "not mapped to a Fortnox cause code"),
    (lambda w: setattr(w, "type", w.types["other"]), "mapped to “Do not transfer”"),
    (lambda w: (setattr(w.types["sick_leave"], "counts_as_work_days", False), w.types["sick_leave"].save()),
     "not counted in work days"),
    (lambda w: HrIntegrationSettings.objects.update(create_absences=False), "is off"),
    (lambda w: setattr(w, "end", None), "has no last day yet"),
])
def test_an_absence_that_does_not_qualify_is_not_queued_and_the_page_says_why(world, client_for, change, reason):
    world.type, world.end = world.types["sick_leave"], MONDAY
    change(world)
    absence = sick(world, end=world.end, absence_type=world.type)
    assert not OutboxEvent.objects.exists() and not AbsenceTransfer.objects.exists()
    page = state_text(client_for, world, absence)
    assert "Not sent to Fortnox" in page and reason in page


def test_a_requested_absence_waits_for_approval(world, client_for):
    absence = hr_actions.do_request_absence(world.anna, {"absence_type": world.types["vacation"], "start_date": MONDAY,
                                                         "end_date": MONDAY, "grade": 100, "note": ""}, acting_user=world.tenant.employee)
    assert not OutboxEvent.objects.exists() and "The absence is not approved." in state_text(client_for, world, absence)


def test_absences_approved_before_activation_wait_for_a_backfill_with_a_preview(world, client_for):
    earlier = sick(world, end=MONDAY + timedelta(days=1))  # approved after activation: queued
    HrIntegrationSettings.objects.update(activated_at=timezone.now())
    OutboxEvent.objects.all().delete()
    AbsenceTransfer.objects.all().delete()
    assert "approved before the integration was activated" in state_text(client_for, world, earlier)
    admin = client_for(world.tenant.owner)
    preview = admin.get(reverse("absence_backfill"), {"start": "2026-03-01", "end": "2026-03-31"})
    assert preview.context["preview"] == [earlier] and "1 absence would be sent" in preview.content.decode()
    assert not OutboxEvent.objects.exists()
    assert admin.get(reverse("absence_backfill"), {"start": "2026-04-01", "end": "2026-03-01"}).context["form"].errors["end"]
    response = admin.post(reverse("absence_backfill"), {"start": "2026-03-01", "end": "2026-03-31"})
    assert response.status_code == 302 and OutboxEvent.objects.count() == 1
    assert AbsenceTransfer.objects.get().backfilled_at is not None
    assert admin.get(reverse("absence_backfill"), {"start": "2026-03-01", "end": "2026-03-31"}).context["preview"] == []


def test_only_organization_admins_backfill_and_another_organizations_absence_state_is_a_404(world, client_for, other_tenant):
    absence = sick(world, end=MONDAY)
    for user in (world.tenant.hr_admin, world.tenant.manager, world.tenant.employee):
        assert client_for(user).get(reverse("absence_backfill")).status_code == 403
    assert client_for(world.tenant.employee).get(reverse("absence_fortnox_state", args=[absence.pk])).status_code == 403
    assert client_for(other_tenant.hr_admin).get(reverse("absence_fortnox_state", args=[absence.pk])).status_code == 404
    assert client_for(world.tenant.hr_admin).get(reverse("absence_fortnox_state", args=[absence.pk]),
                                                 HTTP_HX_REQUEST="true").status_code == 200


def test_the_backfill_preview_costs_the_same_queries_for_many_absences(world, client_for, django_assert_max_num_queries):
    for week in range(12):
        start = MONDAY + timedelta(weeks=week)
        sick(world, start=start, end=start + timedelta(days=2))
    HrIntegrationSettings.objects.update(activated_at=timezone.now())
    admin = client_for(world.tenant.owner)
    with django_assert_max_num_queries(14):
        response = admin.get(reverse("absence_backfill"), {"start": "2026-01-01", "end": "2026-12-31"})
    assert len(response.context["preview"]) == 12
