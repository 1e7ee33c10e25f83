"""The event log behind the stream (`EVENTS.md`): every change the record store makes is told
here (`store.Store` calls `changed`), whoever made it — the REST API, the control panel, the
control API or the seed — and becomes a `TopicEvent` once its transaction has committed.

Each event is written after the commit, in a short transaction of its own that locks its
topic's `TopicSequence` row: a topic's offsets are handed out in commit order, so the stream
server, which reads "everything after the offset I sent last", never skips one that committed
late. A change that is rolled back makes no event (Django drops its on-commit callback)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Company, StaleRead, TopicEvent, TopicSequence

# Fortnox's topics (API-FACTS §10): a client may add any of them; the sandbox emits on the first five.
EMITTED = ("articles", "orders", "customers", "suppliers", "warehouse-stockbalances")
TOPICS = EMITTED + (
    "invoices", "offers", "currencies", "termsofdeliveries", "waysofdeliveries", "termsofpayments",
    "bureau-activities", "bureau-assignments", "cost-centers", "financial-years", "messages", "projects",
    "supplier-invoices", "vouchers",
)
STOCK_TOPIC = "warehouse-stockbalances"
STOCK_CHANGED = "warehouse-stockbalance-changed-v1"

# record store resource -> (topic, type prefix, {change: version})
RESOURCES = {
    "articles": ("articles", "article", {}),
    "orders": ("orders", "order", {}),
    "customers": ("customers", "customer", {"updated": "v2"}),
    "suppliers": ("suppliers", "supplier", {}),
}
# An article's stock fields: a change of only these is a stock balance change, not an article update.
STOCK_FIELDS = {"QuantityInStock", "ReservedQuantity", "DisposableQuantity", "StockValue"}


def retention() -> timedelta:
    return timedelta(days=getattr(settings, "FORTNOX_SANDBOX_EVENTS_RETENTION_DAYS", 14))


def changed(company: Company, resource: str, key: str, old: dict | None, new: dict | None) -> None:
    """The store made a change: `old` None for a create, `new` None for a delete."""
    if resource == "stockbalances":
        item = (new or old or {}).get("itemId") or key.split("|", 1)[0]
        if any(((old or {}).get(f) or 0) != ((new or {}).get(f) or 0) for f in ("inStock", "reserved")):
            _emit(company, STOCK_TOPIC, STOCK_CHANGED, item)
        return
    if resource not in RESOURCES:
        return
    topic, prefix, versions = RESOURCES[resource]
    change = _change(resource, old, new)
    if change:
        _emit(company, topic, f"{prefix}-{change}-{versions.get(change, 'v1')}", key)
    # With Lager every stock movement also writes the article's stock balances (`stock.move`),
    # which tells the stream; the item register's own quantity speaks only without Lager (or when
    # an article is created with stock), so one movement is one event, not two.
    from_register = old is None or not company.warehouse_licence
    if resource == "articles" and new and from_register and (new.get("StockGoods") or (old or {}).get("StockGoods")):
        before, after = old or {}, new
        if any((before.get(f) or 0) != (after.get(f) or 0) for f in ("QuantityInStock", "ReservedQuantity")):
            _emit(company, STOCK_TOPIC, STOCK_CHANGED, key)
    if company.fault_stream_stale_read_seconds > 0 and change:
        StaleRead.objects.create(
            company=company, resource=resource, key=key, document=old,
            until=timezone.now() + timedelta(seconds=company.fault_stream_stale_read_seconds))


def _change(resource: str, old: dict | None, new: dict | None) -> str | None:
    if old is None:
        return "created"
    if new is None:
        # Fortnox cancels orders, it does not delete them: a deleted order (the sandbox never
        # deletes one through the API) is told as cancelled.
        return "cancelled" if resource == "orders" else "deleted"
    if resource == "orders" and new.get("Cancelled") and not old.get("Cancelled"):
        return "cancelled"
    if resource == "articles":
        if {k: v for k, v in old.items() if k not in STOCK_FIELDS} == {k: v for k, v in new.items() if k not in STOCK_FIELDS}:
            return None  # only the stock moved: that is the stock balance topic's event
    elif old == new:
        return None
    return "updated"


def _emit(company: Company, topic: str, event_type: str, entity_id: str) -> None:
    at = timezone.now()
    transaction.on_commit(lambda: record(company, topic, event_type, entity_id, at))


def record(company: Company, topic: str, event_type: str, entity_id: str, at=None) -> TopicEvent:
    """Writes one event with the next offset of its topic (see the module's docstring)."""
    with transaction.atomic():
        sequence, _ = TopicSequence.objects.select_for_update().get_or_create(topic=topic)
        sequence.last += 1
        sequence.save(update_fields=["last"])
        return TopicEvent.objects.create(
            topic=topic, sequence=sequence.last, company=company, tenant_id=company.database_number,
            type=event_type, entity_id=str(entity_id)[:200], at=at or timezone.now())


def stale_document(company: Company, resource: str, key: str):
    """(True, the document a REST read shows instead) while a stale-read fault holds the record,
    else (False, None). The document is None when the record did not exist before."""
    found = (StaleRead.objects.filter(company=company, resource=resource, key=key, until__gt=timezone.now())
             .order_by("pk").first())
    return (True, found.document) if found else (False, None)


def purge() -> int:
    """Events older than the retention go, as Fortnox's topics keep about two weeks."""
    deleted, _ = TopicEvent.objects.filter(at__lt=timezone.now() - retention()).delete()
    StaleRead.objects.filter(until__lt=timezone.now()).delete()
    return deleted


def as_frame(event: TopicEvent) -> dict:
    """The event as the stream sends it (Fortnox's shape and timestamp format)."""
    return {"topic": event.topic, "offset": event.offset, "type": event.type, "tenantId": event.tenant_id,
            "entityId": event.entity_id,
            "timestamp": timezone.localtime(event.at).isoformat(timespec="milliseconds")}
