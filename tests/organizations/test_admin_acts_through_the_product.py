"""The Django admin's actions instead of raw edits (issue 24, item 5): a failed outbox event or
error-log entry is retried through the product's retry, a running synchronisation is cancelled
without a second run overlapping it or the first writing its status back, and a Fortnox
connection is disconnected the product's way (revoked at Fortnox). Against the sandbox over real
HTTP where Fortnox is part of it."""

import time
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from integrations.core import outbox
from integrations.core.models import FortnoxConnection, IntegrationError, OutboxEvent, RunCancelled, SyncRun
from integrations.fortnox import oauth
from integrations.hr_sync.apply import apply_user_sync
from integrations.warehouse_sync.tasks import RUN_KIND as WAREHOUSE, do_queue_sync, execute_run
from organizations.models import Organization, User
from tests.support.absences import MONDAY, sick, week


@pytest.fixture
def root(db, client_for):
    return client_for(User.objects.create_superuser(email="root@brygga.test", password="pw-for-tests-1"))


def act(client, model, action, *rows):
    """Choose rows on the admin's list and run an action on them, as a browser does."""
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return client.post(changelist, {"action": action, "index": 0, "_selected_action": [row.pk for row in rows]}, follow=True)


def messages_of(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


@pytest.mark.slow
def test_a_failed_outbox_event_is_retried_from_the_admin_and_then_reaches_fortnox(world, root):
    world.sandbox.update_company(world.company.data, locked_salary_until=(MONDAY + timedelta(days=20)).isoformat())
    sick(world, end=MONDAY + timedelta(days=1))
    outbox.push_due()
    event = OutboxEvent.objects.get(kind="absence_sync")
    entry = IntegrationError.objects.get(outbox_event=event)
    assert event.status == OutboxEvent.Status.FAILED and entry.status == IntegrationError.Status.OPEN

    world.sandbox.update_company(world.company.data, locked_salary_until=None)  # the cause, fixed in Fortnox
    response = act(root, OutboxEvent, "retry", event)
    assert "1 of 1 retried" in messages_of(response)
    entry.refresh_from_db()
    assert entry.status == IntegrationError.Status.RETRIED and entry.resolved_by.email == "root@brygga.test"
    outbox.push_due()
    assert world.transactions() == week(days=2)
    assert "0 of 1 retried" in messages_of(act(root, OutboxEvent, "retry", event))  # done: nothing to retry


def test_an_open_error_log_entry_is_retried_from_the_admin_like_its_retry_button(tenant, root):
    event = OutboxEvent.objects.create(organization=tenant.organization, kind="employee_update",
                                       content_type=ContentType.objects.get_for_model(Organization),
                                       object_id=tenant.organization.pk, status=OutboxEvent.Status.FAILED, attempts=5)
    entry = IntegrationError.objects.create(organization=tenant.organization, kind="employee_update", outbox_event=event,
                                            message="Fortnox refused the change")
    assert "1 of 1 retried" in messages_of(act(root, IntegrationError, "retry", entry))
    event.refresh_from_db()
    entry.refresh_from_db()
    assert (event.status, event.attempts, entry.status) == (OutboxEvent.Status.PENDING, 0, IntegrationError.Status.RETRIED)


def test_a_running_sync_cancelled_in_the_admin_blocks_a_second_run_until_its_job_stops_and_ends_cancelled(tenant, root):
    run = do_queue_sync(tenant.organization, trigger=SyncRun.Trigger.MANUAL)
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.RUNNING)  # what the job's claim does
    run.refresh_from_db()
    run.start(3)  # the job, working

    assert "1 run(s) are stopping" in messages_of(act(root, SyncRun, "cancel", run))
    assert SyncRun.objects.get(pk=run.pk).status == SyncRun.Status.RUNNING
    assert do_queue_sync(tenant.organization, trigger=SyncRun.Trigger.SCHEDULED) is None  # no overlap meanwhile

    time.sleep(SyncRun.CANCEL_CHECK_SECONDS)  # a job looks at most this often
    with pytest.raises(RunCancelled):  # the job's next report
        run.advance()
    run.finish()  # a job that finishes anyway does not write its own status back
    run.refresh_from_db()
    assert run.status == SyncRun.Status.ABANDONED and run.error == "Cancelled in the Django admin by root@brygga.test."
    assert run.progress_done == 0 and run.finished_at is not None
    assert do_queue_sync(tenant.organization, trigger=SyncRun.Trigger.SCHEDULED) is not None  # now a new one may start


def test_a_queued_sync_cancelled_in_the_admin_ends_at_once_and_no_job_takes_it(tenant, root):
    run = do_queue_sync(tenant.organization, trigger=SyncRun.Trigger.MANUAL)
    users = SyncRun.objects.create(organization=tenant.organization, kind="hr_users", status=SyncRun.Status.QUEUED)
    assert "2 run(s) cancelled" in messages_of(act(root, SyncRun, "cancel", run, users))
    assert execute_run(run.pk) == "already taken" and apply_user_sync(users.pk) is None
    assert set(SyncRun.objects.values_list("status", flat=True)) == {SyncRun.Status.ABANDONED}
    assert "already finished" in messages_of(act(root, SyncRun, "cancel", run))


def test_a_job_that_takes_its_run_as_the_cancel_arrives_stops_before_calling_fortnox(tenant):
    run = do_queue_sync(tenant.organization, trigger=SyncRun.Trigger.MANUAL)
    SyncRun.objects.filter(pk=run.pk).update(cancel_requested_at=timezone.now(), error="Cancelled.")
    assert execute_run(run.pk) is None  # stopped quietly: no client was made, nothing was pulled
    run.refresh_from_db()
    assert (run.status, run.api_calls, run.log) == (SyncRun.Status.ABANDONED, 0, "")


def test_a_running_sync_whose_job_was_lost_is_cancelled_at_once(tenant, root):
    run = SyncRun.objects.create(organization=tenant.organization, kind=WAREHOUSE, status=SyncRun.Status.RUNNING,
                                 heartbeat_at=timezone.now() - SyncRun.LOST_AFTER - timedelta(minutes=1))
    assert "1 run(s) cancelled" in messages_of(act(root, SyncRun, "cancel", run))
    assert SyncRun.objects.get(pk=run.pk).status == SyncRun.Status.ABANDONED


def test_an_absence_transfers_run_is_not_cancelled_in_the_admin(tenant, root):
    run = SyncRun.objects.create(organization=tenant.organization, kind="absence_transfer", status=SyncRun.Status.RUNNING)
    assert "only show an absence's transfer" in messages_of(act(root, SyncRun, "cancel", run))
    assert SyncRun.objects.get(pk=run.pk).cancel_requested_at is None


def test_disconnecting_in_the_admin_revokes_brygga_s_access_at_fortnox(connection, root):
    old_refresh_token = connection.refresh_token
    response = act(root, FortnoxConnection, "disconnect", connection)
    assert "Fortnox is disconnected and Brygga's access was revoked." in messages_of(response)
    connection.refresh_from_db()
    assert connection.status == FortnoxConnection.Status.DISCONNECTED and connection.refresh_token == ""
    with pytest.raises(oauth.FortnoxOAuthError) as refused:
        oauth.refresh(old_refresh_token)
    assert refused.value.error == "invalid_grant"
