"""Scale-out: the job cluster as several `qcluster` processes (standing in for several machines)
sharing PostgreSQL, with the ORM broker and with the Redis broker. 60 organizations on
15-minute warehouse schedules: time is compressed by making every schedule due now, twice (two
slots); each organization's run must happen once per slot, never twice and never overlapping.
And one Fortnox connection pushed to by every cluster at once stays within its rate limit."""

import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection as db
from django.db.models.signals import pre_save
from django.utils import timezone

from devtools.benchmarks.reliability import connect_warehouse_organizations
from integrations.core.models import OutboxEvent, SyncRun
from integrations.warehouse_sync.tasks import RUN_KIND
from tests.support.processes import as_web_machine, wait_for

# Waits for two slots of runs across three clusters (up to 240 s each by its own deadline).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900), pytest.mark.skipif(
    db.vendor != "postgresql",
    reason="Many organizations' schedules taken by several clusters at once is the PostgreSQL set-up (SQLite has one "
           "writer at a time across processes); CI runs this in its PostgreSQL pass",
)]

# Three clusters of two workers each contend for every slot's schedules; how many organizations one
# machine serves is the capacity benchmark's question (./brygga bench), not this test's.
ORGANIZATIONS = 60
CLUSTERS = 3
PUSHES = 25  # a GET and a POST each: 50 calls on one connection (two windows of its limit), over three clusters at once
REDIS_URL = "redis://127.0.0.1:6379/15"  # for the `broker` fixture's Redis set-up


@contextmanager
def new_schedules_not_yet_due():
    """Schedules made meanwhile (in this process) start a day ahead instead of now, so no slot
    begins while the organizations are still connecting: each slot starts at `make_slot_due`."""
    from django_q.models import Schedule

    def a_day_ahead(sender, instance, **kwargs):
        if instance.pk is None:
            instance.next_run = timezone.now() + timedelta(days=1)

    pre_save.connect(a_day_ahead, sender=Schedule, weak=False, dispatch_uid="scale-out-not-yet-due")
    try:
        yield
    finally:
        pre_save.disconnect(sender=Schedule, dispatch_uid="scale-out-not-yet-due")


def make_slot_due() -> None:
    from django_q.models import Schedule

    Schedule.objects.filter(func__endswith="scheduled_sync").update(next_run=timezone.now())


def runs_by_organization() -> dict[int, list[SyncRun]]:
    grouped = defaultdict(list)
    for run in SyncRun.objects.filter(kind=RUN_KIND).order_by("created_at"):
        grouped[run.organization_id].append(run)
    return grouped


def finished_runs(expected: int):
    return lambda: SyncRun.objects.filter(kind=RUN_KIND, status__in=SyncRun.FINISHED).count() >= expected


def test_many_organizations_on_several_clusters_run_once_per_slot_never_twice_and_never_overlapping(
        broker, sandbox, clusters):
    # Each organization its own sandbox company (one Fortnox company, one organization) and token.
    # Every cluster looks for due schedules every second (not django-q2's ~30 s), so all three
    # contend for each slot as soon as it is due.
    for _ in range(CLUSTERS):
        clusters(schedules_checked_often=True, **broker).start()
    with new_schedules_not_yet_due():
        organizations = connect_warehouse_organizations(sandbox.url, ORGANIZATIONS, kinds=["articles"])
    make_slot_due()
    wait_for(finished_runs(ORGANIZATIONS), seconds=240, what="the first slot")
    make_slot_due()
    wait_for(finished_runs(2 * ORGANIZATIONS), seconds=240, what="the second slot")

    runs = runs_by_organization()
    assert sorted(runs) == sorted(o.pk for o in organizations)
    for organization_id, (first, second, *more) in runs.items():
        assert not more, f"organization {organization_id} ran {2 + len(more)} times in two slots"
        assert first.status == second.status == SyncRun.Status.SUCCEEDED, first.log + second.log
        assert first.finished_at <= second.started_at, f"organization {organization_id}'s runs overlapped"
        assert first.api_calls == second.api_calls == 1 + 1  # an idle run: the warehouse mode, one call per enabled kind


def test_one_connection_pushed_to_by_several_clusters_at_once_never_exceeds_its_rate_limit(
        broker, creating_employees, tenant, sandbox, fortnox_company, clusters):
    if broker:
        # Connecting spent part of this connection's budget through this process's database limiter,
        # which a Redis set-up's limiter cannot see (a real set-up has one backend): let it lapse.
        # The ORM set-up's clusters share that limiter, so they see it.
        time.sleep(settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS)
    for _ in range(CLUSTERS):
        clusters(**broker).start()
    # People are added on a "web machine" of the same set-up, so the pushes are queued on its broker.
    as_web_machine(f"""
from hr import actions
from organizations.models import Organization
organization = Organization.objects.get(pk={tenant.organization.pk})
for number in range({PUSHES}):
    actions.do_create_employee(organization, {{"given_name": "Skala", "family_name": f"Ut {{number}}",
        "email": f"skala{{number}}@alfa.test", "employment_id": str(8000 + number)}}, acting_user=None)
""", **broker)
    events = OutboxEvent.objects.filter(organization=tenant.organization)
    wait_for(lambda: not events.exclude(status="done").exists(), seconds=120, what="every push")

    log = sandbox.request_log(fortnox_company.data)
    assert len([entry for entry in log if "employees" in entry["path"]]) >= 2 * PUSHES
    assert not [entry for entry in log if entry["status"] == 429]
