"""A user synchronisation's job takes its run with a conditional claim, and the one-minute sweeper
gives a run whose heartbeat stopped to a new job. No job cluster runs here: two jobs at once are
two threads of this process (standing in for two workers), and what the sweeper queues (after a
real commit: transactional tests) is read from the ORM broker's queue. The end-to-end case, a
cluster SIGKILLed with either broker, is in tests/reliability/test_crash_recovery.py."""

from datetime import timedelta

from django.utils import timezone
from django_q.models import OrmQ

from integrations.core import outbox
from integrations.core.models import SyncRun
from integrations.hr_sync.apply import APPLY_TASK, MAX_ATTEMPTS, STALLED_AFTER, apply_user_sync, do_start_user_sync
from integrations.hr_sync.plan import RUN_KIND, do_plan_user_sync
from tests.support.hr_sync import create_fortnox_employee, employee
from tests.support.processes import at_once


def queued_jobs(run: SyncRun) -> int:
    return sum(1 for entry in OrmQ.objects.all() if entry.task["func"] == APPLY_TASK and entry.task["args"] == (run.pk,))


def running_run(tenant, *, heartbeat_age: timedelta, attempts: int = 1) -> SyncRun:
    """A run some job took, whose last sign of life is `heartbeat_age` old."""
    started = timezone.now() - heartbeat_age
    return SyncRun.objects.create(
        organization=tenant.organization, kind=RUN_KIND, status=SyncRun.Status.RUNNING, started_at=started,
        heartbeat_at=started, attempts=attempts, progress_total=4, progress_done=2,
        data={"plan": {"people": []}, "decisions": {}},
    )


def test_two_jobs_of_one_run_at_once_apply_it_once(activated, fortnox, tenant, sandbox, fortnox_company):
    org = tenant.organization
    for number in range(3):
        create_fortnox_employee(fortnox, EmployeeId=str(6100 + number), LastName=f"Samtidig {number}",
                                Email=f"samtidig{number}@alfa.test")
        employee(org, family_name=f"Brygga {number}", email=f"brygga{number}@alfa.test", employment_id=str(7100 + number))
    run = do_plan_user_sync(org, acting_user=None)
    do_start_user_sync(run, {"winners": {}, "fill": {}, "create": [p["key"] for p in run.data["plan"]["people"]]})
    sandbox.update_company(fortnox_company.data, fault_latency_ms=100)  # the first job is still at it when the second asks
    at_once(lambda: apply_user_sync(run.pk), 2)

    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED and run.attempts == 1, run.log
    assert (run.progress_done, run.counts["created_in_brygga"], run.counts["created_in_fortnox"]) == (6, 3, 3)
    creates = [e for e in sandbox.request_log(fortnox_company.data) if e["method"] == "POST" and e["path"].endswith("/3/employees")]
    assert len(creates) == 3 + 3  # three to arrange Fortnox, three by the run


def test_the_sweeper_leaves_a_run_whose_job_is_alive_alone(transactional_db, tenant):
    run = running_run(tenant, heartbeat_age=STALLED_AFTER - timedelta(minutes=1))

    outbox.sweep()

    run.refresh_from_db()
    assert run.status == SyncRun.Status.RUNNING and run.log == "" and queued_jobs(run) == 0


def test_a_second_job_of_a_run_whose_job_is_alive_does_nothing(tenant):
    run = running_run(tenant, heartbeat_age=timedelta(seconds=5))

    apply_user_sync(run.pk)

    run.refresh_from_db()
    assert (run.status, run.attempts, run.progress_done, run.log) == (SyncRun.Status.RUNNING, 1, 2, "")


def test_the_sweeper_queues_a_run_whose_heartbeat_stopped_once_for_a_new_job(transactional_db, tenant):
    run = running_run(tenant, heartbeat_age=STALLED_AFTER + timedelta(seconds=1))

    outbox.sweep()
    outbox.sweep()  # the next minute: the run now waits for its new job

    run.refresh_from_db()
    assert run.status == SyncRun.Status.QUEUED and queued_jobs(run) == 1
    assert "No job has reported on this synchronisation for 11 minutes: it is queued again." in run.log


def test_the_sweeper_gives_up_a_run_after_as_many_stopped_jobs_as_the_cluster_tries_a_task(transactional_db, tenant):
    run = running_run(tenant, heartbeat_age=STALLED_AFTER + timedelta(seconds=1), attempts=MAX_ATTEMPTS)

    outbox.sweep()

    run.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED and run.finished_at is not None and queued_jobs(run) == 0
    assert run.error.startswith(f"Given up after {MAX_ATTEMPTS} attempts")


def test_a_run_given_up_tells_whoever_started_it_and_the_organization_admins(transactional_db, tenant):
    """Issue 15, defect 10: it was marked failed and nobody was told."""
    from django.core import mail
    from django.urls import reverse

    from organizations.models import Membership, Notification
    from organizations.permissions import Role

    Membership.objects.filter(user=tenant.hr_admin).update(role=Role.ORG_ADMIN)  # a second admin
    run = running_run(tenant, heartbeat_age=STALLED_AFTER + timedelta(seconds=1), attempts=MAX_ATTEMPTS)
    SyncRun.objects.filter(pk=run.pk).update(started_by=tenant.owner)

    outbox.sweep()

    told = {n.user: n for n in Notification.objects.filter(organization=tenant.organization)}
    assert set(told) == {tenant.owner, tenant.hr_admin}
    assert all(n.level == "error" and n.link == reverse("hr_sync_run", args=[run.pk]) for n in told.values())
    assert {message.to[0] for message in mail.outbox} == {tenant.owner.email, tenant.hr_admin.email}
    assert "given up" in mail.outbox[0].subject and "2 of 4 people were handled" in mail.outbox[0].body
    outbox.sweep()
    assert len(mail.outbox) == 2  # told once
