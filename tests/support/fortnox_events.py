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


def live(connection, *, since=None) -> None:
    """A listener holds the stream with a fresh heartbeat, the organization's tenant on it."""
    now = timezone.now()
    ListenerLease.objects.update_or_create(name=LEASE_NAME, defaults={
        "holder": "another-machine:1", "acquired_at": now, "heartbeat_at": now, "subscribed_at": now, "tenants": 1})
    StreamTenant.objects.update_or_create(organization_id=connection.organization_id, defaults={
        "tenant_id": str(connection.tenant_id), "live_since": since or now, "polling_since": None})


def silent(seconds: float) -> None:
    """The listener's last heartbeat was `seconds` ago (killed, say)."""
    ListenerLease.objects.filter(name=LEASE_NAME).update(heartbeat_at=timezone.now() - timedelta(seconds=seconds))


def inbox(connection) -> list[tuple]:
    return list(StreamEvent.objects.filter(organization_id=connection.organization_id).order_by("pk")
                .values_list("topic", "offset", "status"))


def committed(connection) -> dict:
    return dict(StreamOffset.objects.filter(organization_id=connection.organization_id).values_list("topic", "offset"))
