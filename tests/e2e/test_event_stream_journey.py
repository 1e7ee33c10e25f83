"""Fortnox's event stream in the browser: someone makes an order in Fortnox (the sandbox's control
panel) and it appears in the warehouse's pick queue on a phone within seconds, with nobody pressing
"Sync now" — through the sandbox's stream server, the listener process and the job cluster."""

import pytest

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

        User.objects.create_superuser(email="fortnox-user@sandbox.test", password="pw-for-tests-1")
        log_in_on(page, "fortnox-user@sandbox.test")
        page.goto(f"/sandbox/fortnox/_control/companies/{company.database_number}/")
        page.get_by_label("Customer number").fill("K1")
        page.get_by_label("Article number").fill("A1")
        page.get_by_label("Quantity").fill("2")
        page.get_by_role("button", name="Create order").click()

        def in_queue():
            phone.reload()
            return phone.get_by_role("link", name="1", exact=True).count() > 0

        wait_for(in_queue, 20, "the order in the pick queue on the phone")
        check_accessibility(phone)
        save_artifact(phone, "pick-queue-from-the-event-stream")
        assert not SyncRun.objects.filter(organization=tenant.organization, kind=RUN_KIND).exists()
    finally:
        stop_listener(listener)
