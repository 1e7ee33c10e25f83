"""Journey 3: the admin presses "Sync now" and watches the first import; warehouse staff pick an
order on a phone by scanning EANs and report it fulfilled, and the sandbox shows the delivered
quantities and one invoice; a purchase order is received in two parts and each part reaches
Fortnox as its own incoming goods."""

import re

import pytest
from playwright.sync_api import expect

from integrations.fortnox.client import FortnoxClient
from tests.support.browser import check_accessibility, log_in_on, menu_link, save_screenshot
from tests.support.processes import wait_for
from tests.support.warehouse_sync import FAST, article, configure, customer, order, sent_purchase_order, sync

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_staff_pick_an_order_on_a_phone_by_ean_and_fortnox_gets_the_delivered_quantities_and_one_invoice(
        tenant, page, log_in, phone, sandbox, make_company, connect_wms, cluster):
    company = make_company(**FAST)
    with FortnoxClient(connect_wms(tenant, company)) as fortnox:
        customer(fortnox, Name="Kafé Bryggan")
        article(fortnox, "A1", Description="Kaffe 500 g", EAN="7350000000016")
        article(fortnox, "A2", Description="Filter 100 st", EAN="7350000000023")
        created = order(fortnox, [("A1", 2), ("A2", 1)])
    number = str(created["DocumentNumber"])

    log_in(tenant.owner.email)
    menu = page.get_by_role("navigation", name="Main menu")
    expect(menu.get_by_role("link", name="Receipts for Fortnox")).to_have_count(1)  # admins work in the warehouse too
    menu_link(page, "Integrations").click()
    page.get_by_role("link", name="Fortnox warehouse").click()
    check_accessibility(page)
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#run-progress")).to_contain_text(re.compile(r"\d+ of \d+"))
    expect(page.locator("#run-progress")).to_contain_text("Finished", timeout=45_000)
    expect(page.locator("#run-progress")).to_contain_text("Orders: created")
    save_screenshot(page, "warehouse-sync")

    log_in_on(phone, tenant.warehouse.email)
    phone.get_by_role("link", name="Pick queue").click()
    check_accessibility(phone)
    phone.get_by_role("link", name=number, exact=True).click()
    phone.get_by_role("button", name="Start picking").click()
    for ean, quantity in (("7350000000016", "2"), ("7350000000023", "1")):
        scanner = phone.locator("form.scan-form")
        scanner.get_by_label("Scan").fill(ean)
        scanner.get_by_label("Quantity").fill(quantity)
        scanner.get_by_role("button", name="Pick").click()
    check_accessibility(phone)
    save_screenshot(phone, "pick-screen")
    phone.get_by_label("Weight (kg)").fill("1.2")  # packing asks for parcels (1 by default) and weight
    phone.get_by_role("button", name="Pack").click()
    phone.get_by_role("button", name="Report fulfilled").click()
    expect(phone.get_by_role("heading", name=re.compile(number))).to_contain_text("Sent")

    invoices = wait_for(lambda: sandbox.records(company.data, "invoices"))
    fortnox_order = next(r["document"] for r in sandbox.records(company.data, "orders") if str(r["key"]) == number)
    delivered = {row["ArticleNumber"]: float(row["DeliveredQuantity"]) for row in fortnox_order["OrderRows"]}
    assert delivered == {"A1": 2, "A2": 1}
    assert len(invoices) == 1 and str(fortnox_order["InvoiceReference"]) == str(invoices[0]["key"])


def test_staff_receive_a_purchase_order_in_two_parts_and_fortnox_gets_two_incoming_goods(
        tenant, phone, sandbox, make_company, connect_wms, cluster):
    company = make_company(warehouse_licence=True, purchase_orders_licence=True, negative_stock_allowed=True, **FAST)
    with FortnoxClient(connect_wms(tenant, company)) as fortnox:
        configure(tenant, use_warehouse_module=True)
        created = sent_purchase_order(fortnox, quantity=10)
        sync(tenant)

    log_in_on(phone, tenant.warehouse.email)
    for part in ("4", "6"):
        phone.get_by_role("link", name="Receiving").click()
        phone.get_by_role("link", name=re.compile(str(created["id"]))).first.click()
        phone.get_by_role("textbox", name=re.compile("A1")).or_(phone.get_by_role("spinbutton", name=re.compile("A1"))).fill(part)
        phone.get_by_role("button", name="Record receipt").click()
        phone.get_by_role("link", name="Receipts for Fortnox").click()
        phone.get_by_role("button", name="Report to Fortnox").click()
        expect(phone.get_by_text(re.compile("is on its way to Fortnox"))).to_be_visible()
        wait_for(lambda part=part: len(sandbox.records(company.data, "incominggoods")) == (1 if part == "4" else 2))
    check_accessibility(phone)

    purchase_order = wait_for(lambda: next((r["document"] for r in sandbox.records(company.data, "purchaseorders")
                                            if r["document"].get("purchaseOrderState") == "RECEIVED"), None))
    assert str(purchase_order["id"]) == str(created["id"])
    goods = [r["document"] for r in sandbox.records(company.data, "incominggoods")]
    assert sorted(row["receivedQuantity"] for doc in goods for row in doc["rows"]) == [4, 6]
