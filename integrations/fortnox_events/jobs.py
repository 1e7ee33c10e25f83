"""The targeted jobs an event queues: the organization's waiting events applied through the
warehouse's own importers (`integrations.warehouse_sync.importers`), by the same rules as the
scheduled pull — an order the warehouse has started on is not changed, a cancellation cancels, the
order type follows the customer (B2B/B2C), only stock goods are picked.

One job drains one organization's inbox in the order the events arrived, as one `SyncRun` of
kind "wms_events" (its log and counts read like a pull's). The listener queues the run with its
job, and events arriving while it waits join it (`queue_drains`): a burst costs a run and a job
per organization, not per event. Several events of one record become one read. A record Fortnox
announced but does not show yet is read again after 0.5, 1.2 and 2.5 s
and then left to the reconciliation, in the error log. A Fortnox failure leaves the event waiting
for the next job, at most `MAX_ATTEMPTS` times. The run's work commits before its events' status
and the organization's offset for their topics are written: a job killed in between applies the
events again, which the importers make harmless (they upsert by number and compare what they read)."""

import logging
import time
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from integrations.core import run_counts
from integrations.core.models import ExternalLink, FortnoxConnection, IntegrationError, SyncRun
from integrations.fortnox.client import CallCounter
from integrations.fortnox.errors import (
    FortnoxAuthError,
    FortnoxError,
    FortnoxNotFound,
    FortnoxValidationError,
)
from integrations.warehouse_sync import importers
from integrations.warehouse_sync.exporters import STOCK_BALANCE
from integrations.warehouse_sync.models import WarehouseSyncSettings
from integrations.warehouse_sync.tasks import WarehouseSync, busy_runs
from organizations.stored_text import StoredText, gettext_noop
from warehouse.models import Article, SalesOrder

from .models import StreamEvent, StreamOffset

log = logging.getLogger("integrations.fortnox_events")

EVENTS_RUN_KIND = "wms_events"
DRAIN_TASK = "integrations.fortnox_events.jobs.drain"
BATCH = 200  # events per run (a job); more waiting queue the next run
RETRY_DELAYS = (0.5, 1.2, 2.5)  # a record announced before Fortnox's REST read shows it
MAX_ATTEMPTS = 3  # jobs (a few seconds apart) that may meet a Fortnox failure on one event before it is given up
BUSY_RUN = timedelta(minutes=3)  # an events run older than this lost its job (a run is ≤ BATCH events)

# Each topic the listener subscribes to, and the pull it stands in for.
TOPIC_KINDS = {"articles": "articles", "customers": "customers", "suppliers": "suppliers", "orders": "orders",
               "warehouse-stockbalances": "stock"}
TOPICS = tuple(TOPIC_KINDS)


def queue_drains(organization_ids, *, sweep: bool = False, jobs_may_be_lost: bool = False) -> None:
    """Coalescing: an organization has at most one queued events run, and one job for it. Events
    that arrive while it waits join it (its job takes whatever waits when it starts), so a burst
    costs a job per organization and not one per event. A run whose job left it (the organization
    was busy) or whose job was lost gets a job again with `sweep`: from the listener's sweep, when
    its events wait too long, or from the busy run as it ends. With `jobs_may_be_lost` (a listener
    that has just taken the stream over: the one before it may have died between queuing a run and
    its job) every queued run gets a job again; a second job for a run finds it taken."""
    ids = list(dict.fromkeys(organization_ids))
    if not ids:
        return
    now = timezone.now()
    queued = {run.organization_id: run for run in SyncRun.objects.filter(
        organization_id__in=ids, kind=EVENTS_RUN_KIND, status=SyncRun.Status.QUEUED).only(
        "pk", "organization_id", "heartbeat_at", "data")}
    for organization_id in ids:
        run = queued.get(organization_id)
        with transaction.atomic():  # the run with its job, or neither (see `_queue_job`)
            if run is None:
                run = SyncRun.objects.create(organization_id=organization_id, kind=EVENTS_RUN_KIND,
                                             trigger=SyncRun.Trigger.PUSH, heartbeat_at=now)
            elif not (sweep and (jobs_may_be_lost or run.data.get("left") or run.heartbeat_at is None
                                 or run.heartbeat_at < now - BUSY_RUN)):
                continue  # its job is on the way
            elif not SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.QUEUED).update(heartbeat_at=now, data={}):
                continue  # taken meanwhile
            _queue_job(organization_id, run.pk)


def _queue_job(organization_id: int, run_id: int) -> None:
    """Within the transaction that queues the run. With the database as the job broker the job is
    written in that transaction, so a process killed in between leaves neither; with Redis it is
    sent once the run is committed (a job sent first could start before its run is visible), and
    a listener killed in between leaves a queued run with no job, which the next listener's first
    sweep gives one (`jobs_may_be_lost`)."""
    from django.conf import settings
    from django_q.tasks import async_task

    def send():
        async_task(DRAIN_TASK, organization_id, run_id, group="fortnox-events", q_options={"max_attempts": 1})

    if settings.Q_CLUSTER.get("orm"):
        send()
    else:
        transaction.on_commit(send)


def pending(organization_id: int):
    return StreamEvent.objects.filter(organization_id=organization_id, status=StreamEvent.Status.PENDING)


def drain(organization_id: int, run_id: int | None = None) -> str:
    """The job: one run over the organization's waiting events (at most `BATCH`; more waiting
    queue the next run, behind the other organizations' jobs)."""
    run = _claim(organization_id, run_id)
    if run is None:
        return "busy, taken or nothing to do"
    with translation.override(run.organization.language or None):
        went_on = _apply(run)
    if not went_on:
        return "fortnox failed; the listener queues the job again"
    if pending(organization_id).exists():
        # A run that found this one busy waits queued: its job now, not at the listener's sweep.
        queue_drains([organization_id], sweep=True)
        return "more queued"
    return "done"


def _claim(organization_id: int, run_id: int | None) -> SyncRun | None:
    """The queued run, now running; None when another run of the organization is busy (the run
    stays queued and the listener's sweep gives it a job again), when another job took it, or when
    nothing waits (its events went with the run before it: it is deleted, it did nothing).
    Without `run_id` (a job queued before runs were queued with it, a test) the organization's
    queued run, or a new one."""
    if run_id is None:
        queued = SyncRun.objects.filter(organization_id=organization_id, kind=EVENTS_RUN_KIND,
                                        status=SyncRun.Status.QUEUED).values_list("pk", flat=True).first()
        run_id = queued or SyncRun.objects.create(organization_id=organization_id, kind=EVENTS_RUN_KIND,
                                                  trigger=SyncRun.Trigger.PUSH, heartbeat_at=timezone.now()).pk
    with transaction.atomic():
        # The settings row is the organization's lock, as for queuing a pull.
        WarehouseSyncSettings.objects.select_for_update().get_or_create(organization_id=organization_id)
        run = SyncRun.objects.select_related("organization").filter(
            pk=run_id, status=SyncRun.Status.QUEUED).first()
        if run is None:
            return None
        busy = SyncRun.objects.filter(organization_id=organization_id, kind=EVENTS_RUN_KIND,
                                      status=SyncRun.Status.RUNNING, created_at__gte=timezone.now() - BUSY_RUN)
        if busy.exists() or busy_runs(run.organization).exists():
            SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(data={"left": True})
            return None
        if not pending(organization_id).exists():
            run.delete()
            return None
        if not SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(status=SyncRun.Status.RUNNING):
            return None
    return run


def _apply(run: SyncRun) -> bool:
    """One run over the waiting events; False when Fortnox failed on one (they wait for a later job)."""
    organization = run.organization
    events = list(pending(organization.pk).order_by("pk")[:BATCH])
    run.start(len(events))
    settings = WarehouseSyncSettings.get_or_create_for(organization)
    counter = CallCounter()
    try:
        client = FortnoxConnection.client_for(organization, call_counter=counter)
    except FortnoxAuthError as error:  # not connected any more: the listener removes the tenant
        _settle([(events, StreamEvent.Status.LEFT)])
        run.finish(SyncRun.Status.FAILED, error=StoredText.each_language(lambda e=error: e.user_message))
        return False
    # Several events of one record: one read, after the last of them.
    groups: dict[tuple[str, str], list[StreamEvent]] = {}
    for event in events:
        groups.setdefault((event.topic, event.entity_id), []).append(event)
    ordered = sorted(groups.values(), key=lambda group: group[-1].pk)
    status, went_on, settled = None, True, []
    with client:
        sync = WarehouseSync(run, settings, client, counter)
        for group in ordered:
            try:
                outcome = _apply_event(sync, group[-1])
            except FortnoxAuthError as error:
                _record(sync, group[-1], error, StoredText.each_language(lambda e=error: e.user_message))
                status = SyncRun.Status.FAILED
                break
            if outcome is None:  # Fortnox failed: the events wait for the next job, a few times
                outcome = _attempted(group)
                went_on = False
            if outcome is not None:
                settled.append((group, outcome))
            run.progress_done += len(group)
            sync.progress()
        sync.progress(force=True)
    _settle(settled)
    run.append_log(StoredText(gettext_noop("Done: %(calls)s Fortnox calls."), calls=counter.total))
    run.finish(status)
    return went_on and status is None


def _apply_event(sync: WarehouseSync, event: StreamEvent) -> str | None:
    """The event's status once its work is committed; None when Fortnox failed (try later)."""
    kind = TOPIC_KINDS.get(event.topic)
    settings = sync.settings
    flags = {"articles": settings.pull_articles, "customers": settings.pull_customers,
             "suppliers": settings.pull_suppliers, "orders": settings.pull_orders,
             # In classic mode Brygga keeps the stock and writes it to Fortnox, and no pull reads
             # Fortnox's: a stock event (often that write coming back) has nothing to read.
             "stock": settings.use_warehouse_module and bool(settings.fortnox_warehouse_module)}
    if kind is None or not settings.active or not flags[kind] or not event.entity_id:
        return StreamEvent.Status.IGNORED
    if event.type.endswith("-deleted-v1"):
        # The warehouse keeps a record Fortnox deleted (orders and stock name it); the
        # reconciliation no longer lists it.
        sync.run.append_log(StoredText(gettext_noop("%(kind)s %(number)s: deleted in Fortnox; kept in Brygga."),
                                       kind=run_counts.subject_label(kind), number=event.entity_id))
        return StreamEvent.Status.IGNORED
    for attempt, delay in enumerate((*RETRY_DELAYS, None)):
        try:
            outcome = IMPORTS[kind](sync, event.entity_id)
        except FortnoxNotFound as error:
            if delay is None:
                _record(sync, event, error, StoredText(gettext_noop(
                    "Fortnox announced a change but does not show it yet; the next reconciliation reads it "
                    "(at the latest in %(hours)s hours)."), hours=_reconcile_hours()))
                return StreamEvent.Status.LEFT
            time.sleep(delay)
        except IntegrityError:
            # A pull created the same record at the same moment: read it again, as an update.
            if attempt:
                raise
            sync = WarehouseSync(sync.run, sync.settings, sync.client, sync.counter)
        except (ValueError, FortnoxValidationError) as error:
            sync.skip_record(kind if kind != "stock" else "articles", event.entity_id, error)
            return StreamEvent.Status.FAILED
        except FortnoxAuthError:
            raise
        except FortnoxError as error:
            _record(sync, event, error, StoredText.each_language(lambda e=error: e.user_message))
            return None
        else:
            if outcome:
                sync.count(f"{kind}_{outcome}")
            return StreamEvent.Status.DONE
    return StreamEvent.Status.LEFT  # not reached


def _reconcile_hours():
    from django.conf import settings

    return settings.FORTNOX_EVENTS_RECONCILE_HOURS


# --- what each topic reads --------------------------------------------------------------------


def _article(sync, number: str) -> str:
    return importers.save_article(sync, number)[1]


def _customer(sync, number: str) -> str:
    return importers.save_customer(sync, number)[1]


def _supplier(sync, number: str) -> str:
    return importers.save_supplier(sync, number)[1]


def _order(sync, number: str) -> str | None:
    link = ExternalLink.links_for(sync.organization, importers.ORDER_LINK, SalesOrder).filter(external_id=number).first()
    return importers.import_order(sync, number, link)


def _stock(sync, number: str) -> str | None:
    """A stock balance changed in Fortnox (with the warehouse module; classic mode ignores it, see
    `_apply_event`). Both keep it: the article's balance is compared, as the run's stock
    comparison does, and a difference said."""
    article = Article.objects.for_organization(sync.organization).filter(article_number=number,
                                                                         is_stock_article=True).first()
    if article is None:
        return None
    in_fortnox = sum((importers.quantity(balance, "inStock")
                      for balance in sync.client.get(STOCK_BALANCE, params={"itemIds": number}) or []
                      if balance.get("itemId") == number), start=importers.Decimal(0))
    in_brygga = sum((balance.quantity for balance in article.balances.all()), start=importers.Decimal(0))
    if in_fortnox == in_brygga:
        return "unchanged"
    sync.warn(StoredText(gettext_noop("Article %(article)s: %(brygga)s in stock in Brygga, %(fortnox)s in Fortnox."),
                         article=number, brygga=f"{in_brygga.normalize():f}", fortnox=f"{in_fortnox.normalize():f}"))
    return "different"


IMPORTS = {"articles": _article, "customers": _customer, "suppliers": _supplier, "orders": _order, "stock": _stock}


# --- bookkeeping ------------------------------------------------------------------------------


def _settle(settled: list[tuple[list[StreamEvent], str]]) -> None:
    """The run's work is committed (each record's in its own transaction): its events marked, in
    one transaction with the organization's committed offset of each of their topics, moved
    forward to the last event before which none of the topic's events still waits. A job killed
    before this applies the events again, which the importers make harmless."""
    if not settled:
        return
    now = timezone.now()
    by_status: dict[str, list[int]] = {}
    for group, status in settled:
        by_status.setdefault(status, []).extend(event.pk for event in group)
    organization_id = settled[0][0][0].organization_id
    with transaction.atomic():
        for status, pks in by_status.items():
            StreamEvent.objects.filter(pk__in=pks).update(status=status, done_at=now)
        for topic in dict.fromkeys(group[0].topic for group, _status in settled):
            _advance(organization_id, topic, now)


def _advance(organization_id: int, topic: str, now) -> None:
    events = StreamEvent.objects.filter(organization_id=organization_id, topic=topic)
    first_waiting = events.filter(status=StreamEvent.Status.PENDING).order_by("pk").values_list("pk", flat=True).first()
    settled = events.exclude(status=StreamEvent.Status.PENDING)
    if first_waiting is not None:
        settled = settled.filter(pk__lt=first_waiting)
    last = settled.order_by("-pk").values_list("offset", flat=True).first()
    if last is not None:
        StreamOffset.objects.update_or_create(organization_id=organization_id, topic=topic,
                                              defaults={"offset": last, "committed_at": now})


def _attempted(group: list[StreamEvent]) -> str | None:
    """Fortnox failed on the group's record: its events wait for the next job (None), until they
    have met `MAX_ATTEMPTS` failures; then they are given up (the error log has each failure)."""
    attempts = max(event.attempts for event in group) + 1
    if attempts >= MAX_ATTEMPTS:
        return StreamEvent.Status.FAILED
    StreamEvent.objects.filter(pk__in=[event.pk for event in group]).update(attempts=attempts)
    return None


def _record(sync: WarehouseSync, event: StreamEvent, error, message: StoredText) -> None:
    """In the run's log and the error log, by the record's kind and number."""
    kind = TOPIC_KINDS.get(event.topic, event.topic)
    label_kind = "articles" if kind == "stock" else kind
    subject = StoredText.each_language(lambda: f"{run_counts.subject_label(label_kind)} {event.entity_id}")
    sync.count("failed")
    sync.run.append_log(StoredText.each_language(lambda: f"{subject}: {message}"))
    IntegrationError.record(
        organization_id=sync.organization.pk, kind=f"{EVENTS_RUN_KIND}_{label_kind}", subject=subject,
        sync_run=sync.run, message=message,
        fortnox_code="" if error is None or getattr(error, "code", None) is None else str(error.code),
        fortnox_message=str(error) if error is not None else "",
    )


def purge_settled(days: int = 15) -> int:
    """Applied events older than Fortnox's replay window (two weeks) go; a replay never reaches them."""
    return StreamEvent.objects.exclude(status=StreamEvent.Status.PENDING).filter(
        done_at__lt=timezone.now() - timedelta(days=days)).delete()[0]


