"""Transporter assignment (issue 23): ordered rules, first match wins, by way and terms of
delivery, order type, delivery country and total weight; staff's own choice with a reason; and
what happens when a service or a rule goes away."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from warehouse import actions, shipping_actions
from warehouse.models import OrderType, SalesOrder
from warehouse.shipping import Transporter, TransporterRule, TransporterService


@pytest.fixture
def services(tenant):
    org = tenant.organization
    postnord = Transporter.objects.create(organization=org, name="PostNord")
    dhl = Transporter.objects.create(organization=org, name="DHL")
    own = Transporter.objects.create(organization=org, name="Egen hämtning")
    return {
        "mypack": TransporterService.objects.create(organization=org, transporter=postnord, name="MyPack Collect"),
        "dhl": TransporterService.objects.create(organization=org, transporter=dhl, name="Paket"),
        "pickup": TransporterService.objects.create(organization=org, transporter=own, name="Pick-up at the warehouse"),
    }


@pytest.fixture
def rule(tenant, services):
    def make(service, **conditions):
        return shipping_actions.do_add_rule(TransporterRule(
            organization=tenant.organization, service=services[service], **conditions))

    return make


def service_of(order) -> tuple:
    order.refresh_from_db()
    return (str(order.transporter_service) if order.transporter_service else None), order.service_problem_text


def assign(order):
    shipping_actions.do_assign_service(order, TransporterRule.in_order(order.organization))
    return service_of(order)


def test_the_first_matching_rule_wins(build, rule):
    order = build.order((build.article(), 1), way_of_delivery="P")
    rule("dhl", way_of_delivery="P")
    rule("mypack", way_of_delivery="P")
    assert assign(order) == ("DHL Paket", "")


def test_a_way_of_delivery_rule_matches_its_code_whatever_the_case(build, rule):
    rule("pickup", way_of_delivery="HÄM")
    rule("mypack")
    assert assign(build.order(way_of_delivery="häm")) == ("Egen hämtning Pick-up at the warehouse", "")
    assert assign(build.order(way_of_delivery="P")) == ("PostNord MyPack Collect", "")


def test_a_terms_of_delivery_rule_matches_only_those_terms(build, rule):
    rule("dhl", terms_of_delivery="FRITT")
    assert assign(build.order(terms_of_delivery="FRITT"))[0] == "DHL Paket"
    assert assign(build.order(terms_of_delivery="EXW"))[0] is None


def test_an_order_type_rule_tells_b2b_from_b2c_and_an_order_without_type_matches_neither(tenant, build, rule):
    rule("dhl", order_kind="b2b")
    rule("mypack", order_kind="b2c")
    b2b = OrderType.for_kind(tenant.organization, OrderType.Kind.B2B)
    b2c = OrderType.for_kind(tenant.organization, OrderType.Kind.B2C)
    assert assign(build.order(order_type=b2b))[0] == "DHL Paket"
    assert assign(build.order(order_type=b2c))[0] == "PostNord MyPack Collect"
    assert assign(build.order())[0] is None


def test_a_country_rule_counts_an_order_without_country_as_sverige(build, rule):
    rule("dhl", delivery_country="Norge")
    rule("mypack", delivery_country="Sverige")
    assert assign(build.order(delivery_country="NORGE"))[0] == "DHL Paket"
    assert assign(build.order(delivery_country=""))[0] == "PostNord MyPack Collect"
    assert assign(build.order(delivery_country="Danmark"))[0] is None


def test_the_weight_is_the_articles_weights_times_the_quantities_and_services_weigh_nothing(build, rule):
    rule("mypack", max_weight_kg=Decimal("2"))
    rule("dhl", min_weight_kg=Decimal("2.001"), max_weight_kg=Decimal("20"))
    screw = build.article(weight=500)
    freight = build.article(is_stock_article=False)
    assert assign(build.order((screw, 4), (freight, 1)))[0] == "PostNord MyPack Collect"  # exactly 2 kg
    assert assign(build.order((screw, 5)))[0] == "DHL Paket"
    heavy = assign(build.order((screw, 41)))
    assert heavy[0] is None and "20.5 kg" in heavy[1]


def test_an_unknown_weight_never_matches_a_weight_rule_but_does_match_one_without(build, rule):
    rule("dhl", max_weight_kg=Decimal("100"))
    rule("mypack")
    assert assign(build.order((build.article(weight=None), 1))) == ("PostNord MyPack Collect", "")


def test_an_order_no_rule_matches_is_flagged_with_what_the_rules_looked_at(build, rule):
    rule("dhl", way_of_delivery="DHL")
    service, problem = assign(build.order((build.article(weight=1500), 2), way_of_delivery="BUD",
                                          terms_of_delivery="FVL"))
    assert service is None
    assert problem == "No transporter rule matches (way of delivery “BUD”, terms “FVL”, no order type, Sverige, 3 kg)."


def test_a_rule_whose_service_was_deleted_is_kept_and_flags_the_orders_it_matches(tenant, build, rule, services):
    kept = rule("dhl", way_of_delivery="DHL")
    rule("mypack")
    order = build.order(way_of_delivery="DHL")
    assert assign(order)[0] == "DHL Paket"

    shipping_actions.do_delete_service(services["dhl"])

    kept.refresh_from_db()
    assert kept.service is None and TransporterRule.objects.count() == 2
    assert service_of(order) == (None, f"Rule {kept.position} matches, but its service was deleted.")


def test_an_inactive_service_is_not_given_to_orders(build, rule, services):
    rule("dhl")
    services["dhl"].active = False
    services["dhl"].save()
    assert "is not active" in assign(build.order())[1]


def test_staff_choose_a_service_with_a_reason_and_the_rules_then_leave_it_alone(tenant, build, rule, services):
    rule("dhl")
    order = build.order()
    with pytest.raises(ValidationError):
        shipping_actions.do_override_service(order, services["pickup"], "  ", tenant.warehouse)
    shipping_actions.do_override_service(order, services["pickup"], "Kunden hämtar själv", tenant.warehouse)
    shipping_actions.do_apply_rules(tenant.organization)
    order.refresh_from_db()
    assert (order.transporter_service, order.service_override_reason, order.service_overridden_by) == (
        services["pickup"], "Kunden hämtar själv", tenant.warehouse)

    shipping_actions.do_use_rules_again(order)
    assert service_of(order) == ("DHL Paket", "")


def test_a_service_of_another_organization_cannot_be_chosen(tenant, other_tenant, build):
    theirs = TransporterService.objects.create(
        organization=other_tenant.organization, name="Paket",
        transporter=Transporter.objects.create(organization=other_tenant.organization, name="DHL"))
    with pytest.raises(ValidationError):
        shipping_actions.do_override_service(build.order(), theirs, "Fel", tenant.warehouse)
    assert SalesOrder.objects.get().transporter_service is None


def test_once_picking_started_changed_rules_no_longer_change_the_order(tenant, build, rule):
    rule("dhl")
    order = build.order((build.article(), 1))
    assign(order)
    actions.do_start_picking(order, tenant.warehouse)
    TransporterRule.objects.all().delete()
    rule("mypack")
    assert service_of(order) == ("DHL Paket", "")


def test_moving_a_rule_up_changes_which_matches_first_and_orders_follow(tenant, build, rule):
    rule("dhl")
    second = rule("mypack")
    order = build.order()
    assign(order)
    shipping_actions.do_move_rule(second, up=True)
    assert [r.service.name for r in TransporterRule.in_order(tenant.organization)] == ["MyPack Collect", "Paket"]
    assert service_of(order)[0] == "PostNord MyPack Collect"


def test_deleting_the_only_matching_rule_flags_the_order(build, rule):
    only = rule("dhl")
    order = build.order()
    assign(order)
    shipping_actions.do_delete_rule(only)
    assert service_of(order)[0] is None and "No transporter rule matches" in service_of(order)[1]


def test_an_order_that_left_the_warehouse_keeps_its_service(tenant, build, services):
    order = build.order(state=SalesOrder.State.SENT)
    with pytest.raises(ValidationError):
        shipping_actions.do_override_service(order, services["dhl"], "För sent", tenant.warehouse)
