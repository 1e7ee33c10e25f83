"""While an organization's stream is live, its scheduled pull leaves the stream's kinds to the
stream and reads them only as a reconciliation; when the listener goes quiet, the next scheduled
pull reads everything again by itself. The warehouse page says which, and since when."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.core.models import SyncRun
from integrations.fortnox.values import cursor_value
from integrations.warehouse_sync import tasks
from integrations.warehouse_sync.models import WarehouseSyncSettings
from tests.support.fortnox_events import live, silent
from tests.support.warehouse_sync import article, configure, customer, order, sync

pytestmark = pytest.mark.slow


@pytest.fixture
def pulled_once(fortnox, connection, tenant):
    customer(fortnox, "K1")
    article(fortnox, "A1")
    order(fortnox, [("A1", 1)])
    assert sync(tenant).status == SyncRun.Status.SUCCEEDED
    return connection


def scheduled(tenant) -> SyncRun | None:
    run_id = tasks.scheduled_sync(tenant.organization.pk)
    return SyncRun.objects.get(pk=run_id) if run_id else None


def fortnox_requests(sandbox, company) -> int:
    return len(sandbox.request_log(company.data))


def test_a_live_organization_without_purchase_orders_costs_no_call_and_no_run_per_slot(pulled_once, tenant, sandbox, company):
    configure(tenant, pull_purchase_orders=False)
    live(pulled_once)
    before = fortnox_requests(sandbox, company)
    assert scheduled(tenant) is None
    assert fortnox_requests(sandbox, company) == before


def test_a_live_organization_still_pulls_purchase_orders_on_schedule_and_nothing_else(pulled_once, tenant):
    live(pulled_once)
    run = scheduled(tenant)
    assert run.status == SyncRun.Status.SUCCEEDED, run.log
    assert run.data["kinds"] == ["purchase_orders"] and run.data["full"] is False
    assert run.api_calls == 1 and "event stream is live" in run.log


def test_a_live_organization_reconciles_everything_once_the_last_pull_is_six_hours_old(pulled_once, tenant):
    live(pulled_once)
    settings = WarehouseSyncSettings.get_or_create_for(tenant.organization)
    settings.cursors = {kind: cursor_value(timezone.now() - timedelta(hours=6, minutes=1)) for kind in settings.cursors}
    settings.save(update_fields=["cursors"])
    run = scheduled(tenant)
    assert run.data["full"] is True and "orders" in run.data["kinds"] and "articles" in run.data["kinds"]
    assert scheduled(tenant).data["full"] is False  # reconciled: the next slot is light again


def test_a_stream_that_became_live_after_the_last_pull_gets_one_full_pull_for_the_gap_then_light_slots(
        pulled_once, tenant):
    live(pulled_once, since=timezone.now())  # (re)started without offsets to resume from: a gap is possible
    assert scheduled(tenant).data["full"] is True
    assert scheduled(tenant).data["full"] is False


def test_when_the_listener_goes_quiet_the_next_slot_pulls_everything(pulled_once, tenant, settings):
    live(pulled_once)
    silent(settings.FORTNOX_EVENTS_STALE_SECONDS + 1)
    run = scheduled(tenant)
    assert run.data["full"] is True and "orders" in run.data["kinds"]


def test_without_a_stream_configured_every_slot_pulls_everything(pulled_once, tenant, settings):
    live(pulled_once)
    settings.FORTNOX_EVENTS_URL = ""
    assert scheduled(tenant).data["full"] is True


@pytest.mark.parametrize("language, live_words, polling_words", [
    ("en", "Fortnox's event stream delivers", "Fortnox's event stream is not delivering"),
    ("sv", "Fortnox händelseström levererar nya", "Fortnox händelseström levererar inte"),
])
def test_the_warehouse_page_says_live_or_polling_and_since_when(pulled_once, tenant, client_for, settings, language,
                                                                live_words, polling_words):
    tenant.owner.language = language
    tenant.owner.save(update_fields=["language"])
    client = client_for(tenant.owner)
    live(pulled_once, since=timezone.now() - timedelta(minutes=5))
    page = client.get(reverse("warehouse_sync_settings")).content.decode()
    assert 'id="event-stream-state"' in page and live_words in page
    silent(settings.FORTNOX_EVENTS_STALE_SECONDS + 1)
    page = client.get(reverse("warehouse_sync_settings")).content.decode()
    assert polling_words in page and live_words not in page
