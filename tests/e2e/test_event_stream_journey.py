"""Fortnox's event stream in the browser: someone makes an order in Fortnox (the sandbox's control
panel) and it appears in the warehouse's pick queue on a phone within seconds, with nobody pressing
"Sync now" and without reloading the page — through the sandbox's stream server, the listener process and the job cluster. The
pick queue says "Live" and since when while the listener holds the stream, and "Polling" once it
stops."""

import pytest
from playwright.sync_api import expect

from integrations.core.models import SyncRun
from integrations.fortnox.client import FortnoxClient
from integrations.fortnox_events.models import StreamTenant
from integrations.warehouse_sync.tasks import RUN_KIND
from organizations.models import User
from tests.support.browser import check_accessibility, log_in_on, save_artifact
from tests.support.fortnox_events import listener_env, start_listener, stop_listener
from tests.support.processes import wait_for
from tests.support.warehouse_sync import FAST, article, configure, customer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_an_order_made_in_fortnox_appears_in_the_pick_queue_without_sync_now(
        tenant, page, phone, sandbox, make_company, connect_wms, cluster, sandbox_stream, live_server):
    company = make_company(**FAST)
    connection = connect_wms(tenant, company)
    configure(tenant, active=True)
    with FortnoxClient(connection) as fortnox:
        customer(fortnox, "K1", Name="Kafé Bryggan")
        article(fortnox, "A1", Description="Kaffe 500 g", EAN="7350000000016")
    listener = start_listener(listener_env(live_server.url, sandbox_stream.url))
    try:
        wait_for(lambda: StreamTenant.objects.filter(organization=tenant.organization, live_since__isnull=False,
                                                     polling_since__isnull=True).exists(), 30, "the stream live")
        log_in_on(phone, tenant.warehouse.email)
        phone.get_by_role("link", name="Pick queue").click()
        feed = phone.locator("#orders-feed")
        expect(feed).to_contain_text("Live")
        expect(feed).to_contain_text("since")
        expect(feed).to_contain_text("New orders from Fortnox arrive within seconds.")

        User.objects.create_superuser(email="fortnox-user@sandbox.test", password="pw-for-tests-1")
        log_in_on(page, "fortnox-user@sandbox.test")
        page.goto(f"/sandbox/fortnox/_control/companies/{company.database_number}/")
        expect(page.get_by_text("All three fields are needed")).to_be_visible()
        expect(page.locator("#new-order-customers option[value='K1']")).to_have_count(1)  # suggested as one types
        check_accessibility(page)
        page.get_by_label("Customer number").fill("K1")
        page.get_by_label("Article number").fill("A1")
        page.get_by_label("Quantity").fill("2")
        page.get_by_role("button", name="Create order").click()

        # Nobody reloads the phone either: the pick queue reads its list again every 15 s.
        expect(phone.get_by_role("link", name="1", exact=True)).to_be_visible(timeout=30_000)
        check_accessibility(phone)
        save_artifact(phone, "pick-queue-from-the-event-stream")
        assert not SyncRun.objects.filter(organization=tenant.organization, kind=RUN_KIND).exists()

        stop_listener(listener)  # the stream is down: the pick queue says the schedule brings new orders
        expect(feed).to_contain_text("Polling", timeout=30_000)  # without a reload either
        expect(feed).to_contain_text("every 15 minutes")
        check_accessibility(phone)
        save_artifact(phone, "pick-queue-polling-after-the-listener-stopped")
    finally:
        stop_listener(listener)
