"""What every Fortnox feature shares (HR, absences, warehouse). See DESIGN.md "Core mechanisms".

- `FortnoxConnection`: an organization's link to its Fortnox company (features, scopes, tokens);
  `FortnoxRateWindow`: the request budget the client spends (see `integrations.fortnox.ratelimit`).

- `ExternalLink`: which local object is which Fortnox record, and the values both sides had when
  they last agreed (for three-way comparison).
- `SyncRun`: one synchronisation (manual, scheduled, push, backfill) with progress, counts, API
  calls and a readable log; `data` holds what its kind needs (the HR user sync keeps its plan
  and the admin's decisions there).
- `OutboxEvent`: a local change waiting to be pushed to Fortnox, written in the transaction of
  the change (see `integrations.core.outbox`).
- `IntegrationError`: a Fortnox request that failed for good, for an organization admin to read,
  retry or dismiss.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integrations.fortnox.client import FortnoxClient
from integrations.fortnox.errors import FortnoxNotConnected
from organizations.models import OrganizationOwned
from organizations.stored_text import StoredCharField, StoredLog, StoredLogField, StoredTextField

from .fields import EncryptedTextField
from .personal_data import FingerprintedJSONField, MaskedJSONField

# Scopes per Brygga feature (Fortnox's scope names). Company information is always needed: it
# tells us which Fortnox company a token belongs to.
BASE_SCOPES = ("companyinformation",)
HR_SCOPES = ("salary",)
# `settings` reads the ways and terms of delivery orders name.
WAREHOUSE_SCOPES = ("article", "supplier", "customer", "order", "invoice", "warehouse", "settings")
WAREHOUSE_CUSTOM_DOCUMENT_SCOPES = ("warehousecustomdocument",)


class FortnoxConnection(OrganizationOwned):
    """An organization's link to its Fortnox company: which features it uses (and so which
    scopes it asks for), the OAuth tokens (encrypted) and the state an admin needs to see."""

    class Status(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        NEEDS_REAUTH = "needs_reauth", _("Needs to be re-connected")
        DISCONNECTED = "disconnected", _("Not connected")

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DISCONNECTED)
    hr_enabled = models.BooleanField(
        _("HR (employees and absences)"), default=True,
        help_text=_("Asks Fortnox for the salary scope."),
    )
    warehouse_enabled = models.BooleanField(
        _("Warehouse (articles, customers, orders, stock)"), default=False,
        help_text=_("Asks Fortnox for the article, supplier, customer, order, invoice and warehouse scopes."),
    )
    warehouse_custom_documents = models.BooleanField(
        _("Warehouse custom documents"), default=False,
        help_text=_("Asks Fortnox for the warehousecustomdocument scope (returns and adjustments as own documents)."),
    )
    # A service account (client credentials + TenantId, no refresh token) rather than a user's
    # login with refresh tokens; see integrations.fortnox.tokens.
    service_account = models.BooleanField(
        _("service account"), default=False, editable=False,
        help_text=_("Connected as a Fortnox service account: access tokens come from client credentials, "
                    "no refresh token is kept."),
    )
    granted_scopes = models.JSONField(_("granted scopes"), default=list, blank=True)
    tenant_id = models.CharField(_("Fortnox database number"), max_length=40, blank=True)
    company_name = models.CharField(_("Fortnox company"), max_length=200, blank=True)
    access_token = EncryptedTextField(_("access token"), blank=True, editable=False)
    refresh_token = EncryptedTextField(_("refresh token"), blank=True, editable=False)
    expires_at = models.DateTimeField(_("access token expires"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("last token refresh"), null=True, blank=True)
    # Set by the one worker that is exchanging the refresh token right now (see fortnox.tokens).
    refresh_claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = StoredTextField(_("last error"), blank=True)  # read in the reader's language
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("connected by"),
    )
    connected_at = models.DateTimeField(_("connected at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Fortnox connection")
        verbose_name_plural = _("Fortnox connections")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="fortnox_connection_one_per_org"),
            # One Fortnox company, one organization: two would each handle every order and absence.
            models.UniqueConstraint(fields=["tenant_id"], condition=~models.Q(tenant_id=""), name="fortnox_company_one_organization"),
        ]

    def __str__(self):
        return f"{self.organization} → {self.company_name or self.get_status_display()}"

    @property
    def rate_limit_key(self) -> str:
        """Whose request budget this connection spends. Fortnox counts per client id and tenant
        (API-FACTS §2.3), so every connection of Brygga's app to one Fortnox company shares one
        budget, also across a re-connect or the company moved to another organization.
        Until the company is known (the first call reads it), the connection has its own."""
        if self.tenant_id:
            return f"{settings.FORTNOX_CLIENT_ID}/{self.tenant_id}"
        return f"connection/{self.pk}"

    @classmethod
    def existing_or_unsaved(cls, organization) -> "FortnoxConnection":
        """The organization's connection, or an unsaved disconnected one with default features."""
        return cls.objects.for_organization(organization).first() or cls(organization=organization)

    @classmethod
    def client_for(cls, organization, **kwargs) -> FortnoxClient:
        """A Fortnox client on the organization's connection (`FortnoxNotConnected` without one)."""
        connection = cls.objects.for_organization(organization).first()
        if connection is None:
            raise FortnoxNotConnected("The organization has not connected Fortnox")
        return FortnoxClient(connection, **kwargs)

    @property
    def is_connected(self) -> bool:
        return self.status == self.Status.CONNECTED

    def requested_scopes(self) -> list[str]:
        scopes = list(BASE_SCOPES)
        if self.hr_enabled:
            scopes += HR_SCOPES
        if self.warehouse_enabled:
            scopes += WAREHOUSE_SCOPES
            if self.warehouse_custom_documents:
                scopes += WAREHOUSE_CUSTOM_DOCUMENT_SCOPES
        return scopes

    def missing_scopes(self) -> list[str]:
        """Scopes the enabled features need but the current authorization does not cover."""
        granted = set(self.granted_scopes)
        return [scope for scope in self.requested_scopes() if scope not in granted]

    def token_expires_within(self, margin: timedelta) -> bool:
        """Whether the access token dies within `margin`. A service account's token counts as
        dying within a quarter of its own lifetime if that is shorter, so one that lives a second
        is still used for most of it (a user login's works as it always did)."""
        if self.expires_at is None:
            return True
        if self.service_account and self.refreshed_at is not None and self.expires_at > self.refreshed_at:
            margin = min(margin, (self.expires_at - self.refreshed_at) / 4)
        return self.expires_at - margin <= timezone.now()

    @property
    def awaits_consent(self) -> bool:
        """A service account whose consent ended (or is not given yet): the company is known and
        a consent-created webhook from Fortnox completes it."""
        return self.service_account and bool(self.tenant_id) and not self.is_connected


class FortnoxRateWindow(models.Model):
    """The sliding request log of one budget (`FortnoxConnection.rate_limit_key`): epoch
    timestamps of the requests sent in the current window. One row per budget, changed only
    under its row lock, so every thread, process and machine sharing the database shares it."""

    key = models.CharField(max_length=200, primary_key=True)
    sent_at = models.JSONField(default=list)

    class Meta:
        verbose_name = _("Fortnox rate window")
        verbose_name_plural = _("Fortnox rate windows")

    def __str__(self):
        return f"{self.key}: {len(self.sent_at)}"


# --- three-way comparison ------------------------------------------------------------------------

SAME = "same"
LOCAL_CHANGED = "local_changed"
REMOTE_CHANGED = "remote_changed"
CONFLICT = "conflict"


def compare_three_way(local, last_synced, remote) -> str:
    """How one field stands between the two systems: `SAME` (nothing to do), `LOCAL_CHANGED`
    (only Brygga changed since the last sync: push it), `REMOTE_CHANGED` (only Fortnox did: take
    it), or `CONFLICT` (both changed, differently). Values must already be normalised to one form
    (the caller's job: "070-123 45 67" and "+46701234567" are the same phone)."""
    if local == remote:
        return SAME
    if local == last_synced:
        return REMOTE_CHANGED
    if remote == last_synced:
        return LOCAL_CHANGED
    return CONFLICT


# Link kinds whose local object may have several Fortnox records.
ONE_TO_MANY_KINDS = ("absence_transaction",)


class ExternalLink(OrganizationOwned):
    """A binding between a local object and a Fortnox record of one `kind` ("employee",
    "absence_transaction", "article", ...). Unique both ways per organization and kind, except for
    kinds in `ONE_TO_MANY_KINDS`, whose local object may have several links (an absence becomes one
    absence transaction per day); those are unique on the external id only.

    `last_synced_values` holds each synced field's normalised value at the moment both sides last
    agreed (a bank account or a personal identity number as its `personal_data.fingerprint`);
    `compare_three_way` uses it to tell one-sided changes from conflicts."""

    ONE_TO_MANY_KINDS = ONE_TO_MANY_KINDS

    kind = models.CharField(_("kind"), max_length=40)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField(_("local object id"))
    local_object = GenericForeignKey("content_type", "object_id")
    external_id = models.CharField(_("Fortnox id"), max_length=100)
    last_synced_values = FingerprintedJSONField(_("last synced values"), default=dict, blank=True)
    remote_modified = models.DateTimeField(_("modified in Fortnox"), null=True, blank=True)
    synced_at = models.DateTimeField(_("synced at"), default=timezone.now)

    class Meta:
        verbose_name = _("external link")
        verbose_name_plural = _("external links")
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "external_id"], name="externallink_external_unique"),
            models.UniqueConstraint(
                fields=["organization", "kind", "content_type", "object_id"], name="externallink_local_unique",
                condition=~Q(kind__in=ONE_TO_MANY_KINDS),
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="externallink_local_idx")]

    def __str__(self):
        return f"{self.kind} {self.object_id} ↔ {self.external_id}"

    @classmethod
    def links_for(cls, organization, kind: str, model) -> models.QuerySet:
        return cls.objects.for_organization(organization).filter(
            kind=kind, content_type=ContentType.objects.get_for_model(model),
        )

    @classmethod
    def link_of(cls, obj, kind: str) -> "ExternalLink | None":
        return cls.links_for(obj.organization_id, kind, type(obj)).filter(object_id=obj.pk).first()

    def remember(self, values: dict, *, remote_modified=None) -> None:
        """Both sides now hold `values` (normalised) for these fields."""
        self.last_synced_values = {**self.last_synced_values, **values}
        self.synced_at = timezone.now()
        fields = ["last_synced_values", "synced_at"]
        if remote_modified is not None:
            self.remote_modified = remote_modified
            fields.append("remote_modified")
        self.save(update_fields=fields)


class RunCancelled(Exception):
    """Raised at a job's next report once its run was cancelled (the run is already ended)."""


class SyncRun(OrganizationOwned):
    """One synchronisation with Fortnox: what started it, how far it got, what it did and how many
    Fortnox calls it cost, with a log an admin can read. Progress and log lines are written with
    `update_fields` (and `F()` for counters), so a job can report often without rewriting the row."""

    class Trigger(models.TextChoices):
        MANUAL = "manual", _("Manual")
        SCHEDULED = "scheduled", _("Scheduled")
        PUSH = "push", _("Real-time push")
        BACKFILL = "backfill", _("Backfill")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Waiting for decisions")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        PARTIAL = "partial", _("Finished with failures")
        FAILED = "failed", _("Failed")
        ABANDONED = "abandoned", _("Abandoned")

    FINISHED = (Status.SUCCEEDED, Status.PARTIAL, Status.FAILED, Status.ABANDONED)
    # A job runs for at most the cluster's `timeout` and touches its run's heartbeat from the moment
    # it takes the run, so a run whose heartbeat is older than that has lost its job. The extra
    # minute is for clocks that differ between machines.
    LOST_AFTER = timedelta(seconds=settings.Q_CLUSTER["timeout"] + 60)
    # How often a job looks whether its run was cancelled (one query, at its progress reports).
    CANCEL_CHECK_SECONDS = 1.0

    kind = models.CharField(_("kind"), max_length=40)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices, default=Trigger.MANUAL)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("started by"),
    )
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    api_calls = models.PositiveIntegerField(_("Fortnox API calls"), default=0)
    # Stored texts (organizations.stored_text): read in the reader's language, not the job's.
    log = StoredLogField(_("log"), blank=True)
    data = MaskedJSONField(_("data"), default=dict, blank=True, help_text=_("What this kind of run needs, e.g. a plan."))
    error = StoredTextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Touched whenever the run is queued or its job reports (start, a log line, an item done):
    # the Redis broker never hands out again a job whose worker died, so the sweeper gives a run
    # whose heartbeat stopped to a new job (integrations.hr_sync.apply); `attempts` counts the jobs.
    heartbeat_at = models.DateTimeField(_("heartbeat"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Set by a cancel: the run's job stops at its next report and the run ends "abandoned",
    # whatever the job would have written (see `do_cancel`).
    cancel_requested_at = models.DateTimeField(_("cancel requested"), null=True, blank=True)

    class Meta:
        verbose_name = _("synchronisation run")
        verbose_name_plural = _("synchronisation runs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "kind", "-created_at"], name="syncrun_recent_idx")]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        return round(100 * self.progress_done / self.progress_total) if self.progress_total else 0

    def append_log(self, line) -> None:
        """`line`: a `StoredText` (a plain string is kept as written, in no other language)."""
        self._stop_if_cancelled()
        self.log = StoredLog.load(self.log)
        self.log.append(line)
        self.heartbeat_at = timezone.now()
        self.save(update_fields=["log", "heartbeat_at"])

    def advance(self, count_key: str | None = None, *, api_calls: int = 0) -> None:
        """One item done; `count_key` (e.g. "created_in_fortnox") counted in `counts`."""
        self._stop_if_cancelled()
        self.progress_done += 1
        self.api_calls += api_calls
        self.heartbeat_at = timezone.now()
        fields = ["progress_done", "api_calls", "heartbeat_at"]
        if count_key:
            self.counts[count_key] = self.counts.get(count_key, 0) + 1
            fields.append("counts")
        self.save(update_fields=fields)

    def start(self, total: int) -> None:
        self._stop_if_cancelled(at_once=True)
        self.status, self.progress_total, self.progress_done = self.Status.RUNNING, total, 0
        self.started_at = self.heartbeat_at = timezone.now()
        self.save(update_fields=["status", "started_at", "progress_total", "progress_done", "heartbeat_at"])

    def finish(self, status=None, *, error: str = "") -> None:
        failed = self.counts.get("failed", 0)
        self.status = status or (self.Status.PARTIAL if failed else self.Status.SUCCEEDED)
        self.error = error
        cancelled = SyncRun.objects.filter(pk=self.pk, cancel_requested_at__isnull=False).values_list("error", flat=True).first()
        if cancelled is not None:  # the cancel's word stands: a job finishing late does not write its own back
            self.status, self.error = self.Status.ABANDONED, cancelled
        self.finished_at = timezone.now()
        self.save(update_fields=["status", "error", "finished_at"])

    def _stop_if_cancelled(self, *, at_once: bool = False) -> None:
        now = time.monotonic()
        if not at_once and now - getattr(self, "_cancel_checked", 0) < self.CANCEL_CHECK_SECONDS:
            return
        self._cancel_checked = now
        if self.pk and SyncRun.objects.filter(pk=self.pk, cancel_requested_at__isnull=False).exists():
            self.refresh_from_db(fields=["cancel_requested_at", "error"])
            self.finish()
            raise RunCancelled(self.pk)

    def do_cancel(self, *, message: str) -> str:
        """Cancel the run without letting a second one overlap it: "cancelled" when it ended at
        once (queued, so no job holds it, or its job was lost), "stopping" when its job ends it at
        its next report, "finished" when there was nothing to cancel."""
        now = timezone.now()
        active = SyncRun.objects.filter(pk=self.pk, status__in=[self.Status.QUEUED, self.Status.RUNNING],
                                        cancel_requested_at__isnull=True)
        if not active.update(cancel_requested_at=now, error=message):
            return "finished"
        # A job takes only a queued run (a conditional update), and a lost job never reports again.
        ended = SyncRun.objects.filter(pk=self.pk).filter(
            Q(status=self.Status.QUEUED) | Q(status=self.Status.RUNNING, heartbeat_at__lt=now - self.LOST_AFTER),
        ).update(status=self.Status.ABANDONED, finished_at=now)
        self.refresh_from_db()
        return "cancelled" if ended else "stopping"


class OutboxEventQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)

    def due(self):
        return self.filter(status=OutboxEvent.Status.PENDING, next_attempt_at__lte=timezone.now())


class OutboxEvent(OrganizationOwned):
    """A local change to push to Fortnox. Written by a signal receiver inside the transaction of
    the change, so the change and the promise to push it commit (or roll back) together. See
    `integrations.core.outbox` for claiming, retries and the sweeper; `kind` names the handler."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROCESSING = "processing", _("Processing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=40)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField(_("local object id"))
    local_object = GenericForeignKey("content_type", "object_id")
    payload = MaskedJSONField(_("payload"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    attempt_log = models.TextField(_("attempts log"), blank=True)
    # Who made the change, when a person did (in a request): told if Fortnox refuses it for good.
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("changed by"),
    )
    # The error-log entry this event's failure is counted on (repeats of one failure share one),
    # so a retry sends every change it stands for.
    failure = models.ForeignKey("IntegrationError", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="counted_events", verbose_name=_("failure"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    objects = OutboxEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            # claim_next asks, for every due event, whether its object has an unfinished one.
            models.Index(fields=["content_type", "object_id", "status"], name="outbox_object_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id} ({self.status})"

    def log_attempt(self, outcome: str) -> None:
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
        self.attempt_log += f"{stamp} attempt {self.attempts}: {outcome}\n"


class IntegrationErrorQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)

    def about(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)

    def unresolved(self):
        """Open, or retried and not through yet: a later success closes both."""
        return self.filter(status__in=[IntegrationError.Status.OPEN, IntegrationError.Status.RETRIED])


class IntegrationError(OrganizationOwned):
    """A Fortnox request that failed for good (refused, or still failing after its retries): what
    was sent (never a token), Fortnox's code and message, and the same in plain words. Admins
    retry it (the source is asked to try again) or dismiss it; a later successful push of the same
    object closes it. The same failure again (same object or subject, same message) is counted on
    the entry instead of adding another: see `record`."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RETRIED = "retried", _("Retried")
        DISMISSED = "dismissed", _("Dismissed")
        RESOLVED = "resolved", _("Resolved by a later push")

    kind = models.CharField(_("kind"), max_length=40)
    content_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    object_id = models.PositiveBigIntegerField(_("local object id"), null=True, blank=True)
    related_object = GenericForeignKey("content_type", "object_id")
    subject = StoredCharField(_("about"), max_length=200, blank=True, help_text=_("The person or record, as named when it failed."))
    request_method = models.CharField(_("method"), max_length=10, blank=True)
    request_path = models.CharField(_("path"), max_length=300, blank=True)
    sent = MaskedJSONField(_("what was sent"), default=dict, blank=True)
    fortnox_code = models.CharField(_("Fortnox code"), max_length=40, blank=True)
    fortnox_message = models.TextField(_("Fortnox message"), blank=True)
    message = StoredTextField(_("what happened"))
    outbox_event = models.ForeignKey(OutboxEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="errors")
    sync_run = models.ForeignKey(SyncRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="errors")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    occurrences = models.PositiveIntegerField(_("times"), default=1)
    last_seen_at = models.DateTimeField(_("last time"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("resolved by"),
    )

    class Meta:
        verbose_name = _("integration error")
        verbose_name_plural = _("integration errors")
        ordering = ["-last_seen_at", "-pk"]
        indexes = [models.Index(fields=["organization", "status", "-created_at"], name="integrationerror_open_idx")]

    objects = IntegrationErrorQuerySet.as_manager()

    def __str__(self):
        return f"{self.kind}: {self.message[:60]}"

    @classmethod
    def record(cls, *, organization_id, kind, message, content_type_id=None, object_id=None, subject="",
               **details) -> "IntegrationError":
        """Log a failure, or count it on the unresolved entry of the same failure (same kind,
        object — or subject, for failures of no local object — Fortnox code and message): a record
        that stays bad in every run, or a retry that fails the same way, is one entry with a count
        and the last time. The entry's `news` says whether people should hear of it: a new
        failure, or one an admin retried that failed again (not a repeat while it stays open)."""
        same = {"content_type_id": content_type_id, "object_id": object_id}
        if object_id is None:
            same["subject"] = subject
        repeat = cls.objects.filter(
            organization_id=organization_id, kind=kind, message=message, fortnox_code=details.get("fortnox_code", ""),
            **same,
        ).unresolved().order_by("-pk").first()
        now = timezone.now()
        if repeat is None:
            entry = cls.objects.create(**{
                "organization_id": organization_id, "kind": kind, "message": message, "subject": subject,
                "created_at": now, "last_seen_at": now, **same, **details,
            })
            entry.news = True
            return entry
        repeat.news = repeat.status == cls.Status.RETRIED
        for name, value in {**details, "subject": subject or repeat.subject}.items():
            setattr(repeat, name, value)
        repeat.occurrences += 1
        repeat.status, repeat.last_seen_at, repeat.resolved_at, repeat.resolved_by = cls.Status.OPEN, now, None, None
        repeat.save(update_fields=["occurrences", "status", "last_seen_at", "resolved_at", "resolved_by", "subject", *details])
        return repeat

    @property
    def about(self) -> str:
        """What the entry is about, named in the reader's language while the object exists (the
        name noted when it failed once it is gone). Prefetch `related_object` on lists."""
        from .subjects import describe

        if self.related_object is not None:
            return describe(self.related_object)
        if self.subject:
            return self.subject
        if self.content_type_id is not None:
            return f"{self.content_type.model_class()._meta.verbose_name} {self.object_id}"
        return str(self.kind)

    @property
    def can_retry(self) -> bool:
        return self.status == self.Status.OPEN and self.outbox_event_id is not None
