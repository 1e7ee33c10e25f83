"""Where the warehouse's new orders come from now, on the pages warehouse staff use every day (the
pick queue and the dashboard's warehouse card): "live" (Fortnox's event stream) or "polling" (the
scheduled synchronisation) and since when, in the reader's language and the organization's time
zone; "off" and "not connected" when no order arrives by itself. No Fortnox call is made: the
states are read from the rows the listener and the settings keep."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.core.models import FortnoxConnection
from tests.support.fortnox_events import live, silent
from tests.support.warehouse_sync import configure

PAGES = ["warehouse:pick_queue", "dashboard"]


@pytest.fixture
def connection(tenant):
    """Connected with the warehouse feature and its scheduled synchronisation on (no tokens needed:
    the pages only read the state)."""
    connection = FortnoxConnection.objects.create(
        organization=tenant.organization, status=FortnoxConnection.Status.CONNECTED, tenant_id="1000777",
        warehouse_enabled=True, connected_at=timezone.now())
    configure(tenant, active=True, interval_minutes=15)
    return connection


def feed_on(client, page) -> str:
    html = client.get(reverse(page)).content.decode()
    assert html.count('id="orders-feed"') == 1, f"one feed line on {page}"
    start = html.index('<p class="orders-feed"')
    return " ".join(html[start:html.index("</p>", start)].split())


def read_as(client_for, user, language="en"):
    user.language = language
    user.save(update_fields=["language"])
    return client_for(user)


@pytest.mark.parametrize("page", PAGES)
def test_a_live_stream_says_live_since_when_to_warehouse_staff(connection, tenant, client_for, page):
    live(connection, since=timezone.now() - timedelta(minutes=5))
    feed = feed_on(read_as(client_for, tenant.warehouse), page)
    since = timezone.localtime(timezone.now() - timedelta(minutes=5)).strftime("%H:%M")
    assert 'data-state="live"' in feed and ">Live<" in feed and f"since {since}" in feed
    assert "New orders from Fortnox arrive within seconds." in feed


def test_since_is_shown_in_the_organizations_time_zone_with_the_date_when_not_today(connection, tenant, client_for):
    live(connection, since=datetime(2026, 7, 6, 12, 30, tzinfo=ZoneInfo("UTC")))  # 14:30 in Stockholm
    assert "since 6 Jul 2026 14:30" in feed_on(read_as(client_for, tenant.warehouse), "warehouse:pick_queue")
    assert "sedan 6 juli 2026 14:30" in feed_on(read_as(client_for, tenant.warehouse, "sv"), "warehouse:pick_queue")


@pytest.mark.parametrize("page", PAGES)
def test_a_stopped_listener_turns_the_line_to_polling_with_the_schedule(connection, tenant, client_for, settings, page):
    live(connection)
    silent(settings.FORTNOX_EVENTS_STALE_SECONDS + 60)
    feed = feed_on(read_as(client_for, tenant.warehouse), page)
    assert 'data-state="polling"' in feed and ">Polling<" in feed and "since " in feed
    assert "arrive with the scheduled synchronisation, every 15 minutes." in feed
    assert reverse("warehouse_sync_settings") not in feed  # the reason is on the settings page, for admins
    assert reverse("warehouse_sync_settings") in feed_on(read_as(client_for, tenant.owner), page)


def test_without_a_stream_configured_the_schedule_is_said_without_a_since(connection, tenant, client_for, settings):
    settings.FORTNOX_EVENTS_URL = ""
    feed = feed_on(read_as(client_for, tenant.warehouse), "warehouse:pick_queue")
    assert 'data-state="polling"' in feed and "since" not in feed and "every 15 minutes" in feed


@pytest.mark.parametrize("change", [{"active": False}, {"pull_orders": False}, "feature"])
def test_with_the_warehouse_synchronisation_off_the_line_says_off(connection, tenant, client_for, change):
    live(connection)
    if change == "feature":
        FortnoxConnection.objects.filter(pk=connection.pk).update(warehouse_enabled=False)
    else:
        configure(tenant, **change)
    staff = feed_on(read_as(client_for, tenant.warehouse), "warehouse:pick_queue")
    assert 'data-state="off"' in staff and "the warehouse synchronisation is off" in staff
    assert reverse("warehouse_sync_settings") not in staff  # staff cannot change it
    assert reverse("warehouse_sync_settings") in feed_on(read_as(client_for, tenant.owner), "warehouse:pick_queue")


@pytest.mark.parametrize("status", [None, FortnoxConnection.Status.NEEDS_REAUTH, FortnoxConnection.Status.DISCONNECTED])
def test_without_a_working_connection_the_line_says_not_connected(tenant, client_for, connection, status):
    if status is None:
        connection.delete()
    else:
        FortnoxConnection.objects.filter(pk=connection.pk).update(status=status)
    live(connection)
    staff = feed_on(read_as(client_for, tenant.warehouse), "warehouse:pick_queue")
    assert 'data-state="not_connected"' in staff and "Fortnox is not connected" in staff
    assert reverse("fortnox_connection") not in staff
    assert reverse("fortnox_connection") in feed_on(read_as(client_for, tenant.owner), "dashboard")


@pytest.mark.parametrize(("state", "words"), [
    ("live", ["Live", "sedan", "Nya order från Fortnox kommer inom några sekunder."]),
    ("polling", ["Hämtar på schema", "sedan", "var 15:e minut"]),
    ("off", ["Av", "lagersynkroniseringen är avstängd"]),
    ("not_connected", ["Inte ansluten", "Fortnox är inte anslutet"]),
])
def test_the_line_is_in_the_readers_language(connection, tenant, client_for, settings, state, words):
    live(connection)
    if state == "polling":
        silent(settings.FORTNOX_EVENTS_STALE_SECONDS + 60)
    elif state == "off":
        configure(tenant, active=False)
    elif state == "not_connected":
        connection.delete()
    feed = feed_on(read_as(client_for, tenant.warehouse, "sv"), "warehouse:pick_queue")
    assert f'data-state="{state}"' in feed and all(word in feed for word in words), feed
    assert "New orders" not in feed and "since" not in feed


def test_people_without_the_warehouse_see_no_line(connection, tenant, client_for):
    live(connection)
    html = read_as(client_for, tenant.manager).get(reverse("dashboard")).content.decode()
    assert 'id="orders-feed"' not in html
