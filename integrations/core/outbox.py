"""The outbox: local changes pushed to Fortnox reliably (DESIGN.md "Outbox").

    record(employee, "employee_update", {"fields": ["phone"]})   # inside the change's transaction

`record` writes an `OutboxEvent` in the caller's transaction and, on commit, enqueues `push_due`
on the job cluster; `sweep` (a one-minute django-q2 schedule) re-queues events whose worker died
and pushes whatever is due, so an event survives a lost enqueue, a crash or Fortnox being down.

Each event `kind` has one handler (`@handler("employee_update")`), called with the event and a
`FortnoxClient`; it does the request and may raise a `FortnoxError`. Transient errors (timeouts,
5xx, 429 — after the client's own retries) and anything that is not Fortnox's answer (a bug, bad
data: the traceback goes to the server log) are tried again with exponential backoff; every claim
is an attempt, also one whose worker died. After `MAX_ATTEMPTS`, or at once when Fortnox refuses,
the event fails for good: one `IntegrationError` (repeats are counted on it) an admin can retry,
and the person who made the change and the organization admins are told. A later successful
push of the same object closes the entry.
"""

import logging
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection as db_connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from integrations.fortnox.errors import FortnoxError, FortnoxNotConnected, FortnoxRateLimited, FortnoxTransientError
from organizations.actions import do_notify
from organizations.middleware import acting_user
from organizations.stored_text import StoredText

from . import hooks, personal_data
from .models import FortnoxConnection, IntegrationError, OutboxEvent
from .subjects import describe, page_of

log = logging.getLogger("integrations.outbox")

MAX_ATTEMPTS = 6
STALE_CLAIM = timedelta(minutes=10)  # longer than any push can take (the client's timeouts and retries)
PUSH_TASK = "integrations.core.outbox.push_due"
SWEEP_SCHEDULE = "Fortnox outbox sweeper"
HANDLERS = {}
FAILURE_LISTENERS = {}  # kind → called with (event, entry, tell) once an event of that kind failed for good
NOTICES = {}  # kind → (title template, body template) of what people are told when it fails for good
DEFAULT_NOTICE = ("integrations/email/push_failed_title.txt", "integrations/email/push_failed_body.txt")
COVERS = {}  # kind → covers(later, failed): does a successful `later` event make good the `failed` one?


class PushSkipped(Exception):
    """A handler found nothing to do any more (say, the employee was deleted); not an error."""


def handler(kind: str, *, on_failure=None, notice=None, covers=None):
    """Register the push function of an event kind. When an event fails for good the outbox
    tells the organization admins and whoever made the change; `on_failure(event, entry, tell)`
    lets the feature note the `IntegrationError` on its own records and `tell(users)` more people
    (once each). `notice` is the (title, body) templates they get instead of the general ones.
    `covers(later, failed)` says whether a later event that succeeded sent what a failed one had
    to; without it any later success of the object does (handlers that send it as it is now)."""
    def register(function):
        HANDLERS[kind] = function
        if on_failure is not None:
            FAILURE_LISTENERS[kind] = on_failure
        if notice is not None:
            NOTICES[kind] = notice
        if covers is not None:
            COVERS[kind] = covers
        return function

    return register


def retry_delay(attempts: int) -> timedelta:
    """2, 4, 8 … seconds after the n-th failed attempt, at most 10 minutes."""
    return timedelta(seconds=min(600, 2 ** attempts))


def record(obj, kind: str, payload: dict | None = None, *, by=None) -> OutboxEvent:
    """Promise to push a change of `obj`; call inside the transaction of the change. `by` is who
    made it (by default the user of the running request), told if Fortnox refuses it for good."""
    event = OutboxEvent.objects.create(
        organization_id=obj.organization_id, kind=kind, content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk, payload=payload or {}, acting_user=by or acting_user(),
    )
    transaction.on_commit(enqueue_push)
    return event


def enqueue_push() -> None:
    from django_q.tasks import async_task

    async_task(PUSH_TASK, group="fortnox-outbox")


def claim_next() -> OutboxEvent | None:
    """Take the oldest due event for this worker, or None. The claim is a conditional UPDATE
    (pending → processing): of two workers racing for one row only one sees "1 row updated".
    On PostgreSQL `skip_locked` lets racing workers pick different rows instead of queueing on
    the same one; SQLite has no row locks, but the project opens its transactions IMMEDIATE
    (config/settings.py), so the read and the update run under the database's write lock and
    claims are serialised anyway.

    Events of one object go out one at a time and in order: a handler sends the object's values
    as they are when it runs, so two workers pushing the same employee at once could let the
    older values arrive last. An event waits while an earlier one of its object is unfinished."""
    earlier_unfinished = OutboxEvent.objects.filter(
        content_type=OuterRef("content_type"), object_id=OuterRef("object_id"), pk__lt=OuterRef("pk"),
        status__in=[OutboxEvent.Status.PENDING, OutboxEvent.Status.PROCESSING],
    )
    in_flight = OutboxEvent.objects.filter(
        content_type=OuterRef("content_type"), object_id=OuterRef("object_id"), status=OutboxEvent.Status.PROCESSING,
    )
    while True:
        with transaction.atomic():
            due = OutboxEvent.objects.due().exclude(Exists(earlier_unfinished)).exclude(Exists(in_flight)).order_by("pk")
            if db_connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True)
            event = due.first()
            if event is None:
                return None
            claimed = OutboxEvent.objects.filter(pk=event.pk, status=OutboxEvent.Status.PENDING).update(
                status=OutboxEvent.Status.PROCESSING, claimed_at=timezone.now(), attempts=F("attempts") + 1,
            )
        if claimed:
            event.refresh_from_db()
            return event


def push_due(limit: int = 200) -> int:
    """The push task: process due events until none is left (or `limit`). Returns how many."""
    done = 0
    while done < limit and (event := claim_next()) is not None:
        process(event)
        done += 1
    return done


def sweep() -> int:
    """Every minute: the features' sweepers (e.g. user synchronisations whose job was lost are
    queued again, as the Redis broker does not), then hand back what lost its worker and push
    what is due."""
    hooks.run_sweepers()
    release_stale_claims()
    return push_due()


def release_stale_claims() -> None:
    """Events whose worker vanished go back to the queue (their claim counted as an attempt), or
    fail for good once they had all their attempts: a push that kills its worker every time must
    not be handed out for ever."""
    stale = OutboxEvent.objects.filter(status=OutboxEvent.Status.PROCESSING, claimed_at__lt=timezone.now() - STALE_CLAIM)
    for event in stale.filter(attempts__gte=MAX_ATTEMPTS).select_related("organization"):
        # Conditional, like a claim: of two sweepers only one fails it.
        if stale.filter(pk=event.pk).update(status=OutboxEvent.Status.FAILED, done_at=timezone.now()):
            with translation.override(event.organization.language):
                _fail(event, WorkerLost())
    stale.filter(attempts__lt=MAX_ATTEMPTS).update(status=OutboxEvent.Status.PENDING)


def process(event: OutboxEvent) -> None:
    # The error-log entry, run log lines and anything else a handler words are read by the
    # organization's people, not by whoever started the job cluster: write them in their language.
    with translation.override(event.organization.language):
        _process(event)


def _process(event: OutboxEvent) -> None:
    try:
        with FortnoxConnection.client_for(event.organization) as client:
            HANDLERS[event.kind](event, client)
    except PushSkipped as skipped:
        _finish(event, OutboxEvent.Status.DONE, f"skipped: {skipped}")
    except (FortnoxTransientError, FortnoxRateLimited) as error:
        _retry_or_fail(event, error)
    except FortnoxError as error:
        _fail(event, error)
    except Exception as error:
        # Not Fortnox's answer but a bug or data Brygga cannot handle (a KeyError, an
        # IntegrityError, a junk header): bounded like a transient error, so it can neither stay
        # "processing" nor hold up the object's later changes for ever.
        log.exception("outbox event %s (%s), attempt %s, raised", event.pk, event.kind, event.attempts)
        _retry_or_fail(event, error)
    else:
        _finish(event, OutboxEvent.Status.DONE, "done")
        _close_made_good(event)


def _retry_or_fail(event: OutboxEvent, error: Exception) -> None:
    if event.attempts >= MAX_ATTEMPTS:
        return _fail(event, error)
    event.status = OutboxEvent.Status.PENDING
    event.next_attempt_at = timezone.now() + retry_delay(event.attempts)
    event.last_error = _technical(error)
    event.log_attempt(f"{event.last_error} — retrying at {event.next_attempt_at:%H:%M:%S}")
    event.save(update_fields=["status", "next_attempt_at", "last_error", "attempt_log"])


def _finish(event: OutboxEvent, status, outcome: str) -> None:
    event.status, event.done_at = status, timezone.now()
    event.log_attempt(outcome)
    event.save(update_fields=["status", "done_at", "attempt_log"])


class WorkerLost(Exception):
    """The worker pushing the event stopped (every time) before it finished."""


def _technical(error: Exception) -> str:
    """For the attempt log and the server log: what raised, without a traceback (nor a personal
    identity number Fortnox's message quotes)."""
    text = str(error) if isinstance(error, FortnoxError) else f"{type(error).__name__}: {error}"
    return personal_data.without_identity_numbers(text)


def failure_message(error: Exception) -> str:
    """What a person reads about a failure, in the active language (no traceback, no class names
    beyond the one an admin can quote to support)."""
    if isinstance(error, FortnoxError):
        return personal_data.without_identity_numbers(error.user_message)
    if isinstance(error, WorkerLost):
        return _("The job sending this change stopped before it finished, %(attempts)s times. Retry it; if it stops "
                 "again, contact support.") % {"attempts": MAX_ATTEMPTS}
    return _("Brygga could not send this change because of an error on its side (%(error)s), %(attempts)s times. "
             "Retry it; if it fails again, contact support.") % {"error": type(error).__name__, "attempts": MAX_ATTEMPTS}


def _fail(event: OutboxEvent, error: Exception) -> None:
    event.last_error = _technical(error)
    _finish(event, OutboxEvent.Status.FAILED, f"gave up: {event.last_error}")
    sent = event.payload.get("sent", {})
    fortnox = isinstance(error, FortnoxError)
    entry = IntegrationError.record(
        organization_id=event.organization_id, kind=event.kind, content_type_id=event.content_type_id,
        object_id=event.object_id, subject=event.payload.get("subject") or _name_of(event), outbox_event=event,
        request_method=sent.get("method", ""), request_path=sent.get("path", ""), sent=sent.get("body", {}),
        fortnox_code="" if not fortnox or error.code is None else str(error.code),
        fortnox_message=personal_data.without_identity_numbers(error.message or str(error)) if fortnox else "",
        message=StoredText.each_language(failure_message, error),
    )
    event.failure = entry
    event.save(update_fields=["failure"])
    log.warning("outbox event %s (%s) failed for good: %s", event.pk, event.kind, event.last_error)
    if isinstance(error, FortnoxNotConnected):
        # Kept for when Fortnox is connected again (it is sent then), but told to nobody: the admins
        # were told once when the connection ended (a revoked consent, say), and the person who
        # made the change was told at once that it waits. A notice per change would be noise.
        def tell(users):
            return None
    else:
        tell = _teller(event, entry, error)
    tell([*event.organization.admins(), event.acting_user])
    if event.kind in FAILURE_LISTENERS:
        FAILURE_LISTENERS[event.kind](event, entry, tell)


def _name_of(event: OutboxEvent) -> StoredText | str:
    """The object's name as of now, for the entry to keep once the object is gone."""
    model = event.content_type.model_class()
    obj = model._default_manager.filter(pk=event.object_id).first() if model else None
    return StoredText.each_language(lambda: describe(obj)[:200]) if obj is not None else ""


def _teller(event: OutboxEvent, entry: IntegrationError, error: Exception):
    """`tell(users)`: a bell notice and an email for each (active, not yet told) user, in their own
    language, linking where they can read it. Only news is told: a failure that repeats while its
    entry stays open is counted on the entry, not told again."""
    told = set()
    title, body = NOTICES.get(event.kind, DEFAULT_NOTICE)
    # A callable: the templates call it in each recipient's language.
    context = {"event": event, "entry": entry, "reason": lambda: failure_message(error)}

    def tell(users) -> None:
        for user in users:
            if user is None or not user.is_active or user.pk in told or not entry.news:
                continue
            told.add(user.pk)
            do_notify(event.organization, [user], title_template=title, body_template=body, context=context,
                      link=error_link(user, event.organization, entry), level="error")

    return tell


def error_link(user, organization, entry: IntegrationError) -> str:
    """Where a person told of a failure goes: its error-log entry, for those who may open it
    (and retry there), else the page of the object."""
    from .error_log import may_read

    if may_read(user, organization, entry.kind):
        return f"{reverse('integration_errors')}#error-{entry.pk}"
    return page_of(entry.related_object, user, organization) if entry.related_object is not None else ""


def _close_made_good(event: OutboxEvent) -> None:
    """Failures of this object that the push just made good close themselves: those whose
    failed events (all the repeats counted on them) it covers."""
    covers = COVERS.get(event.kind, lambda later, failed: True)
    unresolved = IntegrationError.objects.unresolved().filter(
        organization_id=event.organization_id, kind=event.kind, content_type_id=event.content_type_id,
        object_id=event.object_id,
    ).prefetch_related("counted_events")
    made_good = [entry.pk for entry in unresolved if all(
        covers(event, failed) for failed in entry.counted_events.all() if failed.status == OutboxEvent.Status.FAILED)]
    if made_good:
        IntegrationError.objects.filter(pk__in=made_good).update(
            status=IntegrationError.Status.RESOLVED, resolved_at=timezone.now(), resolved_by=None,
        )


def note_request(event: OutboxEvent, method: str, path: str, body: dict, subject: str) -> None:
    """Handlers call this before sending, so a failure can show what was sent (never a token)."""
    event.payload = {**event.payload, "subject": subject, "sent": {"method": method, "path": path, "body": body}}
    event.save(update_fields=["payload"])


@transaction.atomic
def do_retry_error(error: IntegrationError, *, acting_user) -> None:
    """Queue the failed events counted on the entry again (from their first attempt, in their
    order) and mark the entry retried."""
    _queue_again(Q(pk=error.outbox_event_id) | Q(failure=error, status=OutboxEvent.Status.FAILED))
    _resolve(error, IntegrationError.Status.RETRIED, acting_user)


@transaction.atomic
def do_retry_event(event: OutboxEvent, *, acting_user) -> bool:
    """Queue a failed event again, closing its open error-log entry as that entry's Retry does.
    False when the event has not failed (a pending or running one needs no retry)."""
    if event.status != OutboxEvent.Status.FAILED:
        return False
    error = IntegrationError.objects.filter(
        Q(outbox_event=event) | Q(pk=event.failure_id), status=IntegrationError.Status.OPEN).first()
    if error is None:
        _queue_again(Q(pk=event.pk))
    else:
        do_retry_error(error, acting_user=acting_user)
    return True


def _queue_again(events: Q) -> None:
    OutboxEvent.objects.filter(events).update(
        status=OutboxEvent.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), done_at=None,
    )
    transaction.on_commit(enqueue_push)


def do_dismiss_error(error: IntegrationError, *, acting_user) -> None:
    _resolve(error, IntegrationError.Status.DISMISSED, acting_user)


def _resolve(error: IntegrationError, status, acting_user) -> None:
    error.status, error.resolved_at, error.resolved_by = status, timezone.now(), acting_user
    error.save(update_fields=["status", "resolved_at", "resolved_by"])


def ensure_sweep_schedule(**kwargs) -> None:
    """post_migrate: the sweeper's schedule exists exactly once (also after a test flush)."""
    from django_q.models import Schedule

    Schedule.objects.get_or_create(
        name=SWEEP_SCHEDULE,
        defaults={"func": "integrations.core.outbox.sweep", "schedule_type": Schedule.MINUTES, "minutes": 1, "repeats": -1},
    )
