"""The shipping pages (issue 23): the organization admin keeps transporters, services and rules;
warehouse staff choose an order's service with a reason. Roles and organizations are checked."""

import pytest
from django.urls import reverse

from warehouse.shipping import Transporter, TransporterRule, TransporterService, WayOfDelivery

SETTINGS = reverse("warehouse:shipping")


@pytest.fixture
def owner(tenant, client_for):
    return client_for(tenant.owner)


def add(client, form, **fields):
    return client.post(SETTINGS, {"form": form, **{f"{form}-{name}": value for name, value in fields.items()}})


def test_an_admin_adds_a_transporter_a_service_and_a_rule_and_open_orders_get_the_service(tenant, owner, build):
    WayOfDelivery.objects.create(organization=tenant.organization, code="P", description="Posten")
    order = build.order((build.article(weight=800), 1), way_of_delivery="P")
    assert add(owner, "transporter", name="PostNord").status_code == 302
    postnord = Transporter.objects.get()
    assert add(owner, "service", transporter=postnord.pk, name="MyPack Collect", code="19").status_code == 302
    service = TransporterService.objects.get()
    response = add(owner, "rule", service=service.pk, way_of_delivery="P", max_weight_kg="1")
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.transporter_service == service
    page = owner.get(SETTINGS).content.decode()
    assert "PostNord MyPack Collect" in page and "P Posten" in page


def test_bad_rule_input_is_shown_on_the_form_and_nothing_is_saved(tenant, owner):
    postnord = Transporter.objects.create(organization=tenant.organization, name="PostNord")
    service = TransporterService.objects.create(organization=tenant.organization, transporter=postnord, name="Paket")
    response = add(owner, "rule", service=service.pk, min_weight_kg="20", max_weight_kg="5")
    assert response.status_code == 200 and "“From weight” is more than “up to weight”." in response.content.decode()
    assert add(owner, "rule", service="", max_weight_kg="abc").status_code == 200
    assert add(owner, "transporter", name="postnord").status_code == 200
    assert not TransporterRule.objects.exists() and Transporter.objects.count() == 1


def test_a_rule_cannot_point_at_another_organizations_service(tenant, other_tenant, owner):
    theirs = TransporterService.objects.create(
        organization=other_tenant.organization, name="Paket",
        transporter=Transporter.objects.create(organization=other_tenant.organization, name="DHL"))
    assert add(owner, "rule", service=theirs.pk).status_code == 200
    assert not TransporterRule.objects.exists()


def test_a_deleted_service_leaves_its_rule_with_a_clear_message(tenant, owner):
    postnord = Transporter.objects.create(organization=tenant.organization, name="PostNord")
    service = TransporterService.objects.create(organization=tenant.organization, transporter=postnord, name="Paket")
    add(owner, "rule", service=service.pk, way_of_delivery="P")
    assert owner.post(reverse("warehouse:shipping_service_delete", args=[service.pk])).status_code == 302
    assert TransporterRule.objects.get().service is None
    assert "Its service was deleted" in owner.get(SETTINGS).content.decode()


@pytest.mark.parametrize("role", ["warehouse", "hr_admin", "manager", "employee"])
def test_only_organization_admins_keep_the_shipping_settings(tenant, client_for, role):
    client = client_for(getattr(tenant, role))
    assert client.get(SETTINGS).status_code == 403
    assert add(client, "transporter", name="Smugglare").status_code == 403
    assert client.post(reverse("warehouse:shipping_apply_rules")).status_code == 403
    assert not Transporter.objects.exists()


def test_another_organizations_rules_and_services_are_a_404(tenant, other_tenant, owner):
    org = other_tenant.organization
    service = TransporterService.objects.create(
        organization=org, name="Paket", transporter=Transporter.objects.create(organization=org, name="DHL"))
    rule = TransporterRule.objects.create(organization=org, service=service)
    for name, pk in (("shipping_service_delete", service.pk), ("shipping_rule_delete", rule.pk),
                     ("shipping_rule_move", rule.pk)):
        assert owner.post(reverse(f"warehouse:{name}", args=[pk])).status_code == 404
    assert TransporterService.objects.filter(pk=service.pk).exists() and TransporterRule.objects.filter(pk=rule.pk).exists()


def test_warehouse_staff_choose_an_orders_service_with_a_reason(tenant, client_for, build):
    service = TransporterService.objects.create(
        organization=tenant.organization, name="Pick-up at the warehouse",
        transporter=Transporter.objects.create(organization=tenant.organization, name="Egen hämtning"))
    order = build.order()
    picker = client_for(tenant.warehouse)
    url = reverse("warehouse:order_service", args=[order.pk])
    without_reason = picker.post(url, {"service": service.pk, "reason": ""})
    assert without_reason.status_code == 200 and "This field is required." in without_reason.content.decode()
    assert picker.post(url, {"service": service.pk, "reason": "Kunden hämtar"}).status_code == 302
    order.refresh_from_db()
    assert (order.transporter_service, order.service_override_reason, order.service_overridden_by) == (
        service, "Kunden hämtar", tenant.warehouse)


def test_an_orders_service_page_is_for_warehouse_staff_of_its_organization(tenant, other_tenant, client_for, build,
                                                                          build_other):
    url = reverse("warehouse:order_service", args=[build.order().pk])
    assert client_for(tenant.hr_admin).get(url).status_code == 403
    assert client_for(other_tenant.warehouse).get(url).status_code == 404
    other_url = reverse("warehouse:order_service", args=[build_other.order().pk])
    assert client_for(tenant.warehouse).get(other_url).status_code == 404
