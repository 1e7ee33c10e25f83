"""Defect 5 of issue 15: a handler raising anything but a FortnoxError left its event
"processing" for ever — the sweeper handed it back every ten minutes without counting, it never
reached the error log, and every later change of its object waited behind it."""

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone
from django_q.models import Task
from django_q.tasks import async_task

from integrations.core import outbox
from integrations.core.models import IntegrationError, OutboxEvent
from tests.support.hr_sync import due_now, employee

pytestmark = pytest.mark.usefixtures("activated")


def push_through_django_q() -> None:
    """The push task as the job cluster runs it (django-q2's worker, in this process)."""
    task_id = async_task(outbox.PUSH_TASK, sync=True)
    assert Task.objects.get(id=task_id).success, Task.objects.get(id=task_id).result


def test_a_handler_raising_runtime_error_ends_as_one_error_log_entry_after_max_attempts(tenant, broken_handler, caplog):
    kind = broken_handler(RuntimeError("the handler has a bug"))
    event = outbox.record(employee(tenant.organization), kind, by=tenant.hr_admin)
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        due_now()
        push_through_django_q()
        event.refresh_from_db()
        assert event.attempts == attempt
        if attempt < outbox.MAX_ATTEMPTS:
            assert event.status == OutboxEvent.Status.PENDING and not IntegrationError.objects.exists()
    assert event.status == OutboxEvent.Status.FAILED
    entry = IntegrationError.objects.get()
    assert entry.outbox_event == event and entry.occurrences == 1 and entry.about == "Anna Berg"
    assert "an error on its side (RuntimeError)" in entry.message and "Traceback" not in entry.message
    assert entry.fortnox_code == "" and entry.fortnox_message == ""
    logged = [record for record in caplog.records if record.name == "integrations.outbox" and record.exc_info]
    assert len(logged) == outbox.MAX_ATTEMPTS  # each attempt's traceback is in the server log
    due_now()
    push_through_django_q()
    assert IntegrationError.objects.count() == 1 and OutboxEvent.objects.get().attempts == outbox.MAX_ATTEMPTS


@pytest.mark.parametrize("exception", [
    ValueError("invalid literal for int() with base 10: 'soon'"),  # a junk Retry-After header
    KeyError("EmployeeId"), IntegrityError("UNIQUE constraint failed"), RuntimeError("boom"),
], ids=["ValueError", "KeyError", "IntegrityError", "RuntimeError"])
def test_any_exception_counts_as_an_attempt_and_is_retried_with_backoff(tenant, broken_handler, exception):
    event = outbox.record(employee(tenant.organization), broken_handler(exception))
    assert outbox.push_due() == 1
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.PENDING and event.attempts == 1
    assert event.next_attempt_at > timezone.now() and type(exception).__name__ in event.last_error
    assert outbox.push_due() == 0  # not before its backoff


def test_a_later_change_of_the_object_goes_out_once_the_poison_event_failed(tenant, broken_handler, recording_handler):
    anna = employee(tenant.organization)
    poison = outbox.record(anna, broken_handler(KeyError("Email")))
    later = outbox.record(anna, "test_ok")
    for _attempt in range(outbox.MAX_ATTEMPTS):
        assert recording_handler == []  # in order: the later change waits while the first may still go out
        due_now()
        outbox.push_due()
    poison.refresh_from_db()
    assert poison.status == OutboxEvent.Status.FAILED and recording_handler == [later.pk]


def test_the_sweeper_counts_a_worker_that_died_and_fails_the_event_after_its_last_attempt(tenant, recording_handler):
    """A push whose worker dies every time (say, killed for memory) is claimed, abandoned and
    handed back by the sweeper: each claim is an attempt, and the last one fails it for good."""
    event = outbox.record(employee(tenant.organization), "test_ok", by=tenant.hr_admin)
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        assert outbox.claim_next() == event  # a worker takes it ... and dies
        OutboxEvent.objects.filter(pk=event.pk).update(claimed_at=timezone.now() - outbox.STALE_CLAIM - timedelta(seconds=1))
        outbox.release_stale_claims()
        event.refresh_from_db()
        assert event.attempts == attempt
        expected = OutboxEvent.Status.FAILED if attempt == outbox.MAX_ATTEMPTS else OutboxEvent.Status.PENDING
        assert event.status == expected
    entry = IntegrationError.objects.get()
    assert "stopped before it finished" in entry.message and entry.about == "Anna Berg"
    outbox.sweep()
    assert IntegrationError.objects.count() == 1 and OutboxEvent.objects.get().status == OutboxEvent.Status.FAILED
    assert recording_handler == []
