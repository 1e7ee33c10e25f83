"""Browser journey (issue 23): on a phone, an organization admin adds a transporter, a service and
a rule on the Shipping page; an open order from Fortnox's way of delivery gets that service, and
a picker chooses another with a reason."""

from playwright.sync_api import expect

from tests.support.browser import check_accessibility, log_in_on
from tests.support.warehouse import Build
from warehouse.shipping import WayOfDelivery


def test_an_admin_sets_up_shipping_on_a_phone_and_a_picker_overrides_an_orders_service(tenant, phone):
    org = tenant.organization
    org.language = "en"
    org.save(update_fields=["language"])
    WayOfDelivery.objects.create(organization=org, code="P", description="Posten")
    order = Build(org).order((Build(org).article(weight=400), 2), way_of_delivery="P")

    log_in_on(phone, tenant.owner.email)
    phone.goto("/warehouse/shipping/")
    expect(phone.get_by_text("No rules yet")).to_be_visible()
    check_accessibility(phone)
    phone.locator("#id_transporter-name").fill("PostNord")
    phone.get_by_role("button", name="Add transporter").click()
    phone.locator("#id_service-transporter").select_option(label="PostNord")
    phone.locator("#id_service-name").fill("MyPack Collect")
    phone.get_by_role("button", name="Add service").click()
    phone.locator("#id_rule-service").select_option(label="PostNord MyPack Collect")
    phone.locator("#id_rule-way_of_delivery").select_option("P")
    phone.locator("#id_rule-max_weight_kg").fill("5")
    phone.get_by_role("button", name="Add rule").click()
    expect(phone.get_by_role("cell", name="PostNord MyPack Collect")).to_be_visible()
    check_accessibility(phone)
    order.refresh_from_db()
    assert str(order.transporter_service) == "PostNord MyPack Collect"

    phone.goto("/warehouse/shipping/")
    phone.locator("#id_transporter-name").fill("Egen hämtning")
    phone.get_by_role("button", name="Add transporter").click()
    phone.locator("#id_service-transporter").select_option(label="Egen hämtning")
    phone.locator("#id_service-name").fill("Pick-up at the warehouse")
    phone.get_by_role("button", name="Add service").click()
    phone.context.clear_cookies()

    log_in_on(phone, tenant.warehouse.email)
    phone.goto(f"/warehouse/orders/{order.pk}/service/")
    expect(phone.get_by_text("PostNord MyPack Collect").first).to_be_visible()
    phone.get_by_label("Service").select_option(label="Egen hämtning Pick-up at the warehouse")
    expect(phone.get_by_label("Reason")).to_have_attribute("required", "")  # the browser asks before sending
    phone.get_by_label("Reason").fill("Kunden hämtar själv")
    phone.get_by_role("button", name="Use this service").click()
    expect(phone.get_by_text("Kunden hämtar själv")).to_be_visible()
    check_accessibility(phone)
    order.refresh_from_db()
    assert order.service_override_reason == "Kunden hämtar själv"
