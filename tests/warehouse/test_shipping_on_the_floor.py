"""Shipping where warehouse staff work (issue 23): the service in the pick queue and on the order,
orders without one flagged before picking, parcels and weight at packing, the delivery note as a
page and a PDF, and rules an admin edits in place."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from warehouse import shipping_actions
from warehouse.actions import do_adjust_stock, do_pack, do_pick_row, do_report_fulfilled
from warehouse.shipping import ShippingSettings, Transporter, TransporterRule, TransporterService

QUEUE = reverse("warehouse:pick_queue")


@pytest.fixture
def staff(tenant, client_for):
    return client_for(tenant.warehouse)


@pytest.fixture
def services(tenant):
    org = tenant.organization
    postnord = Transporter.objects.create(organization=org, name="PostNord")
    return {name: TransporterService.objects.create(organization=org, transporter=postnord, name=name)
            for name in ("MyPack Collect", "MyPack Home")}


def with_rule(tenant, service, **conditions):
    return shipping_actions.do_add_rule(TransporterRule(organization=tenant.organization, service=service, **conditions))


def test_the_pick_queue_shows_each_orders_service_and_flags_one_without_before_picking(tenant, staff, build, services):
    with_rule(tenant, services["MyPack Collect"], way_of_delivery="P")
    ruled = build.order((build.article(), 1), way_of_delivery="P")
    stray = build.order((build.article(), 1), way_of_delivery="BUD")
    shipping_actions.do_apply_rules(tenant.organization)

    page = staff.get(QUEUE).content.decode()

    assert "PostNord MyPack Collect" in page
    flag = reverse("warehouse:order_service", args=[stray.pk])
    assert f'href="{flag}"' in page and "No service: choose one" in page
    assert f'href="{reverse("warehouse:order_service", args=[ruled.pk])}"' not in page


def test_the_pick_queue_filters_by_service_and_by_no_service(tenant, staff, build, services):
    with_rule(tenant, services["MyPack Home"], way_of_delivery="HEM")
    home = build.order((build.article(), 1), way_of_delivery="HEM", order_number="9001")
    none = build.order((build.article(), 1), way_of_delivery="BUD", order_number="9002")
    shipping_actions.do_apply_rules(tenant.organization)

    by_service = staff.get(QUEUE, {"service": services["MyPack Home"].pk}).content.decode()
    flagged = staff.get(QUEUE, {"service": "none"}).content.decode()

    assert ">9001<" in by_service and ">9002<" not in by_service
    assert ">9002<" in flagged and ">9001<" not in flagged
    assert home.pk and none.pk


def test_the_service_filter_offers_only_this_organizations_services(tenant, other_tenant, staff):
    theirs = TransporterService.objects.create(
        organization=other_tenant.organization, name="Hemlig",
        transporter=Transporter.objects.create(organization=other_tenant.organization, name="Deras"))
    response = staff.get(QUEUE, {"service": theirs.pk})
    assert response.status_code == 200 and "Hemlig" not in response.content.decode()
    assert "Select a valid choice" in response.content.decode()


def test_the_order_page_shows_the_service_and_links_to_choosing_another(tenant, staff, build, services):
    order = build.order((build.article(), 1), transporter_service=services["MyPack Home"])
    page = staff.get(reverse("warehouse:order", args=[order.pk])).content.decode()
    assert "PostNord MyPack Home" in page and reverse("warehouse:order_service", args=[order.pk]) in page


def test_an_order_no_rule_matches_says_why_on_its_page(tenant, staff, build):
    order = build.order((build.article(), 1), way_of_delivery="BUD")
    shipping_actions.do_apply_rules(tenant.organization)
    page = staff.get(reverse("warehouse:order", args=[order.pk])).content.decode()
    assert "No transporter rule matches" in page and "Choose the service" in page


def picked(tenant, build, quantity=2, weight=400):
    article = build.article(weight=weight)
    do_adjust_stock(article, Decimal(10), "count", tenant.owner)
    order = build.order((article, quantity), your_reference="Anna", delivery_name="Anna Andersson",
                        delivery_address1="Storgatan 1", delivery_zip_code="111 22", delivery_city="Stockholm")
    do_pick_row(order.rows.get(), Decimal(quantity), tenant.warehouse)
    return order


def test_packing_asks_for_parcels_and_weight_starting_from_the_articles_weight(tenant, staff, build):
    order = picked(tenant, build, quantity=2, weight=400)
    page = staff.get(reverse("warehouse:order", args=[order.pk])).content.decode()
    assert 'name="parcels"' in page and 'name="weight_kg"' in page and 'value="0.8"' in page

    response = staff.post(reverse("warehouse:order_pack", args=[order.pk]), {"parcels": "2", "weight_kg": "1.25"})

    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.state, order.parcels, order.packed_weight_kg, order.packed_by) == (
        "packed", 2, Decimal("1.25"), tenant.warehouse)


@pytest.mark.parametrize("data, message", [
    ({"parcels": "0", "weight_kg": "1"}, "Ensure this value is greater than or equal to 1."),
    ({"parcels": "1", "weight_kg": ""}, "This field is required."),
    ({"parcels": "1", "weight_kg": "-2"}, "Ensure this value is greater than or equal to 0.001."),
    ({"parcels": "many", "weight_kg": "1"}, "Enter a whole number."),
])
def test_bad_parcels_or_weight_are_explained_and_nothing_is_packed(tenant, staff, build, data, message):
    order = picked(tenant, build)
    response = staff.post(reverse("warehouse:order_pack", args=[order.pk]), data)
    assert response.status_code == 200 and message in response.content.decode()
    order.refresh_from_db()
    assert order.state == "picking" and order.parcels is None


def packed(tenant, build, services, **order_fields):
    order = picked(tenant, build)
    type(order).objects.filter(pk=order.pk).update(
        transporter_service=services["MyPack Home"], your_order_number="PO-77", **order_fields)
    return do_pack(order, tenant.warehouse, parcels=2, weight_kg=Decimal("3.5"))


def test_the_delivery_note_names_sender_addresses_references_service_parcels_and_quantities(
        tenant, staff, build, services):
    settings = ShippingSettings.get_or_create_for(tenant.organization)
    settings.sender = "Lagret AB\nHamngatan 3\n411 01 Göteborg"
    settings.save()
    order = packed(tenant, build, services, language="en")
    order.rows.update(ordered_quantity=Decimal(3))  # 2 picked of 3: one is back-ordered

    page = staff.get(reverse("warehouse:order_delivery_note", args=[order.pk])).content.decode()

    for text in ("Hamngatan 3", "Anna Andersson", "Storgatan 1", "111 22 Stockholm", "PO-77", "Anna",
                 order.customer.customer_number, "PostNord MyPack Home", "3.5 kg"):
        assert text in page, text
    assert '<td class="num">3 st</td><td class="num">2</td><td class="num">1</td>' in page


def test_the_delivery_note_is_in_the_customers_language_and_its_buttons_in_the_readers(tenant, staff, build, services):
    swedish = packed(tenant, build, services)
    english = packed(tenant, build, services, language="en")
    to_swede = staff.get(reverse("warehouse:order_delivery_note", args=[swedish.pk])).content.decode()
    to_briton = staff.get(reverse("warehouse:order_delivery_note", args=[english.pk])).content.decode()
    assert '<main class="sheet" lang="sv">' in to_swede and "Följesedel" in to_swede and "Restnoterat" in to_swede
    assert '<main class="sheet" lang="en">' in to_briton and "Back-ordered" in to_briton and "Följesedel" not in to_briton
    assert '<html lang="en">' in to_swede and ">Print</button>" in to_swede  # the reader's (English) buttons


def test_the_delivery_note_downloads_as_an_a4_pdf(tenant, staff, build, services):
    order = packed(tenant, build, services, delivery_name="Åsa Öberg & Co")
    response = staff.get(reverse("warehouse:order_delivery_note_pdf", args=[order.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and b"/MediaBox [ 0 0 595.2756 841.8898 ]" in response.content
    assert f"{order.order_number}.pdf" in response["Content-Disposition"]


def test_the_delivery_note_after_sending_shows_what_was_delivered(tenant, staff, build, services):
    order = packed(tenant, build, services)
    do_report_fulfilled(order, tenant.warehouse)
    page = staff.get(reverse("warehouse:order_delivery_note", args=[order.pk])).content.decode()
    assert '<td class="num">2 st</td><td class="num">2</td><td class="num">0</td>' in page


def test_the_delivery_note_is_for_warehouse_staff_of_the_orders_organization(
        tenant, other_tenant, client_for, build, build_other):
    order = build.order((build.article(), 1))
    for name in ("warehouse:order_delivery_note", "warehouse:order_delivery_note_pdf"):
        assert client_for(tenant.hr_admin).get(reverse(name, args=[order.pk])).status_code == 403
        assert client_for(other_tenant.warehouse).get(reverse(name, args=[order.pk])).status_code == 404


def test_an_admin_edits_a_rule_in_place_and_open_orders_follow_it(tenant, client_for, build, services):
    rule = with_rule(tenant, services["MyPack Collect"], way_of_delivery="P")
    order = build.order((build.article(weight=100), 1), way_of_delivery="P")
    shipping_actions.do_apply_rules(tenant.organization)
    owner = client_for(tenant.owner)
    url = reverse("warehouse:shipping_rule_edit", args=[rule.pk])
    assert 'value="P"' in owner.get(url).content.decode()

    response = owner.post(url, {"service": services["MyPack Home"].pk, "way_of_delivery": "P"})

    assert response.status_code == 302
    order.refresh_from_db()
    rule.refresh_from_db()
    assert order.transporter_service == services["MyPack Home"] and rule.position == 1


def test_a_rule_whose_service_was_deleted_gets_another_by_editing_it(tenant, client_for, build, services):
    rule = with_rule(tenant, services["MyPack Collect"], way_of_delivery="P")
    order = build.order((build.article(weight=100), 1), way_of_delivery="P")
    shipping_actions.do_delete_service(services["MyPack Collect"])
    order.refresh_from_db()
    assert "service was deleted" in order.service_problem_text

    client_for(tenant.owner).post(reverse("warehouse:shipping_rule_edit", args=[rule.pk]),
                                  {"service": services["MyPack Home"].pk, "way_of_delivery": "P"})

    order.refresh_from_db()
    assert (order.transporter_service, order.service_problem) == (services["MyPack Home"], "")


def test_a_bad_rule_edit_is_explained_and_changes_nothing(tenant, client_for, services):
    rule = with_rule(tenant, services["MyPack Collect"], min_weight_kg=Decimal(1))
    response = client_for(tenant.owner).post(reverse("warehouse:shipping_rule_edit", args=[rule.pk]), {
        "service": services["MyPack Home"].pk, "min_weight_kg": "9", "max_weight_kg": "2"})
    assert response.status_code == 200 and "“From weight” is more than “up to weight”." in response.content.decode()
    rule.refresh_from_db()
    assert (rule.service, rule.min_weight_kg) == (services["MyPack Collect"], Decimal(1))


def test_only_organization_admins_edit_rules_and_only_their_own(tenant, other_tenant, client_for, services):
    rule = with_rule(tenant, services["MyPack Collect"])
    url = reverse("warehouse:shipping_rule_edit", args=[rule.pk])
    assert client_for(tenant.warehouse).get(url).status_code == 403
    assert client_for(other_tenant.owner).get(url).status_code == 404


def test_the_pick_queue_with_a_service_on_every_order_runs_the_same_queries_for_3_and_30_orders(tenant, staff, build):
    def order_with_its_own_service(n):
        transporter = Transporter.objects.create(organization=tenant.organization, name=f"T{n}")
        service = TransporterService.objects.create(organization=tenant.organization, transporter=transporter, name="S")
        build.order(transporter_service=service)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert staff.get(QUEUE).status_code == 200
        return len(captured)

    staff.get(QUEUE)
    for n in range(3):
        order_with_its_own_service(n)
    few = queries()
    for n in range(3, 30):
        order_with_its_own_service(n)
    assert queries() == few


def test_why_an_order_has_no_service_is_read_in_each_readers_language(tenant, client_for, build):
    order = build.order((build.article(weight=500), 2), way_of_delivery="BUD")
    shipping_actions.do_apply_rules(tenant.organization)  # as a sync would, in no one's language
    url = reverse("warehouse:order", args=[order.pk])
    tenant.warehouse.language = "sv"
    tenant.warehouse.save(update_fields=["language"])
    swedish = client_for(tenant.warehouse).get(url).content.decode()
    tenant.warehouse.language = "en"
    tenant.warehouse.save(update_fields=["language"])
    english = client_for(tenant.warehouse).get(url).content.decode()
    assert "Ingen transportörsregel stämmer (leveranssätt ”BUD”" in swedish
    assert "No transporter rule matches (way of delivery “BUD”" in english
