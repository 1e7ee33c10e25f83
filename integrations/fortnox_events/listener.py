"""The one listener for all organizations (`manage.py fortnox_events`): it holds Fortnox's event
stream (API-FACTS §10) for every connected organization and turns each event into a targeted job.

- Exactly one listener holds the stream across machines: the `ListenerLease` row, taken with a
  conditional UPDATE and renewed every quarter of `FORTNOX_EVENTS_LEASE_SECONDS`. Another
  listener waits as standby and takes over once the holder's heartbeat is older than the lease
  (a listener killed with SIGKILL leaves a heartbeat that stops: failover in about that time).
- On the connection: `add-tenants-v1` with a fresh access token of each connected organization
  whose warehouse sync is on (through `integrations.fortnox.tokens`, which rotates a token that
  expires soon; tokens are never logged), `add-topics-v1` with each topic's stored offset, then
  `subscribe-v1`. Every few seconds the tenants are brought up to date: new connections added,
  lost ones removed, and a tenant whose token was rotated (or expires within the refresh margin)
  added again with the fresh one before the old one dies.
- An event is stored in the inbox (`StreamEvent`, unique per tenant, topic and offset: a
  duplicate or a replay is dropped there) together with its topic's resume offset, in one
  transaction, and then the organization's run and job are queued unless one already waits, which
  the new events join (`jobs.queue_drains`). A sweep gives a job again to events that wait longer
  than a few seconds (a job that found the organization busy, or met a Fortnox failure).
- The connection pings every 30 s (the client library's keepalive); a dropped connection is
  opened again after a backoff (1, 2, 4 … 30 s, with jitter), resuming every topic from its offset.
"""

import json
import logging
import os
import random
import socket
import threading
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

from integrations.core.models import FortnoxConnection
from integrations.fortnox import tokens
from integrations.fortnox.errors import FortnoxError
from integrations.warehouse_sync.models import WarehouseSyncSettings
from organizations.stored_text import StoredText, gettext_noop

from . import jobs
from .models import ListenerLease, StreamEvent, StreamTenant, StreamTopic
from .state import LEASE_NAME

log = logging.getLogger("integrations.fortnox_events")

COMMAND_TIMEOUT = 15.0
TENANTS_EVERY = 5.0  # seconds between bringing the tenants up to date
SWEEP_EVERY = 2.0
SWEEP_AFTER = timedelta(seconds=3)  # an event waiting this long gets its job queued again
PURGE_EVERY = 3600.0
TOKENS_PER_COMMAND = 100
MAX_BACKOFF = 30.0
RECEIVE_BATCH = 500


class StreamError(Exception):
    """Fortnox's stream refused a command or answered what a client cannot go on from."""


class LeaseLost(Exception):
    pass


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Lease:
    def __init__(self, holder: str, seconds: float):
        self.holder, self.seconds = holder, seconds
        self.renewed_at = 0.0

    def acquire(self) -> bool:
        """Take the lease when it is free or its holder went quiet; True when this listener holds it."""
        now = timezone.now()
        if ListenerLease.objects.filter(name=LEASE_NAME, holder=self.holder).update(heartbeat_at=now):
            return True  # still ours (after a backoff)
        if not ListenerLease.objects.filter(name=LEASE_NAME).exists():
            try:
                with transaction.atomic():
                    ListenerLease.objects.create(name=LEASE_NAME)
            except IntegrityError:
                pass  # another listener made it first
        free = Q(holder="") | Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - timedelta(seconds=self.seconds))
        return bool(ListenerLease.objects.filter(Q(name=LEASE_NAME) & free).update(
            holder=self.holder, acquired_at=now, heartbeat_at=now, subscribed_at=None, tenants=0))

    def renew(self, **fields) -> None:
        if not ListenerLease.objects.filter(name=LEASE_NAME, holder=self.holder).update(
                heartbeat_at=timezone.now(), **fields):
            raise LeaseLost()
        self.renewed_at = time.monotonic()

    def renew_if_due(self) -> None:
        """Within long work (thousands of tokens renewed one by one): the heartbeat goes on, or a
        standby would take over and every organization would read as polling."""
        if time.monotonic() - self.renewed_at >= self.seconds / 4:
            self.renew()

    def release(self) -> None:
        ListenerLease.objects.filter(name=LEASE_NAME, holder=self.holder).update(
            holder="", heartbeat_at=None, subscribed_at=None, tenants=0)


class Tenant:
    """What the listener knows of one organization on the stream (its token only in memory)."""

    def __init__(self, organization_id: int, tenant_id: str, token_expires_at):
        self.organization_id, self.tenant_id, self.token_expires_at = organization_id, tenant_id, token_expires_at


class Listener:
    def __init__(self, url: str | None = None, holder: str | None = None, stop: threading.Event | None = None):
        self.url = url or settings.FORTNOX_EVENTS_URL
        self.lease = Lease(holder or holder_name(), settings.FORTNOX_EVENTS_LEASE_SECONDS)
        self.stop = stop or threading.Event()
        self.ws = None
        self.tenants: dict[int, Tenant] = {}  # by organization
        self.by_tenant_id: dict[str, int] = {}  # Fortnox's tenant id → organization
        self.buffered: list[dict] = []  # events that arrived while a command waited for its answer
        self.last_queued: dict[int, float] = {}
        self._next = {}
        self._holding = False
        self.resumed = False
        self.taken_over = False  # until the first sweep after this listener began holding the stream

    # --- the outer loop: lease, connect, back off ----------------------------------------------

    def run(self) -> None:
        backoff = 1.0
        standby_said = False
        try:
            while not self.stop.is_set():
                close_old_connections()
                if not self.lease.acquire():
                    if not standby_said:
                        log.info("fortnox events: standby, another listener holds the stream")
                        standby_said, self._holding = True, False
                    self.stop.wait(min(1.0, self.lease.seconds / 4))
                    continue
                if not self._holding:
                    log.info("fortnox events: holding the stream as %s", self.lease.holder)
                    self.taken_over = True
                standby_said, self._holding = False, True
                started = time.monotonic()
                try:
                    self.stream()
                except LeaseLost:
                    log.warning("fortnox events: lease lost; closing the stream and standing by")
                    self._all_polling()
                    self._holding = False
                    continue
                except (OSError, WebSocketException, StreamError, TimeoutError) as error:
                    log.warning("fortnox events: stream closed (%s: %s)", type(error).__name__, error)
                if time.monotonic() - started > 60:
                    backoff = 1.0  # it ran a while: a fresh drop starts the backoff over
                self._all_polling()
                delay = backoff * random.uniform(0.8, 1.2)
                backoff = min(backoff * 2, MAX_BACKOFF)
                self._wait_holding(delay)
        finally:
            self._all_polling()
            self.lease.release()
            close_old_connections()

    def _wait_holding(self, seconds: float) -> None:
        """Back off while keeping the lease (a standby could connect no better)."""
        deadline = time.monotonic() + seconds
        while not self.stop.is_set() and time.monotonic() < deadline:
            try:
                self.lease.renew(subscribed_at=None)
            except LeaseLost:
                return
            self.stop.wait(min(self.lease.seconds / 4, max(0.0, deadline - time.monotonic())))

    # --- one connection -------------------------------------------------------------------------

    def stream(self) -> None:
        self.tenants, self.by_tenant_id, self.buffered = {}, {}, []
        with connect(self.url, ping_interval=30, ping_timeout=20, open_timeout=10, close_timeout=5,
                     max_size=2 ** 22, proxy=None) as ws:
            self.ws = ws
            try:
                self.lease.renew()
                offsets = dict(StreamTopic.objects.exclude(offset="").values_list("topic", "offset"))
                # Every topic resumes from a stored offset: the replay covers the time this
                # listener (or the one before it) was away, for the tenants it had.
                self.resumed = all(topic in offsets for topic in jobs.TOPICS)
                self.update_tenants()
                self.resumed = False  # a tenant added from here on gets events from now on
                answer = self.command({"command": "add-topics-v1", "topics": [
                    {"topic": topic, **({"offset": offsets[topic]} if offsets.get(topic) else {})}
                    for topic in jobs.TOPICS]})
                if answer.get("invalidTopics"):
                    log.warning("fortnox events: topics refused: %s", answer["invalidTopics"])
                self.command({"command": "subscribe-v1"})
                now = timezone.now()
                self.lease.renew(subscribed_at=now, tenants=len(self.tenants))
                log.info("fortnox events: subscribed with %s tenants", len(self.tenants))
                self.listen()
            finally:
                self.ws = None

    def listen(self) -> None:
        every = {"heartbeat": self.lease.seconds / 4, "tenants": TENANTS_EVERY, "sweep": SWEEP_EVERY,
                 "purge": PURGE_EVERY}
        self._next = {name: time.monotonic() + seconds for name, seconds in every.items()}
        while not self.stop.is_set():
            messages = self.buffered
            self.buffered = []
            try:
                first = self._receive(0.2)
                while first is not None:
                    messages.append(first)
                    first = self._receive(0) if len(messages) < RECEIVE_BATCH else None
            finally:
                # Events received before the connection closed are kept: dropped, they would come
                # again from the resume offset, and a stream that closes after the same event
                # each time would never get past it.
                self.handle(messages)
            now = time.monotonic()
            if now >= self._next["heartbeat"]:
                self.lease.renew(tenants=len(self.tenants))
            if now >= self._next["tenants"]:
                self.update_tenants()
            if now >= self._next["sweep"]:
                self.sweep()
            if now >= self._next["purge"]:
                jobs.purge_settled()
            for name, seconds in every.items():
                if now >= self._next[name]:
                    self._next[name] = now + seconds

    def _receive(self, timeout: float) -> dict | None:
        try:
            raw = self.ws.recv(timeout=timeout)
        except TimeoutError:
            return None
        try:
            message = json.loads(raw)
        except ValueError:
            log.warning("fortnox events: a message that is not JSON was dropped")
            return None
        return message if isinstance(message, dict) else None

    def command(self, payload: dict) -> dict:
        """Send a command and wait for its answer; events that come meanwhile are kept for later."""
        name = payload["command"]
        self.ws.send(json.dumps(payload))
        deadline = time.monotonic() + COMMAND_TIMEOUT
        while time.monotonic() < deadline:
            message = self._receive(max(0.0, min(1.0, deadline - time.monotonic())))
            if message is None:
                continue
            if "response" not in message:
                self.buffered.append(message)
                continue
            if message.get("response") != name:
                log.info("fortnox events: an answer to %s while waiting for %s", message.get("response"), name)
                continue
            if str(message.get("result", "ok")).lower() != "ok":
                raise StreamError(f"{name}: {message.get('result')} {message.get('message') or message.get('error') or ''}")
            return message
        raise StreamError(f"{name}: no answer in {COMMAND_TIMEOUT:g} s")

    # --- events ---------------------------------------------------------------------------------

    def handle(self, messages: list[dict]) -> None:
        rows, offsets = [], {}
        for message in messages:
            if "response" in message:
                continue  # an answer nobody waits for any more
            if message.get("notice") == "tenant-removed-v1":
                self.tenant_removed(str(message.get("tenantId")))
                continue
            topic, offset = message.get("topic"), message.get("offset")
            if not topic or offset in (None, ""):
                continue
            offsets[topic] = str(offset)
            organization_id = self.by_tenant_id.get(str(message.get("tenantId")))
            if organization_id is None:
                continue  # a tenant removed meanwhile
            rows.append(StreamEvent(
                organization_id=organization_id, tenant_id=str(message.get("tenantId")), topic=str(topic)[:50],
                offset=str(offset)[:100], type=str(message.get("type") or "")[:80],
                entity_id=str(message.get("entityId") or "")[:100], timestamp=str(message.get("timestamp") or "")[:40]))
        if not offsets:
            return
        now = timezone.now()
        with transaction.atomic():
            StreamEvent.objects.bulk_create(rows, ignore_conflicts=True)  # a duplicate or replay stays out
            for topic, offset in offsets.items():
                StreamTopic.objects.update_or_create(topic=topic, defaults={"offset": offset, "updated_at": now})
        self.queue(row.organization_id for row in rows)

    def queue(self, organization_ids, *, sweep: bool = False, jobs_may_be_lost: bool = False) -> None:
        ids = list(dict.fromkeys(organization_ids))
        now = time.monotonic()
        for organization_id in ids:
            self.last_queued[organization_id] = now
        jobs.queue_drains(ids, sweep=sweep, jobs_may_be_lost=jobs_may_be_lost)

    def sweep(self) -> None:
        """Give a job again to organizations whose events wait (a job that found the organization
        busy left its run queued) or that have none queued (a job that met a Fortnox failure). The
        first sweep after this listener began holding the stream gives one to every organization
        with events waiting, however recent: the listener before it may have been killed between
        queuing a run and queuing its job, which would otherwise wait for the lost-job timeout."""
        taken_over, self.taken_over = self.taken_over, False
        waiting = StreamEvent.objects.filter(status=StreamEvent.Status.PENDING)
        if not taken_over:
            waiting = waiting.filter(received_at__lt=timezone.now() - SWEEP_AFTER)
        ids = list(waiting.values_list("organization_id", flat=True).distinct())
        if not taken_over:
            now = time.monotonic()
            ids = [i for i in ids if now - self.last_queued.get(i, 0) >= 2 * SWEEP_AFTER.total_seconds()]
        self.queue(ids, sweep=True, jobs_may_be_lost=taken_over)

    # --- tenants --------------------------------------------------------------------------------

    def wanted_connections(self) -> dict[int, FortnoxConnection]:
        active = WarehouseSyncSettings.objects.filter(active=True).values("organization_id")
        return {connection.organization_id: connection for connection in FortnoxConnection.objects.filter(
            status=FortnoxConnection.Status.CONNECTED, warehouse_enabled=True, organization_id__in=active)}

    def update_tenants(self) -> None:
        """Add organizations that should be on the stream, with a fresh token (again, when their
        token was rotated or expires soon), and remove those that should not."""
        wanted = self.wanted_connections()
        gone = [tenant for organization_id, tenant in self.tenants.items() if organization_id not in wanted]
        if gone:
            self.command({"command": "remove-tenants-v1", "tenants": [_as_id(tenant.tenant_id) for tenant in gone]})
            for tenant in gone:
                del self.tenants[tenant.organization_id]
                self.by_tenant_id.pop(tenant.tenant_id, None)
            StreamTenant.objects.filter(organization_id__in=[t.organization_id for t in gone]).update(
                live_since=None, polling_since=timezone.now())
            log.info("fortnox events: %s tenants removed", len(gone))
        due = []
        soon = timezone.now() + tokens.REFRESH_MARGIN
        for organization_id, connection in wanted.items():
            tenant = self.tenants.get(organization_id)
            if (tenant is None or tenant.token_expires_at != connection.expires_at
                    or connection.expires_at is None or connection.expires_at <= soon):
                due.append(connection)
        for start in range(0, len(due), TOKENS_PER_COMMAND):
            self.add_tenants(due[start:start + TOKENS_PER_COMMAND])

    def add_tenants(self, connections: list[FortnoxConnection]) -> None:
        by_token, problems = {}, {}
        for connection in connections:
            self.lease.renew_if_due()
            try:
                by_token[tokens.access_token(connection)] = connection  # rotated first when it expires soon
            except FortnoxError as error:
                problems[connection.organization_id] = StoredText.each_language(lambda e=error: e.user_message)
        if by_token:
            answer = self.command({"command": "add-tenants-v1", "clientSecret": settings.FORTNOX_CLIENT_SECRET,
                                   "accessTokens": list(by_token)})
            tenant_ids = answer.get("tenantIds") or {}
            invalid = set(answer.get("invalidTokens") or [])
            now = timezone.now()
            for token, connection in by_token.items():
                organization_id = connection.organization_id
                if token in invalid or token not in tenant_ids:
                    problems[organization_id] = StoredText(gettext_noop(
                        "Fortnox's event stream did not take the connection's access token; Brygga tries again "
                        "with a fresh one and polls meanwhile."))
                    if token in invalid:
                        self._rotate_later(connection, token)
                    continue
                tenant_id = str(tenant_ids[token])
                was = self.tenants.get(organization_id)
                self.tenants[organization_id] = Tenant(organization_id, tenant_id, connection.expires_at)
                self.by_tenant_id[tenant_id] = organization_id
                if was is None:
                    # Live since: the moment from which the stream has every change of the tenant.
                    # Kept across a reconnect that resumes every topic from its offset; otherwise
                    # now, and the next scheduled pull reads what changed before (stream.py).
                    row = StreamTenant.objects.filter(organization_id=organization_id).first()
                    gapless = self.resumed and row is not None and row.live_since is not None
                    StreamTenant.objects.update_or_create(organization_id=organization_id, defaults={
                        "tenant_id": tenant_id, "live_since": row.live_since if gapless else now,
                        "polling_since": None, "problem": ""})
            if invalid:
                log.warning("fortnox events: %s access tokens refused by the stream", len(invalid))
        for organization_id, problem in problems.items():
            self.tenants.pop(organization_id, None)
            StreamTenant.objects.update_or_create(organization_id=organization_id, defaults={
                "live_since": None, "polling_since": timezone.now(), "problem": problem})

    def tenant_removed(self, tenant_id: str) -> None:
        """The stream dropped a tenant (its token expired or was revoked): added again with a
        fresh token at once, or removed for good if its connection is gone."""
        organization_id = self.by_tenant_id.pop(tenant_id, None)
        if organization_id is not None:
            self.tenants.pop(organization_id, None)
            StreamTenant.objects.filter(organization_id=organization_id).update(live_since=None,
                                                                                polling_since=timezone.now())
            log.info("fortnox events: the stream dropped a tenant; adding it again")
        self._next["tenants"] = 0

    def _rotate_later(self, connection: FortnoxConnection, token: str) -> None:
        """The stream called a token invalid (expired early, say): the next round adds a fresh one."""
        try:
            tokens.rotate(connection, stale_access_token=token)
        except FortnoxError as error:
            log.warning("fortnox events: no fresh token for organization %s (%s)", connection.organization_id,
                        type(error).__name__)

    def _all_polling(self) -> None:
        """This listener no longer delivers: every organization it held polls from now (their
        `live_since` stays: a listener that resumes every topic from its offset closes the gap)."""
        if self.tenants:
            StreamTenant.objects.filter(organization_id__in=list(self.tenants)).update(polling_since=timezone.now())
        self.tenants, self.by_tenant_id = {}, {}
        ListenerLease.objects.filter(name=LEASE_NAME, holder=self.lease.holder).update(subscribed_at=None, tenants=0)


def _as_id(tenant_id: str):
    return int(tenant_id) if tenant_id.isdigit() else tenant_id
