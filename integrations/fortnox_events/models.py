"""Fortnox's event stream (API-FACTS §10) as Brygga keeps it: which listener holds the one
connection (`ListenerLease`), which organizations' tenants are on it (`StreamTenant`), each
topic's resume point (`StreamTopic`), the events received and not yet applied (`StreamEvent`, the
inbox), and per organization and topic the offset up to which the work is committed
(`StreamOffset`)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import OrganizationOwned
from organizations.stored_text import StoredTextField


class ListenerLease(models.Model):
    """The one row that says which listener process holds the stream. A listener takes it when
    it is free or its holder's heartbeat is older than the lease (a conditional UPDATE, so two
    listeners on two machines can never both win, on SQLite and PostgreSQL alike), and renews it
    every few seconds; one that can no longer renew it closes its connection."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    holder = models.CharField(_("holder"), max_length=200, blank=True)
    acquired_at = models.DateTimeField(_("acquired"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("heartbeat"), null=True, blank=True)
    # Set while the holder's connection is subscribed; None while it (re)connects.
    subscribed_at = models.DateTimeField(_("subscribed"), null=True, blank=True)
    tenants = models.PositiveIntegerField(_("tenants"), default=0)

    class Meta:
        verbose_name = _("event listener lease")
        verbose_name_plural = _("event listener leases")

    def __str__(self):
        return f"{self.name}: {self.holder or '-'}"


class StreamTenant(OrganizationOwned):
    """An organization's Fortnox company on the stream: added with a fresh access token while its
    connection is connected and its warehouse sync is on, removed when it is not."""

    tenant_id = models.CharField(_("Fortnox tenant"), max_length=40, blank=True)
    live_since = models.DateTimeField(_("live since"), null=True, blank=True)
    polling_since = models.DateTimeField(_("polling since"), null=True, blank=True)
    problem = StoredTextField(_("problem"), blank=True)

    class Meta:
        verbose_name = _("tenant on the event stream")
        verbose_name_plural = _("tenants on the event stream")
        constraints = [models.UniqueConstraint(fields=["organization"], name="stream_tenant_one_per_org")]

    def __str__(self):
        return f"{self.organization_id}: {self.tenant_id}"


class StreamTopic(models.Model):
    """Where the stream resumes a topic: the offset of the last event stored in the inbox (every
    event before it is in the inbox or applied, so nothing is skipped and little replayed)."""

    topic = models.CharField(_("topic"), max_length=50, unique=True)
    offset = models.CharField(_("offset"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("event stream topic")
        verbose_name_plural = _("event stream topics")

    def __str__(self):
        return f"{self.topic}@{self.offset}"


class StreamEvent(OrganizationOwned):
    """One event as Fortnox sent it, kept until its job has applied it. Unique per tenant, topic
    and offset: a duplicate or a replay is not stored a second time."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DONE = "done", _("Applied")
        IGNORED = "ignored", _("Nothing to do")
        LEFT = "left", _("Left to the reconciliation")
        FAILED = "failed", _("Failed")

    tenant_id = models.CharField(_("Fortnox tenant"), max_length=40)
    topic = models.CharField(_("topic"), max_length=50)
    offset = models.CharField(_("offset"), max_length=100)
    type = models.CharField(_("type"), max_length=80)
    entity_id = models.CharField(_("entity"), max_length=100, blank=True)
    timestamp = models.CharField(_("Fortnox's timestamp"), max_length=40, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("event from Fortnox")
        verbose_name_plural = _("events from Fortnox")
        constraints = [models.UniqueConstraint(fields=["tenant_id", "topic", "offset"], name="stream_event_once")]
        indexes = [models.Index(fields=["organization", "status"], name="stream_event_pending")]

    def __str__(self):
        return f"{self.topic}@{self.offset} {self.type} {self.entity_id}"


class StreamOffset(OrganizationOwned):
    """The offset of the last event of a topic whose work for this organization is committed."""

    topic = models.CharField(_("topic"), max_length=50)
    offset = models.CharField(_("offset"), max_length=100)
    committed_at = models.DateTimeField(_("committed"), default=timezone.now)

    class Meta:
        verbose_name = _("committed event offset")
        verbose_name_plural = _("committed event offsets")
        constraints = [models.UniqueConstraint(fields=["organization", "topic"], name="stream_offset_per_topic")]

    def __str__(self):
        return f"{self.organization_id} {self.topic}@{self.offset}"
