"""User synchronisations run one at a time per organization, like warehouse runs: a second one
started from another tab shows the one that is going instead of overlapping it, and a plan read
before another synchronisation changed people is not applied (it would report creations it did
not make)."""

from django.urls import reverse
from django.utils import timezone

from integrations.core.models import SyncRun
from integrations.hr_sync.plan import RUN_KIND
from tests.support.hr_sync import create_fortnox_employee, review_then_apply


def planned_run(client) -> SyncRun:
    response = client.post(reverse("hr_sync"))
    assert response.status_code == 302, response.content
    return SyncRun.objects.filter(kind=RUN_KIND).order_by("-pk").first()


def start(client, run):
    """Choose, read the summary and apply; the page the answer leads to, and its address."""
    _summary, answer = review_then_apply(client, reverse("hr_sync_review", args=[run.pk]), {"all": "fortnox"})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return answer["Location"], client.get(answer["Location"])


def test_a_second_tab_starting_a_user_synchronisation_is_shown_the_running_one(activated, fortnox, tenant, client_for):
    create_fortnox_employee(fortnox, EmployeeId="3001", LastName="Ek", Email="cecilia@alfa.test")
    first_tab, second_tab = client_for(tenant.owner), client_for(tenant.owner)
    first, second = planned_run(first_tab), planned_run(second_tab)
    start(first_tab, first)  # queued: no job cluster runs here, so it stays queued (busy)

    shown, page = start(second_tab, second)

    assert shown == reverse("hr_sync_run", args=[first.pk])
    assert "A user synchronisation is already running; here it is." in page.content.decode()
    second.refresh_from_db()
    assert second.status == SyncRun.Status.ABANDONED
    assert SyncRun.objects.filter(kind=RUN_KIND, status=SyncRun.Status.QUEUED).count() == 1


def test_reading_fortnox_while_a_user_synchronisation_runs_shows_the_running_one(activated, tenant, client_for):
    client = client_for(tenant.owner)
    first = planned_run(client)
    start(client, first)

    response = client.post(reverse("hr_sync"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("hr_sync_run", args=[first.pk])
    assert SyncRun.objects.filter(kind=RUN_KIND).count() == 1


def test_a_plan_read_before_another_synchronisation_finished_is_not_applied(activated, fortnox, tenant, client_for):
    create_fortnox_employee(fortnox, EmployeeId="3001", LastName="Ek", Email="cecilia@alfa.test")
    first_tab, second_tab = client_for(tenant.owner), client_for(tenant.owner)
    first, second = planned_run(first_tab), planned_run(second_tab)
    start(first_tab, first)
    SyncRun.objects.filter(pk=first.pk).update(status=SyncRun.Status.SUCCEEDED, finished_at=timezone.now())

    shown, page = start(second_tab, second)

    assert shown == reverse("hr_sync")
    assert "Another synchronisation changed people after this one read Fortnox" in page.content.decode()
    second.refresh_from_db()
    assert second.status == SyncRun.Status.ABANDONED and "decisions" not in second.data
