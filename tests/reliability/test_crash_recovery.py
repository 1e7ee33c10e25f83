"""A job cluster SIGKILLed in the middle of an outbox drain and of a user synchronisation (with the
ORM broker, which hands the lost job out again, and with Redis, which loses it): after a restart
the system converges, with nothing lost and nothing doubled. Time is compressed where the product
waits on purpose (the outbox's stale-claim timeout, a run's heartbeat, django-q2's `retry`, the
sweeper's minute), by moving those clocks, never by calling the product's functions directly."""

from datetime import timedelta

import pytest
from django.utils import timezone

from devtools.chaos import HrChaos
from hr import actions as hr_actions
from hr.models import Employee
from integrations.core import outbox
from integrations.core.models import OutboxEvent, SyncRun
from integrations.hr_sync import apply as hr_sync
from integrations.hr_sync.plan import do_plan_user_sync
from tests.support.processes import as_web_machine, redeliver_lost_tasks, wait_for

pytestmark = pytest.mark.slow

PEOPLE = 16
REDIS_URL = "redis://127.0.0.1:6379/14"  # for the `broker` fixture's Redis set-up


def fortnox_employees(sandbox, company) -> list[dict]:
    return [record["document"] for record in sandbox.records(company.data, "employees")]


def test_a_cluster_killed_mid_drain_pushes_every_change_exactly_once_after_a_restart(
        creating_employees, tenant, sandbox, fortnox_company, clusters):
    org = tenant.organization
    sandbox.update_company(fortnox_company.data, fault_latency_ms=250)  # each push takes a while
    for number in range(PEOPLE):
        hr_actions.do_create_employee(org, {
            "given_name": "Krasch", "family_name": f"Test {number}", "email": f"krasch{number}@alfa.test",
            "employment_id": str(5000 + number),
        }, acting_user=None)
    events = OutboxEvent.objects.filter(organization=org)
    cluster = clusters().start()
    wait_for(lambda: events.filter(status="done").count() >= 3 and events.filter(status="processing").exists(),
             what="the drain to be under way")
    cluster.kill()

    assert events.exclude(status="done").exists(), "the drain had finished before the kill"
    stranded = list(events.filter(status="processing").values_list("pk", flat=True))
    assert stranded, "no event was held by the killed worker"
    sandbox.update_company(fortnox_company.data, fault_latency_ms=0)
    events.filter(pk__in=stranded).update(claimed_at=timezone.now() - outbox.STALE_CLAIM - timedelta(seconds=1))
    redeliver_lost_tasks()
    clusters().start()
    from django_q.tasks import async_task

    async_task("integrations.core.outbox.sweep")  # the sweeper's schedule comes round (its minute compressed)
    wait_for(lambda: not events.exclude(status="done").exists(), what="every event to be pushed")

    documents = fortnox_employees(sandbox, fortnox_company)
    assert sorted(d["EmployeeId"] for d in documents) == [str(5000 + n) for n in range(PEOPLE)]
    assert HrChaos(org, sandbox, fortnox_company.data).disagreements() == []


def test_a_cluster_killed_mid_user_sync_finishes_the_run_after_a_restart_without_doubles(
        broker, activated, fortnox, tenant, sandbox, fortnox_company, clusters):
    org = tenant.organization
    for number in range(PEOPLE // 2):
        fortnox.post("/3/employees", {"Employee": {"EmployeeId": str(6000 + number), "FirstName": "Från",
                                                   "LastName": f"Fortnox {number}", "Email": f"fran{number}@alfa.test"}})
        Employee.objects.create(organization=org, given_name="Från", family_name=f"Brygga {number}",
                                email=f"brygga{number}@alfa.test", employment_id=str(7000 + number))
    run = do_plan_user_sync(org, acting_user=None)
    create = [p["key"] for p in run.data["plan"]["people"] if p["section"] in ("only_fortnox", "only_brygga")]
    sandbox.update_company(fortnox_company.data, fault_latency_ms=300)
    cluster = clusters(**broker).start()
    # Started on a "web machine" of the same set-up, so with Redis the job is queued on Redis.
    as_web_machine(f"""
from integrations.hr_sync.apply import do_start_user_sync
from integrations.core.models import SyncRun
do_start_user_sync(SyncRun.objects.get(pk={run.pk}), {{"winners": {{}}, "fill": {{}}, "create": {create!r}}})
""", **broker)
    wait_for(lambda: SyncRun.objects.get(pk=run.pk).progress_done >= 3, what="the run to be under way")
    cluster.kill()

    run.refresh_from_db()
    assert run.status == SyncRun.Status.RUNNING and run.progress_done < PEOPLE
    sandbox.update_company(fortnox_company.data, fault_latency_ms=0)
    SyncRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - hr_sync.STALLED_AFTER - timedelta(seconds=1))
    redeliver_lost_tasks()  # with the ORM broker; the Redis broker lost the job with the cluster
    clusters(**broker).start()
    as_web_machine('from django_q.tasks import async_task; async_task("integrations.core.outbox.sweep")', **broker)
    wait_for(lambda: SyncRun.objects.get(pk=run.pk).is_finished, what="the run to finish")

    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, run.log
    assert "Resumed" in run.log
    assert Employee.objects.filter(organization=org).count() == PEOPLE
    assert len(fortnox_employees(sandbox, fortnox_company)) == PEOPLE
    assert HrChaos(org, sandbox, fortnox_company.data).disagreements() == []
