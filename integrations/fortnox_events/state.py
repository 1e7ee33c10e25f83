"""The stream's state as the rest of Brygga reads it: whether the listener holds the stream
(its lease's heartbeat is fresh), and per organization "live" (its tenant is on a healthy
stream) or "polling", and since when."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import ListenerLease, StreamEvent, StreamTenant

LEASE_NAME = "fortnox-events"


def stale_after() -> timedelta:
    """A heartbeat older than this means the listener is gone: the 15-minute pull takes over."""
    return timedelta(seconds=settings.FORTNOX_EVENTS_STALE_SECONDS)


def enabled() -> bool:
    return bool(settings.FORTNOX_EVENTS_URL)


def healthy_lease(now: datetime | None = None) -> ListenerLease | None:
    """The lease, when its holder is subscribed and its heartbeat is fresh."""
    now = now or timezone.now()
    lease = ListenerLease.objects.filter(name=LEASE_NAME).first()
    if lease is None or not lease.holder or lease.heartbeat_at is None or lease.subscribed_at is None:
        return None
    return lease if now - lease.heartbeat_at <= stale_after() else None


def live_since(organization_id: int) -> datetime | None:
    """Since when the organization's records arrive by the stream; None while it polls."""
    if not enabled():
        return None
    lease = healthy_lease()
    if lease is None:
        return None
    tenant = StreamTenant.objects.filter(organization_id=organization_id, live_since__isnull=False,
                                         polling_since__isnull=True).first()
    return tenant.live_since if tenant else None


@dataclass
class OrganizationStream:
    live: bool
    since: datetime | None
    tenant: StreamTenant | None


def organization_stream(organization_id: int) -> OrganizationStream | None:
    """For the warehouse page: live or polling and since when; None with no stream configured."""
    if not enabled():
        return None
    tenant = StreamTenant.objects.filter(organization_id=organization_id).first()
    now = timezone.now()
    lease = ListenerLease.objects.filter(name=LEASE_NAME).first()
    healthy = healthy_lease(now)
    if healthy is not None and tenant is not None and tenant.live_since is not None and tenant.polling_since is None:
        return OrganizationStream(True, tenant.live_since, tenant)
    moments = [tenant.polling_since if tenant else None]
    if lease is not None and lease.heartbeat_at is not None and now - lease.heartbeat_at > stale_after():
        moments.append(lease.heartbeat_at + stale_after())  # when the listener went quiet
    known = [moment for moment in moments if moment is not None]
    return OrganizationStream(False, max(known) if known else None, tenant)


def health() -> dict:
    """`/healthz`'s view of the listener."""
    if not enabled():
        return {"status": "disabled"}
    lease = ListenerLease.objects.filter(name=LEASE_NAME).first()
    if lease is None or lease.heartbeat_at is None:
        return {"status": "not running"}
    age = (timezone.now() - lease.heartbeat_at).total_seconds()
    status = "ok" if healthy_lease() is not None else ("connecting" if age <= stale_after().total_seconds() else "no heartbeat")
    pending = StreamEvent.objects.filter(status=StreamEvent.Status.PENDING)
    oldest = pending.order_by("received_at").values_list("received_at", flat=True).first()
    return {"status": status, "holder": lease.holder, "heartbeat_age_seconds": round(age, 1), "tenants": lease.tenants,
            "pending_events": pending.count(),
            "oldest_pending_seconds": round((timezone.now() - oldest).total_seconds(), 1) if oldest else 0}
