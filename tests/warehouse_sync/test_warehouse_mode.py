"""Prevent what can be prevented (issue 15): Brygga reads Fortnox's warehouse mode (Lager on or
off, `tenants-v4`) at connect, at every run and when the settings are saved; a setting that
contradicts Fortnox cannot be saved, and when Fortnox changes under it, picking and reporting
are refused up front with the reason instead of failing after the picker finished."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from integrations.core.models import ExternalLink, IntegrationError, OutboxEvent
from integrations.fortnox.client import FortnoxClient
from integrations.warehouse_sync.models import WarehouseSyncSettings
from organizations.models import Notification
from tests.support.warehouse_sync import article, configure, customer, fulfil, order, push, sync
from warehouse import actions as warehouse_actions
from warehouse.models import Article, SalesOrder

pytestmark = pytest.mark.slow


def settings_of(tenant) -> WarehouseSyncSettings:
    return WarehouseSyncSettings.get_or_create_for(tenant.organization)


def one_order(fortnox, quantity=1) -> str:
    customer(fortnox)
    article(fortnox, "A1")
    return str(order(fortnox, [("A1", quantity)])["DocumentNumber"])


def test_connecting_a_company_with_lager_turns_the_warehouse_module_on_so_report_fulfilled_reaches_fortnox(
        connect_wms, tenant, lager_company):
    """Defect 1: with the defaults (module off) and a company with Lager, "Report fulfilled"
    said done while Fortnox got nothing."""
    connection = connect_wms(tenant, lager_company)
    settings = settings_of(tenant)
    assert settings.use_warehouse_module and settings.fortnox_warehouse_module and settings.mode_conflict is None
    with FortnoxClient(connection) as fortnox:
        number = one_order(fortnox)
        sync(tenant)
        fulfil(tenant, number)
        push()
        fortnox_order = fortnox.get(f"/3/orders/{number}")
    assert fortnox_order["WarehouseReady"] and Decimal(str(fortnox_order["OrderRows"][0]["DeliveredQuantity"])) == 1
    assert fortnox_order["InvoiceReference"] not in ("", "0")
    assert not IntegrationError.objects.exists()


def test_connecting_a_classic_company_leaves_the_module_off_and_the_stock_write_back_as_chosen(connect_wms, tenant, company):
    configure(tenant, write_stock=True, use_warehouse_module=True)
    connect_wms(tenant, company)
    settings = settings_of(tenant)
    assert not settings.use_warehouse_module and settings.fortnox_warehouse_module is False and settings.write_stock


@pytest.mark.parametrize("lager, ticked, expected", [
    (True, False, "uses the warehouse module (Lager), so Brygga must use it too"),
    (False, True, "does not have the warehouse module (Lager) activated"),
])
def test_a_warehouse_module_setting_that_contradicts_fortnox_cannot_be_saved(
        connect_wms, tenant, make_company, client_for, lager, ticked, expected):
    connect_wms(tenant, make_company(warehouse_licence=lager, rate_limit_requests=100_000))
    data = {"interval_minutes": 15, "order_selection": "confirmed", "fulfil_orders": "not_invoiced", "report_fulfilled": "on"}
    if ticked:
        data["use_warehouse_module"] = "on"
    response = client_for(tenant.owner).post(reverse("warehouse_sync_settings"), data)
    assert response.status_code == 200 and expected in response.content.decode()
    assert settings_of(tenant).use_warehouse_module is lager  # unchanged


def test_the_settings_are_checked_against_fortnox_as_it_is_when_saved(connect_wms, tenant, company, sandbox, client_for):
    connect_wms(tenant, company)
    sandbox.update_company(company.data, warehouse_licence=True)
    data = {"interval_minutes": 15, "order_selection": "confirmed", "fulfil_orders": "not_invoiced", "use_warehouse_module": "on"}
    response = client_for(tenant.owner).post(reverse("warehouse_sync_settings"), data)
    assert response.status_code == 302 and settings_of(tenant).use_warehouse_module


def test_when_fortnox_turns_lager_on_later_the_next_run_blocks_picking_and_reporting_up_front_with_the_reason(
        connection, fortnox, tenant, company, sandbox, client_for):
    packed_number = one_order(fortnox)
    sync(tenant)
    packed = SalesOrder.objects.get(order_number=packed_number)
    warehouse_actions.do_pick_row(packed.rows.get(), Decimal(1), tenant.warehouse)
    warehouse_actions.do_pack(packed, tenant.warehouse)
    sandbox.update_company(company.data, warehouse_licence=True, negative_stock_allowed=True)
    fresh_number = str(order(fortnox, [("A1", 2)])["DocumentNumber"])  # made with Lager on

    run = sync(tenant)
    assert "Fortnox now uses the warehouse module (Lager)" in run.log and run.counts["warnings"] == 1
    notice = Notification.objects.get(user=tenant.owner)
    assert "cannot be reported to Fortnox" in notice.title and "Fortnox now uses the warehouse module" in notice.body
    assert [message.to for message in mail.outbox] == [[tenant.owner.email]]
    sync(tenant)
    assert Notification.objects.filter(user=tenant.owner).count() == 1  # told once, not at every run

    page = client_for(tenant.warehouse).get(reverse("warehouse:order", args=[packed.pk])).content.decode()
    assert "Work cannot be reported now." in page and "Report fulfilled" not in page
    fresh = SalesOrder.objects.get(order_number=fresh_number)
    page = client_for(tenant.warehouse).get(reverse("warehouse:order", args=[fresh.pk])).content.decode()
    assert "Fortnox now uses the warehouse module" in page and "Start picking" not in page
    with pytest.raises(ValidationError, match="Fortnox now uses the warehouse module"):
        warehouse_actions.do_report_fulfilled(packed, tenant.warehouse)
    with pytest.raises(ValidationError, match="Fortnox now uses the warehouse module"):
        warehouse_actions.do_start_picking(fresh, tenant.warehouse)
    with pytest.raises(ValidationError, match="Fortnox now uses the warehouse module"):
        warehouse_actions.do_adjust_stock(Article.objects.get(article_number="A1"), Decimal(1), "counted", tenant.warehouse)
    response = client_for(tenant.warehouse).post(reverse("warehouse:order_report_fulfilled", args=[packed.pk]), follow=True)
    assert "Fortnox now uses the warehouse module" in response.content.decode()
    packed.refresh_from_db()
    assert packed.state == SalesOrder.State.PACKED and not OutboxEvent.objects.exists()

    # The admin follows Fortnox; the work goes on and reaches Fortnox (for an order made before
    # Lager, Fortnox decides: it was warehouse-ready from the start).
    data = {"interval_minutes": 15, "order_selection": "confirmed", "fulfil_orders": "not_invoiced", "report_fulfilled": "on",
            "use_warehouse_module": "on"}
    assert client_for(tenant.owner).post(reverse("warehouse_sync_settings"), data).status_code == 302
    fulfil(tenant, fresh_number)
    push()
    fortnox_order = fortnox.get(f"/3/orders/{fresh_number}")
    assert fortnox_order["WarehouseReady"] and Decimal(str(fortnox_order["OrderRows"][0]["DeliveredQuantity"])) == 2
    assert not IntegrationError.objects.exists()


def test_a_change_in_fortnox_between_the_press_and_the_push_fails_with_the_reason_and_blocks_the_next(
        connection, fortnox, tenant, company, sandbox):
    number = one_order(fortnox)
    sync(tenant)
    fulfil(tenant, number)
    sandbox.update_company(company.data, warehouse_licence=True)
    push()
    error = IntegrationError.objects.get(organization=tenant.organization, kind="wms_fulfilment")
    assert "uses the warehouse module (Lager)" in error.message and "Turn on" in error.message
    assert error.subject == f"Order {number}"  # the error log's "About" names it
    assert not ExternalLink.objects.filter(kind="wms_invoice").exists()
    assert settings_of(tenant).mode_conflict is not None  # the next picker is stopped before starting


def test_a_connection_made_before_brygga_asked_takes_fortnoxs_mode_at_its_first_run(connect_wms, tenant, lager_company):
    connect_wms(tenant, lager_company)
    configure(tenant, use_warehouse_module=False, fortnox_warehouse_module=None)  # as an older Brygga left it
    run = sync(tenant)
    settings = settings_of(tenant)
    assert settings.use_warehouse_module and settings.mode_conflict is None and "warehouse module" not in run.log
