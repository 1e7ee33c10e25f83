"""An order from Fortnox gets its transporter service from the rules when imported or updated
(issue 23), against the sandbox over real HTTP through the product's client."""

from decimal import Decimal

import pytest

from integrations.core.models import SyncRun
from tests.support.warehouse_sync import article, customer, order, sync
from warehouse import actions as warehouse_actions, shipping_actions
from warehouse.models import SalesOrder
from warehouse.shipping import Transporter, TransporterRule, TransporterService

pytestmark = pytest.mark.slow


@pytest.fixture
def rules(tenant):
    org = tenant.organization
    postnord = Transporter.objects.create(organization=org, name="PostNord")
    services = {name: TransporterService.objects.create(organization=org, transporter=postnord, name=name)
                for name in ("MyPack Collect", "MyPack Home")}
    for service, conditions in ((services["MyPack Home"], {"way_of_delivery": "P", "min_weight_kg": Decimal(5)}),
                                (services["MyPack Collect"], {"way_of_delivery": "P"})):
        shipping_actions.do_add_rule(TransporterRule(organization=org, service=service, **conditions))
    return services


def imported(tenant, number):
    return SalesOrder.objects.get(organization=tenant.organization, order_number=str(number))


def test_an_imported_order_gets_the_service_of_the_first_matching_rule_by_its_weight(fortnox, tenant, rules):
    fortnox.post("/3/wayofdeliveries", {"WayOfDelivery": {"Code": "P", "Description": "Posten"}})
    customer(fortnox)
    article(fortnox, "TUNG", Weight=3000)
    light = order(fortnox, [("TUNG", 1)], WayOfDelivery="P")
    heavy = order(fortnox, [("TUNG", 2)], WayOfDelivery="P")

    run = sync(tenant)

    assert run.status == SyncRun.Status.SUCCEEDED, run.log
    assert imported(tenant, light["DocumentNumber"]).transporter_service == rules["MyPack Collect"]
    assert imported(tenant, heavy["DocumentNumber"]).transporter_service == rules["MyPack Home"]


def test_an_order_changed_in_fortnox_gets_its_service_again_until_picking_starts(fortnox, tenant, rules):
    customer(fortnox)
    article(fortnox, "A1", Weight=100)
    first = order(fortnox, [("A1", 1)], WayOfDelivery="BUD")
    second = order(fortnox, [("A1", 1)], WayOfDelivery="BUD")
    sync(tenant)
    assert imported(tenant, first["DocumentNumber"]).service_problem_text.startswith("No transporter rule matches")
    warehouse_actions.do_start_picking(imported(tenant, second["DocumentNumber"]), tenant.warehouse)
    for number in (first["DocumentNumber"], second["DocumentNumber"]):
        fortnox.put(f"/3/orders/{number}", {"Order": {"WayOfDelivery": "P"}})

    sync(tenant)

    updated = imported(tenant, first["DocumentNumber"])
    assert (updated.transporter_service, updated.service_problem) == (rules["MyPack Collect"], "")
    started = imported(tenant, second["DocumentNumber"])
    assert started.transporter_service is None and started.changed_at_source


def test_an_unknown_way_of_delivery_is_imported_flagged_and_named_in_the_log(fortnox, tenant, rules):
    fortnox.post("/3/wayofdeliveries", {"WayOfDelivery": {"Code": "P", "Description": "Posten"}})
    customer(fortnox)
    article(fortnox, "A1", Weight=100)
    unknown = order(fortnox, [("A1", 1)], WayOfDelivery="ÅNGBÅT")

    run = sync(tenant)

    flagged = imported(tenant, unknown["DocumentNumber"])
    assert flagged.way_of_delivery == "ÅNGBÅT" and flagged.rows.count() == 1
    assert flagged.transporter_service is None and "“ÅNGBÅT”" in flagged.service_problem_text
    assert "way of delivery “ÅNGBÅT” is not in Fortnox's register" in run.log


def test_an_article_fortnox_gives_no_weight_makes_the_order_weight_unknown_not_zero(fortnox, tenant, rules):
    """Fortnox writes Weight 0 for an article whose weight nobody entered: such an order is not a
    0 kg parcel for a weight rule, and the packing table asks for the weight instead of offering 0."""
    org = tenant.organization
    light_service = TransporterService.objects.create(organization=org, transporter=rules["MyPack Home"].transporter,
                                                      name="Brev")
    shipping_actions.do_add_rule(TransporterRule(organization=org, service=light_service, max_weight_kg=Decimal(1)))
    customer(fortnox)
    article(fortnox, "OVAGD")  # no Weight: Fortnox shows 0
    number = order(fortnox, [("OVAGD", 1)], WayOfDelivery="BUD")["DocumentNumber"]

    sync(tenant)

    assert fortnox.get("/3/articles/OVAGD")["Weight"] == 0
    flagged = imported(tenant, number)
    assert flagged.rows.get().article.weight is None
    assert flagged.transporter_service is None and "weight unknown" in flagged.service_problem_text
