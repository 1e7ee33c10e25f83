"""Fortnox's event stream as the tests meet it: events handed to the listener's own storing code
(`deliver`, for the job's rules without a socket), a healthy or silent listener lease, and the
organization's inbox and offsets."""

from datetime import timedelta
from itertools import count

from django.utils import timezone

from integrations.fortnox_events import jobs
from integrations.fortnox_events.listener import Listener
from integrations.fortnox_events.models import ListenerLease, StreamEvent, StreamOffset, StreamTenant
from integrations.fortnox_events.state import LEASE_NAME

_offsets = count(1)

EVENT_TYPES = {"orders": "order-{}-v1", "articles": "article-{}-v1", "customers": "customer-{}-v1",
               "suppliers": "supplier-{}-v1", "warehouse-stockbalances": "warehouse-stockbalance-{}-v1"}


def event(connection, topic: str, entity_id, change: str = "updated", offset=None) -> dict:
    """One event as Fortnox sends it, for the connection's company."""
    return {"topic": topic, "offset": str(offset if offset is not None else next(_offsets)),
            "type": EVENT_TYPES[topic].format(change), "tenantId": int(connection.tenant_id),
            "entityId": str(entity_id), "timestamp": timezone.now().isoformat()}


def deliver(connection, *events) -> None:
    """The events stored as the listener stores what the stream sends (its `handle`), with the
    connection's organization on the stream; no job is run."""
    listener = Listener(url="ws://unused.invalid/topics-v1", holder="test")
    listener.by_tenant_id[str(connection.tenant_id)] = connection.organization_id
    listener.handle(list(events))


def apply(connection) -> str:
    """The organization's job, in this process."""
    return jobs.drain(connection.organization_id)


def drain_jobs() -> list[int]:
    """The runs whose drain job waits in the queue (the ORM broker's), in the order queued."""
    from django_q.models import OrmQ

    return [entry.task["args"][1] for entry in OrmQ.objects.order_by("pk") if entry.task["func"] == jobs.DRAIN_TASK]


def sweep(*, after_seconds: float) -> None:
    """The listener's sweep, with the inbox's events received `after_seconds` ago."""
    StreamEvent.objects.filter(status=StreamEvent.Status.PENDING).update(
        received_at=timezone.now() - timedelta(seconds=after_seconds))
    Listener(url="ws://unused.invalid/topics-v1", holder="test").sweep()


def live(connection, *, since=None) -> None:
    """A listener holds the stream with a fresh heartbeat, the organization's tenant on it (since
    an hour ago unless said: before the test's pulls)."""
    now = timezone.now()
    ListenerLease.objects.update_or_create(name=LEASE_NAME, defaults={
        "holder": "another-machine:1", "acquired_at": now, "heartbeat_at": now, "subscribed_at": now, "tenants": 1})
    StreamTenant.objects.update_or_create(organization_id=connection.organization_id, defaults={
        "tenant_id": str(connection.tenant_id), "live_since": since or now - timedelta(hours=1),
        "polling_since": None})


def silent(seconds: float) -> None:
    """The listener's last heartbeat was `seconds` ago (killed, say)."""
    ListenerLease.objects.filter(name=LEASE_NAME).update(heartbeat_at=timezone.now() - timedelta(seconds=seconds))


def inbox(connection) -> list[tuple]:
    return list(StreamEvent.objects.filter(organization_id=connection.organization_id).order_by("pk")
                .values_list("topic", "offset", "status"))


def committed(connection) -> dict:
    return dict(StreamOffset.objects.filter(organization_id=connection.organization_id).values_list("topic", "offset"))


# --- the listener as its own process -------------------------------------------------------------

LEASE_SECONDS = 3  # the tests' lease: failover within seconds without waiting the default 10 s


def listener_env(live_server_url: str, stream_url: str, **extra) -> dict:
    """The environment of a listener process on the test database, the test's sandbox and stream."""
    from .processes import subprocess_env

    base = live_server_url + "/sandbox/fortnox"
    return subprocess_env(SITE_URL=live_server_url, FORTNOX_API_BASE_URL=base, FORTNOX_AUTH_BASE_URL=base,
                          FORTNOX_EVENTS_URL=stream_url, FORTNOX_EVENTS_LEASE_SECONDS=LEASE_SECONDS, **extra)


def start_listener(env: dict, *, supervised: bool = False):
    """`manage.py fortnox_events` in its own process group (or under scripts/supervise.sh, as
    `./brygga run` starts it)."""
    import subprocess
    import sys

    from .processes import MANAGE

    command = [sys.executable, str(MANAGE), "fortnox_events"]
    if supervised:
        command = ["bash", str(MANAGE.parent / "scripts" / "supervise.sh"), *command]
    return subprocess.Popen(command, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def stop_listener(process) -> None:
    import os
    import signal
    import subprocess

    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def holder_pid() -> int | None:
    """The process id of the listener that holds the stream and is subscribed (None: nobody)."""
    lease = ListenerLease.objects.filter(name=LEASE_NAME, subscribed_at__isnull=False).exclude(holder="").first()
    return int(lease.holder.split(":")[1]) if lease else None
