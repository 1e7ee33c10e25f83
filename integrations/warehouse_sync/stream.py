"""What the scheduled pull needs to know of Fortnox's event stream (API-FACTS §10), without
knowing the listener: the room above (`integrations.fortnox_events`) fills `live_since` in its
`AppConfig.ready()`.

While an organization's stream is live, the kinds it covers arrive within seconds through their
own jobs, so the 15-minute pull leaves them out and reads them only as a reconciliation (every
`FORTNOX_EVENTS_RECONCILE_HOURS`, catching anything the stream missed); purchase orders, which
have no topic, keep their schedule. When the stream is down, `live_since` answers None and the
next scheduled pull reads everything changed since each kind's cursor, as before."""

from datetime import datetime, timedelta

from django.conf import settings

from integrations.fortnox.values import parse_cursor

# The pulls whose records the stream announces (the delivery registers come with the orders).
STREAM_KINDS = ("suppliers", "articles", "customers", "ways_of_delivery", "terms_of_delivery", "orders")

live_since = None  # callable(organization_id) -> datetime | None, filled by the listener's room


def stream_live_since(organization_id: int) -> datetime | None:
    """Since when the organization's records arrive by the event stream, or None (polling)."""
    return live_since(organization_id) if live_since is not None else None


def reconciliation_interval() -> timedelta:
    return timedelta(hours=settings.FORTNOX_EVENTS_RECONCILE_HOURS)


def scheduled_kinds(warehouse_settings, now: datetime) -> tuple[list[str], bool]:
    """(the kinds a scheduled run pulls now, whether it is a full run). Live: the kinds without a
    topic, plus the stream's kinds whose last good pull is older than the reconciliation interval."""
    kinds = warehouse_settings.enabled_pulls()
    live = stream_live_since(warehouse_settings.organization_id)
    if live is None:
        return kinds, True
    # Due: a kind last read before the stream had every change (what changed between that pull
    # and the stream's start), or longer ago than the reconciliation interval.
    since = max(live, now - reconciliation_interval())
    due = [kind for kind in kinds if kind in STREAM_KINDS and _older_than(warehouse_settings.cursors.get(kind), since)]
    if warehouse_settings.order_choice_pending and "orders" in kinds:
        due.append("orders")  # the fulfilment choice changed: read at the next slot, not hours later
    if due:  # one kind due means a reconciliation: read them all, so they share one cursor moment
        return kinds, True
    return [kind for kind in kinds if kind not in STREAM_KINDS], False


def _older_than(cursor, moment: datetime) -> bool:
    since = parse_cursor(cursor)
    return since is None or since <= moment
