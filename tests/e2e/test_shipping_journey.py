"""Browser journeys (issue 23): on a phone, an organization admin adds a transporter, a service and
a rule on the Shipping page; an open order from Fortnox's way of delivery gets that service, and
a picker chooses another with a reason. Then the whole of shipping as a new user tries it: two
services and three rules, a sync whose orders land on the right service (one unmatched, flagged
in the queue), a picker on a phone who packs with parcels and weight, opens the delivery note and
reports fulfilled, and the customer's email in the outgoing mail, once."""

import re
from email import message_from_string, policy

import pytest
from playwright.sync_api import expect

from integrations.fortnox.client import FortnoxClient
from tests.support.browser import check_accessibility, log_in_on, save_screenshot
from tests.support.processes import wait_for
from tests.support.warehouse import Build
from tests.support.warehouse_sync import FAST, article, customer, order, sync
from warehouse.models import SalesOrder
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


@pytest.fixture
def outgoing_mail(tmp_path, monkeypatch, request):
    """The job cluster's mail, written to files here as a mail server would receive it (the
    cluster is another process, so Django's test outbox cannot see it)."""
    monkeypatch.setenv("EMAIL_URL", f"filemail:///{tmp_path}")
    request.getfixturevalue("cluster")

    def messages():
        return [message_from_string(path.read_text(), policy=policy.default) for path in sorted(tmp_path.glob("*.log"))]

    return messages


def add_rule(page, service, way, max_kg=""):
    page.locator("#id_rule-service").select_option(label=service)
    page.locator("#id_rule-way_of_delivery").select_option(way)
    page.locator("#id_rule-max_weight_kg").fill(max_kg)
    page.get_by_role("button", name="Add rule").click()
    expect(page.get_by_text("Saved.")).to_be_visible()


def test_orders_from_a_sync_land_on_their_services_and_a_picker_ships_one_with_a_delivery_note_and_the_customer_is_emailed_once(
        tenant, page, log_in, phone, make_company, connect_wms, outgoing_mail):
    org = tenant.organization
    org.language = "en"
    org.save(update_fields=["language"])
    with FortnoxClient(connect_wms(tenant, make_company(**FAST))) as fortnox:
        for code, description in (("P", "Posten"), ("DHL", "DHL")):
            fortnox.post("/3/wayofdeliveries", {"WayOfDelivery": {"Code": code, "Description": description}})
        customer(fortnox, Name="Kafé Bryggan", Email="inkop@kafebryggan.se")
        article(fortnox, "MUGG", Description="Kaffemugg", Weight=400)
        article(fortnox, "SÄCK", Description="Kaffesäck 25 kg", Weight=25000)
        light = str(order(fortnox, [("MUGG", 2)], WayOfDelivery="P")["DocumentNumber"])
        stray = str(order(fortnox, [("MUGG", 1)], WayOfDelivery="ÅNGBÅT")["DocumentNumber"])
        sync(tenant)

        log_in(tenant.owner.email)
        page.goto("/warehouse/shipping/")
        expect(page.get_by_text("2 open orders have no transporter service")).to_be_visible()
        for transporter, service in (("PostNord", "MyPack Collect"), ("DHL", "Paket")):
            page.locator("#id_transporter-name").fill(transporter)
            page.get_by_role("button", name="Add transporter").click()
            page.locator("#id_service-transporter").select_option(label=transporter)
            page.locator("#id_service-name").fill(service)
            page.get_by_role("button", name="Add service").click()
        add_rule(page, "PostNord MyPack Collect", "P", max_kg="5")
        add_rule(page, "DHL Paket", "P")
        add_rule(page, "DHL Paket", "DHL")
        page.get_by_label("Email the customer when the order is sent").check()
        page.get_by_label("Sender on delivery notes").fill("Bryggans Lager AB\nHamngatan 3\n411 01 Göteborg")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("1 open order has no transporter service")).to_be_visible()
        check_accessibility(page)

        heavy = str(order(fortnox, [("SÄCK", 1)], WayOfDelivery="P")["DocumentNumber"])
        sync(tenant)
    services = {number: str(SalesOrder.objects.get(organization=org, order_number=number).transporter_service)
                for number in (light, heavy, stray)}
    assert services == {light: "PostNord MyPack Collect", heavy: "DHL Paket", stray: "None"}

    log_in_on(phone, tenant.warehouse.email)
    phone.get_by_role("link", name="Pick queue").click()
    row_of = {number: phone.get_by_role("row").filter(has=phone.get_by_role("link", name=number, exact=True))
              for number in (light, heavy, stray)}
    expect(row_of[light]).to_contain_text("PostNord MyPack Collect")
    expect(row_of[heavy]).to_contain_text("DHL Paket")
    expect(row_of[stray].get_by_role("link", name="No service: choose one")).to_be_visible()
    check_accessibility(phone)
    save_screenshot(phone, "shipping-pick-queue")
    phone.get_by_label("Transporter service").select_option(label="None: flagged, choose one")
    phone.get_by_role("button", name="Show").click()
    expect(phone.get_by_role("link", name=stray, exact=True)).to_be_visible()
    expect(phone.get_by_role("link", name=light, exact=True)).to_have_count(0)

    phone.goto("/warehouse/")
    phone.get_by_role("link", name=light, exact=True).click()
    expect(phone.get_by_text("PostNord MyPack Collect")).to_be_visible()
    phone.locator("form.pick-row-form").get_by_role("button", name="Pick").click()
    expect(phone.get_by_label("Weight (kg)")).to_have_value("0.8")  # from the articles' weights
    phone.get_by_label("Parcels").fill("2")
    phone.get_by_label("Weight (kg)").fill("0.95")
    check_accessibility(phone)
    phone.get_by_role("button", name="Pack").click()
    expect(phone.get_by_text("2 parcels, 0.95 kg")).to_be_visible()

    phone.get_by_role("link", name="Delivery note", exact=True).click()
    expect(phone.get_by_role("heading", name=re.compile("Följesedel"))).to_be_visible()  # the customer's language
    for text in ("Bryggans Lager AB", "Kafé Bryggan", "PostNord MyPack Collect", "0,95 kg", "Kaffemugg"):
        expect(phone.locator("main")).to_contain_text(text)
    check_accessibility(phone)
    save_screenshot(phone, "delivery-note")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    pdf = phone.request.get(f"/warehouse/orders/{SalesOrder.objects.get(order_number=light).pk}/delivery-note.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF-")
    phone.get_by_role("link", name=re.compile(light)).click()

    phone.get_by_role("button", name="Report fulfilled").click()
    expect(phone.get_by_role("heading", name=re.compile(light))).to_contain_text("Sent")
    [email] = wait_for(outgoing_mail)
    assert email["To"] == "inkop@kafebryggan.se" and email["Subject"] == f"Din order {light} är på väg"
    body = email.get_content()
    assert "PostNord MyPack Collect" in body and "2 st Kaffemugg (MUGG)" in body and "Bryggans Lager AB" in body
    phone.reload()
    expect(phone.get_by_text("inkop@kafebryggan.se")).to_be_visible()
    expect(phone.get_by_role("button", name="Report fulfilled")).to_have_count(0)
    assert len(outgoing_mail()) == 1  # once
