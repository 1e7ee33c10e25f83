"""The warehouse synchronisation run: pulls of every enabled kind, then (classic mode) the stock
write-back, as one `SyncRun`. Started by a django-q2 schedule per organization (`catch_up` is off
for the cluster) or by "Sync now"; a run never starts while another one of the organization is
queued or running."""

import logging
import time
from datetime import timedelta
from functools import cached_property

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.core import run_counts
from integrations.core.jobs import in_organization_language
from integrations.core.models import FortnoxConnection, IntegrationError, SyncRun
from integrations.fortnox.client import CallCounter, FortnoxClient
from integrations.fortnox.errors import FortnoxAuthError, FortnoxError, FortnoxMissingScope, FortnoxNoLicence
from integrations.fortnox.values import cursor_value
from organizations.stored_text import StoredText, gettext_noop
from warehouse.models import Article, Customer, OrderType, Supplier, TransporterRule, WayOfDelivery

from . import exporters, importers, stream
from .mode import read_warehouse_mode
from .models import WarehouseSyncSettings

log = logging.getLogger("integrations.warehouse_sync")

RUN_KIND = "wms"
RUN_TASK = "integrations.warehouse_sync.tasks.execute_run"
SCHEDULED_TASK = "integrations.warehouse_sync.tasks.scheduled_sync"
# A run older than this that never finished had its worker die: it no longer blocks new runs.
STALE_RUN = timedelta(minutes=30)
PROGRESS_EVERY_SECONDS = 1.0


class WarehouseSync:
    """What one run knows while it works: the organization's records by natural key (so an order
    with 20 rows costs no query per row), counts, warnings, and the client."""

    def __init__(self, run: SyncRun, settings: WarehouseSyncSettings, client: FortnoxClient, counter: CallCounter):
        self.run, self.settings, self.client, self.counter = run, settings, client, counter
        self.organization = run.organization
        org = self.organization
        self.suppliers = {s.supplier_number: s for s in Supplier.objects.for_organization(org)}
        self.articles = {a.article_number: a for a in Article.objects.for_organization(org)}
        self.customers = {c.customer_number: c for c in Customer.objects.for_organization(org)}
        self.eans = {a.ean: a.article_number for a in self.articles.values() if a.ean}
        self.order_types = {}
        self._flushed_at = time.monotonic()

    @cached_property
    def transporter_rules(self) -> list[TransporterRule]:
        return TransporterRule.in_order(self.organization)

    @cached_property
    def ways_of_delivery(self) -> set[str]:
        """The codes known once this run pulled the register (orders come after it)."""
        return set(WayOfDelivery.objects.for_organization(self.organization).values_list("code", flat=True))

    def order_type(self, customer: Customer) -> OrderType:
        """B2B or B2C from the customer's type (looked up once per run and kind)."""
        kind = OrderType.Kind.B2C if customer.customer_type == Customer.Type.PRIVATE else OrderType.Kind.B2B
        if kind not in self.order_types:
            self.order_types[kind] = OrderType.for_customer(customer)
        return self.order_types[kind]

    def content_type(self, model) -> ContentType:
        return ContentType.objects.get_for_model(model)

    def ean_taken(self, ean: str, article_number: str) -> bool:
        return self.eans.get(ean, article_number) != article_number

    def count(self, key: str, by: int = 1) -> None:
        self.run.counts[key] = self.run.counts.get(key, 0) + by

    def warn(self, line: StoredText) -> None:
        self.count("warnings")
        self.run.append_log(line)

    def skip_record(self, kind: str, number: str, error: Exception) -> None:
        """A record of `kind` that could not be imported: counted, logged and in the error log
        by its number. Its kind keeps its cursor, so the next run reads the record again."""
        self.count(f"{kind}_failed")
        fortnox_error = error if isinstance(error, FortnoxError) else None
        _failed(self, kind, fortnox_error, StoredText.each_language(_not_imported, error),
                subject=StoredText.each_language(lambda: f"{run_counts.subject_label(kind)} {number}"))

    def stock_not_written(self, article: Article, error, message: StoredText) -> None:
        """An article whose stock level Fortnox did not take: counted, logged and in the error log
        by its number (one entry however many runs repeat it); the other articles are still written."""
        self.count("stock_failed")
        _failed(self, "stock", error, message,
                subject=StoredText.each_language(lambda: f"{run_counts.subject_label('articles')} {article.article_number}"))

    def progress(self, *, force: bool = False) -> None:
        """Counts and API calls written for the progress page about once a second."""
        if force or time.monotonic() - self._flushed_at >= PROGRESS_EVERY_SECONDS:
            self.run.api_calls = self.counter.total
            # Fortnox's answers by HTTP status ("none": no answer), to show retries and 429s.
            self.run.data["responses"] = {str(status or "none"): n for status, n in self.counter.by_status.items()}
            self.run.save(update_fields=["counts", "api_calls", "progress_done", "data"])
            self._flushed_at = time.monotonic()


def busy_runs(organization):
    return SyncRun.objects.for_organization(organization).filter(
        kind=RUN_KIND, status__in=[SyncRun.Status.QUEUED, SyncRun.Status.RUNNING],
        created_at__gte=timezone.now() - STALE_RUN,
    )


def do_queue_sync(organization, *, trigger, acting_user=None, data=None) -> SyncRun | None:
    """A queued run, or None when one is already queued or running (overlapping runs are skipped).
    `data` may name the kinds to pull (`kinds`) and whether the run is a full one (`full`: the
    warehouse mode and the stock comparison too); without, it pulls every enabled kind."""
    with transaction.atomic():
        # The settings row is the organization's lock: two schedulers racing cannot both queue.
        WarehouseSyncSettings.objects.select_for_update().get_or_create(organization=organization)
        if busy_runs(organization).exists():
            return None
        return SyncRun.objects.create(organization=organization, kind=RUN_KIND, trigger=trigger, started_by=acting_user,
                                      data=data or {})


def do_sync_now(organization, *, acting_user) -> SyncRun | None:
    from django_q.tasks import async_task

    run = do_queue_sync(organization, trigger=SyncRun.Trigger.MANUAL, acting_user=acting_user)
    if run is not None:
        transaction.on_commit(lambda: async_task(RUN_TASK, run.pk, group="fortnox-warehouse"))
    return run


def scheduled_sync(organization_id: int) -> int | None:
    """The schedule's job (already on a worker): queue a run and do it here."""
    settings = WarehouseSyncSettings.objects.select_related("organization").get(organization_id=organization_id)
    if not settings.active:
        return None
    if not FortnoxConnection.objects.filter(organization_id=organization_id, status=FortnoxConnection.Status.CONNECTED).exists():
        # Disconnected, or the consent revoked: the admins were told once; a failed run every 15
        # minutes would only repeat it. The schedule resumes by itself once it is connected again.
        log.info("warehouse sync of organization %s skipped: Fortnox is not connected", organization_id)
        return None
    # While Fortnox's event stream is live, the stream's kinds are left to it and to the
    # reconciliation (`stream`); a slot with nothing else to do costs no call and leaves no run.
    kinds, full = stream.scheduled_kinds(settings, timezone.now())
    if not full and not kinds and not (settings.write_stock and not settings.use_warehouse_module):
        return None
    run = do_queue_sync(settings.organization, trigger=SyncRun.Trigger.SCHEDULED, data={"kinds": kinds, "full": full})
    if run is None:
        log.info("warehouse sync of organization %s skipped: a run is still going", organization_id)
        return None
    execute_run(run.pk)
    return run.pk


@in_organization_language
def execute_run(run_id: int) -> str:
    if not SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(status=SyncRun.Status.RUNNING):
        return "already taken"
    run = SyncRun.objects.select_related("organization").get(pk=run_id)
    settings = WarehouseSyncSettings.get_or_create_for(run.organization)
    enabled = settings.enabled_pulls()
    kinds = [kind for kind in run.data.get("kinds", enabled) if kind in enabled]
    full = run.data.get("full", True)
    writes_stock = settings.write_stock and not settings.use_warehouse_module
    compares_stock = settings.use_warehouse_module and full
    run.start(len(kinds) + writes_stock + compares_stock)
    counter = CallCounter()
    try:
        client = FortnoxConnection.client_for(run.organization, call_counter=counter)
    except FortnoxAuthError as error:
        run.finish(SyncRun.Status.FAILED, error=_user_message(error))
        return run.status
    with client:
        sync = WarehouseSync(run, settings, client, counter)
        if full:
            _read_mode(sync)
        else:
            run.append_log(StoredText(gettext_noop(
                "Fortnox's event stream is live: articles, customers, suppliers and orders arrive by it within "
                "seconds and are read here only at the reconciliation.")))
        status = _pull_everything(sync, kinds)
        if status is None and writes_stock:
            status = _step(sync, "stock", exporters.write_stock_levels)
        if status is None and compares_stock:
            if settings.fortnox_warehouse_module:
                status = _step(sync, "stock", exporters.compare_stock_levels)
            else:  # the mode conflict the log already states: Fortnox keeps no warehouse stock to compare
                run.progress_done += 1
        sync.progress(force=True)
    run.append_log(StoredText(gettext_noop("Done: %(calls)s Fortnox calls."), calls=counter.total))
    run.finish(status)
    return run.status


def _read_mode(sync: WarehouseSync) -> None:
    """Fortnox's warehouse mode, at every run: a contradiction blocks reporting up front (see
    `mode`) and is said in the log, where the admin who runs the sync reads it."""
    try:
        read_warehouse_mode(sync.client, sync.settings)
    except FortnoxError as error:
        sync.run.append_log(StoredText(gettext_noop("Warehouse mode: not read from Fortnox (%(message)s)."),
                                       message=_user_message(error)))
        return
    if sync.settings.mode_conflict:
        sync.warn(StoredText.each_language(lambda: sync.settings.mode_conflict))


def _pull_everything(sync: WarehouseSync, kinds: list[str]):
    """Each kind in turn; a kind that fails is logged and the others still run. An authorization
    that is gone stops the run. Returns FAILED for that, else None (the run decides)."""
    cursor = cursor_value(sync.run.started_at)
    for kind in kinds:
        status = _step(sync, kind, importers.PULLS[kind])
        if status is not None:
            return status
        if kind not in sync.run.data.get("failed_kinds", []):
            sync.settings.cursors[kind] = cursor
            sync.settings.access_problems.pop(kind, None)
            if kind == "orders":  # the choice of orders it read by (a change since then: see `order_lists`)
                sync.settings.orders_pulled_for = sync.settings.order_choice
    sync.settings.save(update_fields=["cursors", "access_problems", "orders_pulled_for"])
    return None


def _step(sync: WarehouseSync, kind: str, function):
    run = sync.run
    calls_before = sync.counter.total
    try:
        function(sync)
    except FortnoxAuthError as error:
        _record(sync, kind, error, _user_message(error))
        run.finish(SyncRun.Status.FAILED, error=_user_message(error))
        return SyncRun.Status.FAILED
    except (FortnoxNoLicence, FortnoxMissingScope) as error:
        if kind == "purchase_orders" and _no_licence(error):  # no Lager+: nothing to pull, nothing wrong
            run.append_log(StoredText(gettext_noop("Purchase orders: the Fortnox company has no Lager+; none pulled.")))
        elif isinstance(error, FortnoxNoLicence):
            _failed(sync, kind, error, _user_message(error))
        else:
            message = StoredText(gettext_noop("%(message)s Until then Brygga cannot read them."), message=_user_message(error))
            sync.settings.access_problems[kind] = message.to_data()
            _failed(sync, kind, error, message)
    except FortnoxError as error:
        _failed(sync, kind, error, _user_message(error))
    except ValueError as error:  # a value Fortnox sent that cannot be read (say, a number)
        _failed(sync, kind, None, StoredText.each_language(_cannot_read, error))
    else:
        run.append_log(StoredText.each_language(_pulled, run, kind, sync.counter.total - calls_before))
    run.progress_done += 1
    sync.progress(force=True)
    return None


def _no_licence(error) -> bool:
    """The warehouse API answers every access problem with "missing.rights"; only Fortnox's
    message tells a module the company lacks ("ingen aktiv licens") from a permission the
    connection lacks ("behörighet för scope")."""
    return isinstance(error, FortnoxNoLicence) or "licens" in (error.message or "").lower()


def _cannot_read(error: ValueError) -> str:
    return _("Fortnox sent data Brygga cannot read: %(error)s") % {"error": error}


def _not_imported(error: Exception) -> str:
    problem = error.user_message if isinstance(error, FortnoxError) else _cannot_read(error)
    return f"{problem} {_('Not imported; read again at the next synchronisation.')}"


def _user_message(error: FortnoxError) -> StoredText:
    """Brygga's words around Fortnox's, in every language (Fortnox's own message stays as it said it)."""
    return StoredText.each_language(lambda: error.user_message)


def _pulled(run, kind: str, calls: int) -> str:
    return _("%(kind)s: %(counts)s in %(calls)s calls.") % {
        "kind": run_counts.subject_label(kind), "calls": calls,
        "counts": ", ".join(f"{run_counts.outcome_label(key.removeprefix(kind + '_'))} {value}"
                            for key, value in run.counts.items() if key.startswith(kind + "_")) or _("nothing changed"),
    }


def _failed(sync: WarehouseSync, kind: str, error, message: StoredText, *, subject: StoredText | str = "") -> None:
    sync.count("failed")
    failed_kinds = sync.run.data.setdefault("failed_kinds", [])
    if kind not in failed_kinds:
        failed_kinds.append(kind)
        sync.run.save(update_fields=["data"])
    _record(sync, kind, error, message, subject=subject)


def _record(sync: WarehouseSync, kind: str, error, message: StoredText, *, subject: StoredText | str = "") -> None:
    subject = subject or StoredText.each_language(run_counts.subject_label, kind)
    sync.run.append_log(StoredText.each_language(lambda: f"{subject}: {message}"))
    IntegrationError.record(
        organization_id=sync.organization.pk, kind=f"{RUN_KIND}_{kind}", subject=subject,
        sync_run=sync.run, message=message,
        fortnox_code="" if error is None or error.code is None else str(error.code),
        fortnox_message=str(error) if error is not None else "",
    )


# --- the schedule -----------------------------------------------------------------------------


def do_update_schedule(settings: WarehouseSyncSettings) -> None:
    """One django-q2 schedule per organization, there exactly while the sync is active."""
    from django_q.models import Schedule

    if not settings.active:
        Schedule.objects.filter(name=settings.schedule_name).delete()
        return
    Schedule.objects.update_or_create(name=settings.schedule_name, defaults={
        "func": SCHEDULED_TASK, "args": repr((settings.organization_id,)), "schedule_type": Schedule.MINUTES,
        "minutes": settings.interval_minutes, "repeats": -1,
    })


def do_save_settings(form) -> WarehouseSyncSettings:
    settings = form.save(commit=False)
    settings.updated_at = timezone.now()
    settings.save(update_fields=[*form.Meta.fields, "updated_at"])
    do_update_schedule(settings)
    return settings
