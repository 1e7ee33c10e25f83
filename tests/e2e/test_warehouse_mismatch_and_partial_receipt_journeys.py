"""Journeys with non-default settings (issue 15): Fortnox turns its warehouse module on under a
connected organization, and the picker is stopped before starting, with the reason, until the
admin follows Fortnox; a purchase order Fortnox has partly received is received to the end in
Brygga, with an over-receipt confirmed on another row, and Fortnox gets exactly that. Each
window is checked for what its person sees, with axe, at 1280 px (admin) and 390 px (phone)."""

import re

import pytest
from playwright.sync_api import expect

from integrations.fortnox.client import FortnoxClient
from tests.support.browser import check_accessibility, log_in_on, save_artifact
from tests.support.processes import wait_for
from tests.support.warehouse_sync import FAST, article, customer, order, receive_in_fortnox, supplier, sync

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PURCHASE_ORDERS = "/api/warehouse/purchaseorders-v1"


def picture(page, name: str) -> None:
    save_artifact(page, f"journeys/{name}")


def test_fortnox_turning_its_warehouse_module_on_stops_the_picker_up_front_until_the_admin_follows_it(
        tenant, page, log_in, phone, sandbox, make_company, connect_wms, cluster):
    company = make_company(**FAST)
    with FortnoxClient(connect_wms(tenant, company)) as fortnox:
        customer(fortnox, Name="Kafé Bryggan")
        article(fortnox, "A1", Description="Kaffe 500 g", EAN="7350000000016")
        sync(tenant)
        sandbox.update_company(company.data, warehouse_licence=True, negative_stock_allowed=True)  # someone activates Lager in Fortnox
        number = str(order(fortnox, [("A1", 2)])["DocumentNumber"])

    log_in(tenant.owner.email)
    page.goto("/integrations/fortnox/warehouse/")
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#run-progress")).to_contain_text("Finished", timeout=45_000)
    expect(page.locator("#run-progress")).to_contain_text("Fortnox now uses the warehouse module (Lager)")

    log_in_on(phone, tenant.warehouse.email)
    phone.get_by_role("link", name="Pick queue").click()
    phone.get_by_role("link", name=number, exact=True).click()
    blocked = phone.locator("#reporting-blocked")
    expect(blocked).to_contain_text("Work cannot be reported now.")
    expect(blocked).to_contain_text("Fortnox now uses the warehouse module (Lager)")
    expect(phone.get_by_role("button", name="Start picking")).to_have_count(0)
    expect(phone.get_by_role("button", name="Pick")).to_have_count(0)
    check_accessibility(phone)
    picture(phone, "mismatch-picker-390")

    # The admin was told (bell and email), cannot save the contradiction, and follows Fortnox.
    page.locator("#notification-bell").click()
    expect(page.get_by_text(re.compile("cannot be reported to Fortnox"))).to_be_visible()
    page.goto("/integrations/fortnox/warehouse/")
    expect(page.locator("#warehouse-mode-conflict")).to_be_visible()
    module = page.get_by_label("Use the Fortnox warehouse module (Lager)")
    expect(module).not_to_be_checked()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("so Brygga must use it too")).to_be_visible()
    check_accessibility(page)
    picture(page, "mismatch-settings-1280")
    page.get_by_label("Use the Fortnox warehouse module (Lager)").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Warehouse integration settings saved.")).to_be_visible()
    expect(page.locator("#warehouse-mode-conflict")).to_have_count(0)

    # Now the picker works, and the page says "sent to Fortnox" only once Fortnox has it.
    phone.reload()
    expect(phone.locator("#reporting-blocked")).to_have_count(0)
    scanner = phone.locator("form.scan-form")
    scanner.get_by_label("Scan").fill("7350000000016")
    scanner.get_by_label("Quantity").fill("2")
    scanner.get_by_role("button", name="Pick").click()
    phone.get_by_label("Weight (kg)").fill("1.2")  # packing asks for parcels (1 by default) and weight
    phone.get_by_role("button", name="Pack").click()
    phone.get_by_role("button", name="Report fulfilled").click()
    expect(phone.get_by_text(re.compile(r"is marked sent\."))).to_be_visible()
    state = phone.locator(".report-state")
    expect(state).to_contain_text(re.compile("On its way to Fortnox|Sent to Fortnox"))
    expect(state).to_contain_text("Sent to Fortnox", timeout=45_000)  # the page asked again by itself
    check_accessibility(phone)
    picture(phone, "mismatch-sent-390")
    fortnox_order = next(r["document"] for r in sandbox.records(company.data, "orders") if str(r["key"]) == number)
    assert fortnox_order["WarehouseReady"] and float(fortnox_order["OrderRows"][0]["DeliveredQuantity"]) == 2


def two_row_purchase_order(fortnox) -> dict:
    supplier(fortnox, "L1")
    article(fortnox, "A1", Description="Kaffe 500 g")
    article(fortnox, "A2", Description="Filter 100 st")
    created = fortnox.post(PURCHASE_ORDERS, {
        "supplierNumber": "L1", "orderDate": "2026-01-05", "currencyCode": "SEK", "currencyRate": 1,
        "paymentTermsCode": "30", "deliveryName": "Lager", "deliveryAddress": "Gatan 1", "deliveryZipCode": "11122",
        "deliveryCity": "Stockholm", "rows": [{"itemId": "A1", "orderedQuantity": 10, "currencyCode": "SEK"},
                                              {"itemId": "A2", "orderedQuantity": 5, "currencyCode": "SEK"}]})
    fortnox.post(f"{PURCHASE_ORDERS}/{created['id']}/send",
                 {"receiver": "a@b.test", "replyTo": "a@b.test", "subject": "PO", "body": "PO"})
    return created


def test_staff_receive_the_rest_of_a_purchase_order_fortnox_partly_received_and_confirm_an_over_receipt(
        tenant, page, log_in, phone, sandbox, make_company, connect_wms, cluster):
    company = make_company(warehouse_licence=True, purchase_orders_licence=True, negative_stock_allowed=True, **FAST)
    with FortnoxClient(connect_wms(tenant, company)) as fortnox:
        created = two_row_purchase_order(fortnox)
        receive_in_fortnox(fortnox, created, 4)  # 4 of A1 were received in Fortnox already
        sync(tenant)

    log_in_on(phone, tenant.warehouse.email)
    phone.get_by_role("link", name="Receiving").click()
    phone.get_by_role("link", name=str(created["id"]), exact=True).click()
    rows = phone.locator("table.full tbody tr")
    expect(rows.nth(0)).to_contain_text("4")  # Fortnox's received quantity, not 0
    phone.get_by_role("spinbutton", name=re.compile("A1")).fill("6")
    phone.get_by_role("spinbutton", name=re.compile("A2")).fill("6")
    phone.get_by_label(re.compile("Note")).fill("FS-2291")
    phone.get_by_role("button", name="Record receipt").click()

    expect(phone.get_by_role("heading", name="More than expected arrived?")).to_be_visible()
    expect(phone.locator("table.full tbody tr")).to_have_count(1)  # only A2 is more than expected
    check_accessibility(phone)
    picture(phone, "over-receipt-confirm-390")
    phone.get_by_role("button", name="Yes, record the over-receipt").click()
    expect(phone.get_by_text("Receipt recorded.")).to_be_visible()
    expect(phone.get_by_text("over-receipt", exact=True)).to_be_visible()
    expect(phone.locator(".report-state")).to_contain_text("Not reported to Fortnox yet")

    phone.get_by_role("link", name="Receipts for Fortnox").click()
    phone.get_by_role("button", name="Report to Fortnox").click()
    expect(phone.get_by_text(re.compile("is on its way to Fortnox"))).to_be_visible()
    wait_for(lambda: len(sandbox.records(company.data, "incominggoods")) == 2)

    # The admin sees the purchase order in Fortnox's words, at a desk.
    log_in(tenant.owner.email)
    page.goto("/warehouse/purchase-orders/?state=received")
    page.get_by_role("link", name=str(created["id"]), exact=True).click()
    expect(page.locator(".report-state")).to_contain_text("Sent to Fortnox", timeout=45_000)
    expect(page.locator("table.full").last).to_contain_text("Sent to Fortnox")  # the receipt itself
    check_accessibility(page)
    picture(page, "partly-received-admin-1280")

    fortnox_order = next(r["document"] for r in sandbox.records(company.data, "purchaseorders"))
    assert [row["receivedQuantity"] for row in fortnox_order["rows"]] == [10, 6]
    assert fortnox_order["purchaseOrderState"] == "RECEIVED"
    ours = next(r["document"] for r in sandbox.records(company.data, "incominggoods")
                if r["document"]["deliveryNoteId"].startswith("BRYGGA-"))
    assert ours["note"].startswith("Over-receipt confirmed in Brygga by")
