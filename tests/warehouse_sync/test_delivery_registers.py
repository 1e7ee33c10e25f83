"""Ways and terms of delivery pulled from Fortnox with the other registers, incrementally, against
the sandbox over real HTTP through the product's client."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fortnox_sandbox.models import Record, Token
from integrations.core.models import IntegrationError, SyncRun
from integrations.warehouse_sync.models import WarehouseSyncSettings
from tests.support.warehouse_sync import article, configure, customer, order, sync
from warehouse.models import SalesOrder, TermsOfDelivery, WayOfDelivery

pytestmark = pytest.mark.slow


def way(fortnox, code, description="", **fields):
    return fortnox.post("/3/wayofdeliveries", {"WayOfDelivery": {"Code": code, "Description": description, **fields}})


def terms(fortnox, code, description):
    return fortnox.post("/3/termsofdeliveries", {"TermsOfDelivery": {"Code": code, "Description": description}})


def codes(model, tenant):
    return {(c.code, c.description, c.description_english) for c in model.objects.for_organization(tenant.organization)}


def test_a_run_brings_the_ways_and_terms_of_delivery_with_their_descriptions(fortnox, tenant):
    way(fortnox, "P", "Posten", DescriptionEnglish="Swedish Post")
    way(fortnox, "HÄM", "Hämtas")
    terms(fortnox, "FRITT", "Fritt levererat")

    run = sync(tenant)

    assert run.status == SyncRun.Status.SUCCEEDED, run.log
    assert codes(WayOfDelivery, tenant) == {("P", "Posten", "Swedish Post"), ("HÄM", "Hämtas", "")}
    assert codes(TermsOfDelivery, tenant) == {("FRITT", "Fritt levererat", "")}
    assert run.counts["ways_of_delivery_created"] == 2 and run.counts["terms_of_delivery_created"] == 1
    assert "Ways of delivery:" in run.log


def test_a_later_run_reads_only_what_changed_and_updates_it_in_place(fortnox, tenant):
    way(fortnox, "P", "Posten")
    way(fortnox, "DHL", "DHL")
    sync(tenant)
    # P last changed an hour ago, as between scheduled runs (Fortnox's clock has minutes only).
    Record.objects.filter(resource="wayofdeliveries", key="P").update(modified=timezone.now() - timedelta(hours=1))
    fortnox.put("/3/wayofdeliveries/DHL", {"WayOfDelivery": {"Description": "DHL Paket"}})

    run = sync(tenant)

    assert run.counts.get("ways_of_delivery_updated") == 1 and "ways_of_delivery_unchanged" not in run.counts
    assert codes(WayOfDelivery, tenant) == {("P", "Posten", ""), ("DHL", "DHL Paket", "")}


def test_a_way_deleted_in_fortnox_stays_known_to_the_orders_that_name_it(fortnox, tenant):
    way(fortnox, "BUD", "Bud")
    sync(tenant)
    fortnox.delete("/3/wayofdeliveries/BUD")
    sync(tenant)
    assert codes(WayOfDelivery, tenant) == {("BUD", "Bud", "")}


def test_a_connection_without_the_settings_scope_still_pulls_orders_and_says_to_reconnect(
        fortnox, tenant, connection, client_for):
    customer(fortnox)
    article(fortnox, "A1")
    order(fortnox, [("A1", 1)], WayOfDelivery="P")
    # Keys granted before Brygga asked for `settings`: what an existing connection has.
    Token.objects.update(scopes="article supplier customer order invoice warehouse companyinformation")

    run = sync(tenant)

    assert run.status == SyncRun.Status.PARTIAL
    assert SalesOrder.objects.get(organization=tenant.organization).way_of_delivery == "P"
    error = IntegrationError.objects.filter(organization=tenant.organization, kind="wms_ways_of_delivery").get()
    assert "re-connect" in error.message
    assert "ways_of_delivery" in WarehouseSyncSettings.get_or_create_for(tenant.organization).access_problems


def test_without_pulling_orders_the_delivery_registers_are_not_read_either(fortnox, tenant):
    way(fortnox, "P", "Posten")
    configure(tenant, pull_orders=False)
    run = sync(tenant)
    assert "ways_of_delivery_created" not in run.counts and not WayOfDelivery.objects.exists()
