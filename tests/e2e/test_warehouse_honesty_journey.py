"""Warehouse honesty (issue 24, item 8) as people see it: with Fortnox's warehouse module a run
lists the articles whose stock differs from Fortnox's; on a phone, in Swedish, a short fulfilment's
confirmation names the back order Fortnox will make, and a return says where its credit note is
made (Brygga credits no invoice)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from integrations.core.models import ExternalLink
from integrations.fortnox.client import FortnoxClient
from tests.support.browser import check_accessibility, log_in_on, save_artifact
from tests.support.warehouse_sync import FAST, article, configure, customer, order, push, sync
from warehouse import actions as warehouse_actions
from warehouse.models import Article, SalesOrder

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_stock_differences_back_orders_and_credit_notes_are_said_where_people_work(
        tenant, page, phone, sandbox, make_company, connect_wms):
    company = make_company(warehouse_licence=True, negative_stock_allowed=True, **FAST)
    with FortnoxClient(connect_wms(tenant, company)) as fortnox:
        customer(fortnox, Name="Kafé Bryggan")
        article(fortnox, "A1", Description="Kaffe 500 g")
        created = order(fortnox, [("A1", 4)])
    configure(tenant, use_warehouse_module=True, report_fulfilled=True, back_orders_in_fortnox=True)
    sync(tenant)
    warehouse_actions.do_adjust_stock(Article.objects.get(article_number="A1"), Decimal("20"), "counted", tenant.warehouse)
    drifted = sync(tenant)  # the adjustment is not in Fortnox yet: 20 here, 0 there

    log_in_on(page, tenant.owner.email)
    page.goto(f"/integrations/fortnox/warehouse/runs/{drifted.pk}/")
    expect(page.locator("#stock-differences")).to_have_text("Stock that differs between Brygga and Fortnox")
    expect(page.locator("table.stock-differences")).to_contain_text("A1")
    check_accessibility(page)
    save_artifact(page, "edges-stock-differences-1280-en")

    sales_order = SalesOrder.objects.get(organization=tenant.organization, order_number=str(created["DocumentNumber"]))
    warehouse_actions.do_pick_row(sales_order.rows.get(), Decimal("3"), tenant.warehouse)
    warehouse_actions.do_pack(sales_order, tenant.warehouse)
    tenant.warehouse.language = "sv"
    tenant.warehouse.save(update_fields=["language"])
    log_in_on(phone, tenant.warehouse.email)
    phone.goto(f"/warehouse/orders/{sales_order.pk}/")
    phone.get_by_role("button", name="Rapportera levererad").click()
    expect(phone.get_by_text(f"När Brygga fakturerar order {sales_order.order_number} skapar Fortnox en restorder av det "
                             "som fattas (A1 Kaffe 500 g × 1)")).to_be_visible()
    check_accessibility(phone)
    save_artifact(phone, "edges-short-fulfilment-back-order-390-sv")
    phone.get_by_role("button", name="Rapportera levererad ändå").click()
    push()  # the job cluster's work: delivered quantities, then the invoice
    invoice = ExternalLink.objects.get(kind="wms_invoice").external_id

    phone.get_by_role("link", name="Registrera en retur").click()
    phone.get_by_label("Orsak").fill("fel storlek")
    phone.get_by_role("button", name="Lägg tillbaka i lager").click()
    expect(phone.get_by_text(f"skapa en kreditfaktura för faktura {invoice} (order {sales_order.order_number}) i Fortnox")
           ).to_be_visible()
    check_accessibility(phone)
    save_artifact(phone, "edges-return-credit-note-390-sv")
