"""When the warehouse fulfils an order (issue 23, the reference's "When should an order be
fulfilled by the warehouse?"): its own setting beside the order status, against the sandbox over
real HTTP. Each choice imports exactly its orders, invoiced orders are read only as far back as the
pull is bounded, reporting an invoiced order makes no second invoice, and a change of the choice
never takes away an order the warehouse has started on."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fortnox_sandbox.models import Record
from integrations.core.models import ExternalLink
from integrations.warehouse_sync.models import WarehouseSyncSettings
from tests.support.warehouse_sync import article, as_if_later, configure, customer, fulfil, order, push, sync
from warehouse import actions as warehouse_actions
from warehouse.models import SalesOrder

pytestmark = pytest.mark.slow

Fulfilment = WarehouseSyncSettings.Fulfilment
SETTINGS = reverse("warehouse_sync_settings")


def invoiced_in_advance(fortnox, rows, **fields) -> str:
    """A prepaid order: delivered quantities as ordered (Fortnox invoices what is delivered) and
    invoiced at once, before the warehouse has done anything."""
    number = order(fortnox, rows, **fields)["DocumentNumber"]
    fortnox.put(f"/3/orders/{number}", {"Order": {"OrderRows": [
        {"ArticleNumber": article_number, "OrderedQuantity": str(qty), "DeliveredQuantity": str(qty)}
        for article_number, qty in rows]}})
    fortnox.put(f"/3/orders/{number}/createinvoice")
    return str(number)


@pytest.fixture
def orders_of_every_kind(fortnox):
    """Orders of every kind in one company: not invoiced, invoiced in advance, not invoiced and
    not marked ready (NotCompleted), invoiced and not marked ready, and cancelled."""
    customer(fortnox)
    article(fortnox, "A1")
    open_order = str(order(fortnox, [("A1", 1)])["DocumentNumber"])
    prepaid = invoiced_in_advance(fortnox, [("A1", 2)])
    not_ready = str(order(fortnox, [("A1", 3)], NotCompleted=True)["DocumentNumber"])
    prepaid_not_ready = invoiced_in_advance(fortnox, [("A1", 4)], NotCompleted=True)
    cancelled = order(fortnox, [("A1", 5)])["DocumentNumber"]
    fortnox.put(f"/3/orders/{cancelled}/cancel")
    return {"open": open_order, "prepaid": prepaid, "not_ready": not_ready, "prepaid_not_ready": prepaid_not_ready}


def imported(tenant) -> set[str]:
    return set(SalesOrder.objects.for_organization(tenant.organization).values_list("order_number", flat=True))


def in_queue(tenant) -> set[str]:
    return set(SalesOrder.objects.for_organization(tenant.organization).filter(state__in=SalesOrder.TO_DO)
               .values_list("order_number", flat=True))


@pytest.mark.parametrize(("choice", "selection", "expected"), [
    (Fulfilment.NOT_INVOICED, "confirmed", {"open"}),
    (Fulfilment.ALL, "confirmed", {"open", "prepaid"}),
    (Fulfilment.INVOICED, "confirmed", {"prepaid"}),
    (Fulfilment.NOT_INVOICED, "open", {"open", "not_ready"}),
    (Fulfilment.ALL, "open", {"open", "prepaid", "not_ready", "prepaid_not_ready"}),
    (Fulfilment.INVOICED, "open", {"prepaid", "prepaid_not_ready"}),
])
def test_each_fulfilment_choice_imports_exactly_its_orders(fortnox, tenant, orders_of_every_kind, choice, selection,
                                                           expected):
    configure(tenant, fulfil_orders=choice, order_selection=selection)
    run = sync(tenant)
    assert imported(tenant) == {orders_of_every_kind[name] for name in expected}, run.log
    assert run.counts["orders_created"] == len(expected)


def test_a_new_organization_fulfils_placed_non_invoiced_orders(tenant):
    assert WarehouseSyncSettings.get_or_create_for(tenant.organization).fulfil_orders == Fulfilment.NOT_INVOICED


def test_invoiced_orders_are_read_only_as_far_back_as_the_lookback_and_never_the_whole_history(
        fortnox, tenant, sandbox, company, orders_of_every_kind):
    old = invoiced_in_advance(fortnox, [("A1", 6)])
    Record.objects.filter(resource="orders", key=old).update(modified=timezone.now() - timedelta(days=40))
    configure(tenant, fulfil_orders=Fulfilment.ALL)
    sync(tenant)
    assert old not in imported(tenant) and orders_of_every_kind["prepaid"] in imported(tenant)
    lists = [entry["query"] for entry in sandbox.request_log(company.data)
             if entry["method"] == "GET" and entry["path"].rstrip("/").endswith("/3/orders")]
    invoiced_lists = [query for query in lists if "invoicecreated" in str(query) and "invoicenotcreated" not in str(query)]
    assert invoiced_lists and all("lastmodified" in str(query) for query in invoiced_lists), lists


def test_reporting_an_order_invoiced_in_advance_fulfilled_makes_no_second_invoice_and_says_so(
        fortnox, tenant, sandbox, company, client_for):
    customer(fortnox)
    article(fortnox, "A1")
    prepaid = invoiced_in_advance(fortnox, [("A1", 2)])
    invoice = fortnox.get(f"/3/orders/{prepaid}")["InvoiceReference"]
    configure(tenant, fulfil_orders=Fulfilment.ALL)
    sync(tenant)

    fulfil(tenant, prepaid)
    push()
    push()  # a repeat finds nothing more to do

    assert fortnox.get(f"/3/orders/{prepaid}")["InvoiceReference"] == invoice
    invoices = [r["document"] for r in sandbox.records(company.data, "invoices")
                if str(r["document"].get("OrderReference")) == prepaid]
    assert len(invoices) == 1
    sales_order = SalesOrder.objects.get(organization=tenant.organization, order_number=prepaid)
    assert ExternalLink.link_of(sales_order, "wms_invoice").external_id == str(invoice)
    page = client_for(tenant.warehouse).get(reverse("warehouse:order", args=[sales_order.pk])).content.decode()
    assert f"Fortnox had invoiced the order already (invoice {invoice})" in page
    # Brygga asked for no invoice and changed nothing on the invoiced order: the one PUT of its rows
    # and the one createinvoice are the test's own, made before the sync.
    writes = [e["path"].rsplit("/3/", 1)[-1] for e in sandbox.request_log(company.data) if e["method"] == "PUT"]
    assert sorted(writes) == [f"orders/{prepaid}", f"orders/{prepaid}/createinvoice"]


def test_a_change_of_choice_takes_effect_at_the_next_pull_and_never_removes_an_order_in_picking(
        fortnox, tenant, orders_of_every_kind):
    configure(tenant, fulfil_orders=Fulfilment.ALL)
    sync(tenant)
    prepaid = orders_of_every_kind["prepaid"]
    assert in_queue(tenant) == {orders_of_every_kind["open"], prepaid}
    second = invoiced_in_advance(fortnox, [("A1", 7)])
    sync(tenant)
    as_if_later(tenant)
    warehouse_actions.do_start_picking(
        SalesOrder.objects.get(organization=tenant.organization, order_number=prepaid), tenant.warehouse)

    configure(tenant, fulfil_orders=Fulfilment.NOT_INVOICED)
    assert in_queue(tenant) == {orders_of_every_kind["open"], prepaid, second}  # not before the pull
    run = sync(tenant)

    assert in_queue(tenant) == {orders_of_every_kind["open"], prepaid}, run.log
    picking = SalesOrder.objects.get(organization=tenant.organization, order_number=prepaid)
    assert picking.state == SalesOrder.State.PICKING and not picking.changed_at_source
    withdrawn = SalesOrder.objects.get(organization=tenant.organization, order_number=second)
    assert withdrawn.state == SalesOrder.State.CANCELLED
    assert "Fortnox has invoiced the order" in str(withdrawn.source_change_note)
    assert run.counts["orders_withdrawn"] == 1 and f"Order {second}: Not fulfilled by the warehouse" in run.log

    as_if_later(tenant)
    configure(tenant, fulfil_orders=Fulfilment.INVOICED)
    run = sync(tenant)
    # The open order leaves the queue; the invoiced order cancelled here stays cancelled (nothing
    # comes back by itself), and the one in picking stays.
    assert in_queue(tenant) == {prepaid}, run.log


def test_an_idle_pull_after_a_change_of_choice_reads_its_lists_once_then_costs_one_call_again(
        fortnox, tenant, orders_of_every_kind):
    configure(tenant, pull_purchase_orders=False)
    sync(tenant)
    as_if_later(tenant)
    assert sync(tenant).api_calls == 1 + 6
    as_if_later(tenant)
    configure(tenant, fulfil_orders=Fulfilment.ALL)
    settings = WarehouseSyncSettings.get_or_create_for(tenant.organization)
    assert settings.order_choice_pending
    changed = sync(tenant)
    assert changed.counts["orders_created"] == 1 and changed.api_calls > 1 + 6
    as_if_later(tenant)
    assert sync(tenant).api_calls == 1 + 6
    assert not WarehouseSyncSettings.get_or_create_for(tenant.organization).order_choice_pending


# --- the settings page -------------------------------------------------------------------------

FORM = {"interval_minutes": "15", "pull_articles": "on", "pull_suppliers": "on", "pull_customers": "on",
        "pull_orders": "on", "pull_purchase_orders": "on", "order_selection": "confirmed", "set_order_type": "on",
        "report_fulfilled": "on", "back_orders_in_fortnox": "on", "fulfil_orders": "not_invoiced"}


def test_the_settings_page_shows_the_choice_with_its_help_in_english_and_swedish(tenant, client_for):
    client = client_for(tenant.owner)
    page = client.get(SETTINGS).content.decode()
    assert "When the warehouse fulfils an order" in page and "Placed non-invoiced orders" in page
    assert "creates no second invoice" in page
    tenant.owner.language = "sv"
    tenant.owner.save(update_fields=["language"])
    swedish = client.get(SETTINGS).content.decode()
    assert "När lagret ska leverera en order" in swedish and "Lagda, ofakturerade order" in swedish


@pytest.mark.parametrize("value", ["", "prepaid", "ALL", "not_invoiced'--", "x" * 500])
def test_a_choice_that_is_none_of_the_three_is_refused_and_nothing_changes(tenant, client_for, value):
    WarehouseSyncSettings.get_or_create_for(tenant.organization)
    page = client_for(tenant.owner).post(SETTINGS, {**FORM, "fulfil_orders": value})
    assert page.status_code == 200 and page.context["form"].errors["fulfil_orders"]
    assert WarehouseSyncSettings.get_or_create_for(tenant.organization).fulfil_orders == Fulfilment.NOT_INVOICED


def test_saving_a_new_choice_says_it_takes_effect_at_the_next_synchronisation(tenant, client_for):
    client = client_for(tenant.owner)
    never_pulled = client.post(SETTINGS, {**FORM, "fulfil_orders": "invoiced"}, follow=True).content.decode()
    assert "this takes effect at the next synchronisation" in never_pulled
    settings = WarehouseSyncSettings.get_or_create_for(tenant.organization)
    settings.orders_pulled_for = settings.order_choice  # as after a pull
    settings.save(update_fields=["orders_pulled_for"])
    assert 'id="order-choice-pending"' not in client.get(SETTINGS).content.decode()

    page = client.post(SETTINGS, {**FORM, "fulfil_orders": "all"}, follow=True).content.decode()

    assert WarehouseSyncSettings.get_or_create_for(tenant.organization).fulfil_orders == Fulfilment.ALL
    # Said once, by the page's note, which stays until the next pull.
    assert 'id="order-choice-pending"' in page and "the new choice takes effect at the next one" in page
    assert "this takes effect at the next synchronisation" not in page
    assert 'id="order-choice-pending"' in client.get(SETTINGS).content.decode()
