from dataclasses import dataclass
from datetime import datetime

from django import template
from django.utils import timezone

from integrations.core.models import FortnoxConnection
from integrations.fortnox_events.state import organization_stream
from integrations.warehouse_sync.models import WarehouseSyncSettings

register = template.Library()


@register.simple_tag
def event_stream_for(organization):
    """Live or polling, and since when (None: no event stream configured)."""
    return organization_stream(organization.pk) if organization is not None else None


@register.filter
def is_today(moment: datetime | None) -> bool:
    """Whether `moment` is today in the active time zone (a time alone then says when)."""
    return moment is not None and timezone.localdate(moment) == timezone.localdate()


@dataclass
class OrdersFeed:
    """How new orders reach the warehouse from Fortnox now: "live" (the event stream, within
    seconds), "polling" (the scheduled synchronisation; `since` is unknown when no stream is
    configured), "off" (no scheduled synchronisation of orders) or "not_connected"."""

    state: str
    since: datetime | None = None
    interval_minutes: int | None = None


@register.simple_tag
def orders_feed(organization) -> OrdersFeed | None:
    """For the warehouse's pages (the pick queue, the dashboard's card), which know nothing of Fortnox."""
    if organization is None:
        return None
    connection = FortnoxConnection.objects.for_organization(organization).first()
    if connection is None or not connection.is_connected:
        return OrdersFeed("not_connected")
    settings = WarehouseSyncSettings.objects.for_organization(organization).first()
    if not (connection.warehouse_enabled and settings is not None and settings.active and settings.pull_orders):
        return OrdersFeed("off")
    stream = organization_stream(organization.pk)
    if stream is not None and stream.live:
        return OrdersFeed("live", stream.since, settings.interval_minutes)
    return OrdersFeed("polling", stream.since if stream else None, settings.interval_minutes)
