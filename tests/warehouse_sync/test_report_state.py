"""State on the object (issue 15): a fulfilment, receipt, adjustment or return shows its Fortnox
state where people work (the order, the pick queue, the purchase orders): on its way until
Fortnox accepted (the page asks again by itself), sent, or failed with the reason and Retry for
those allowed; lists can be filtered to what failed in Fortnox."""

import pytest
from django.urls import reverse

from integrations.core.models import IntegrationError, OutboxEvent
from tests.support.warehouse_sync import article, customer, order, pulled_order, push, sync
from warehouse.models import SalesOrder

pytestmark = pytest.mark.slow


@pytest.fixture
def two_orders(fortnox, tenant) -> list[SalesOrder]:
    customer(fortnox)
    article(fortnox, "A1")
    numbers = [order(fortnox, [("A1", 1)])["DocumentNumber"] for _ in range(2)]
    sync(tenant)
    return [SalesOrder.objects.get(order_number=str(number)) for number in numbers]


def report_on_the_page(client, sales_order: SalesOrder):
    """Pick, pack and press Report fulfilled as the picker does."""
    row = sales_order.rows.get()
    client.post(reverse("warehouse:order_pick_row", args=[sales_order.pk, row.pk]), {"quantity": "1"})
    client.post(reverse("warehouse:order_pack", args=[sales_order.pk]), {"parcels": "1", "weight_kg": "0.5"})
    return client.post(reverse("warehouse:order_report_fulfilled", args=[sales_order.pk]), follow=True).content.decode()


def state_box(client, sales_order) -> str:
    return client.get(reverse("warehouse_sync_report_state", args=["order", sales_order.pk]),
                      HTTP_HX_REQUEST="true").content.decode()


def test_report_fulfilled_says_on_its_way_until_fortnox_accepted_and_then_sent_to_fortnox(two_orders, tenant, client_for):
    picker = client_for(tenant.warehouse)
    page = report_on_the_page(picker, two_orders[0])
    assert "is marked sent" in page and "On its way to Fortnox" in page and "Sent to Fortnox" not in page
    assert 'hx-trigger="every 2s"' in page
    push()
    box = state_box(picker, two_orders[0])
    assert "Sent to Fortnox" in box and "hx-get" not in box
    queue = picker.get(reverse("warehouse:pick_queue"), {"state": "sent"}).content.decode()
    assert "Sent to Fortnox" in queue


def listed(order, page: str) -> bool:
    return f'href="{reverse("warehouse:order", args=[order.pk])}"' in page


def test_a_failed_fulfilment_shows_the_reason_on_the_order_and_in_the_pick_queue_and_an_admin_can_retry_it_there(
        two_orders, fortnox, tenant, client_for):
    picker, admin = client_for(tenant.warehouse), client_for(tenant.owner)
    failing, fine = two_orders
    report_on_the_page(picker, failing)
    report_on_the_page(picker, fine)
    fortnox.put(f"/3/orders/{failing.order_number}/cancel")
    push()

    page = picker.get(reverse("warehouse:order", args=[failing.pk])).content.decode()
    assert "Failed in Fortnox" in page and "cancelled in Fortnox" in page
    told = tenant.warehouse.notifications.get()  # the picker who reported it, linked to the order's page
    assert told.title == f"Fortnox did not get a change: Order {failing.order_number}"
    assert told.link == reverse("warehouse:order", args=[failing.pk])
    assert "An organization admin can retry it" in page and ">Retry<" not in page
    failed_only = picker.get(reverse("warehouse:pick_queue"), {"failed": "on"}).content.decode()
    # By the order's link: the picker's bell now counts the failure they were told of (">1<").
    assert listed(failing, failed_only) and not listed(fine, failed_only)
    assert "cancelled in Fortnox" in failed_only

    error = IntegrationError.objects.get(kind="wms_fulfilment")
    assert ">Retry<" in admin.get(reverse("warehouse:order", args=[failing.pk])).content.decode()
    assert picker.post(reverse("warehouse_sync_retry", args=[error.pk])).status_code == 403
    response = admin.post(reverse("warehouse_sync_retry", args=[error.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("warehouse:order", args=[failing.pk])
    assert "On its way to Fortnox" in response.content.decode()
    assert OutboxEvent.objects.get(object_id=failing.pk).status == OutboxEvent.Status.PENDING
    assert not listed(failing, picker.get(reverse("warehouse:pick_queue"), {"failed": "on"}).content.decode())


def test_the_state_box_is_for_warehouse_staff_of_the_organization_only(two_orders, tenant, other_tenant, client_for):
    report_on_the_page(client_for(tenant.warehouse), two_orders[0])
    url = reverse("warehouse_sync_report_state", args=["order", two_orders[0].pk])
    assert client_for(other_tenant.warehouse).get(url).status_code == 404
    assert client_for(tenant.employee).get(url).status_code == 403
    assert client_for(tenant.warehouse).get(
        reverse("warehouse_sync_report_state", args=["employee", two_orders[0].pk])).status_code == 404


def test_an_adjustment_and_a_return_show_their_fortnox_state_on_the_article_and_the_order(lager_fortnox, tenant, client_for):
    from decimal import Decimal

    from tests.support.warehouse_sync import fulfil
    from warehouse import actions as warehouse_actions
    from warehouse.models import Article

    created = pulled_order(lager_fortnox, tenant)
    a1 = Article.objects.get(article_number="A1")
    warehouse_actions.do_adjust_stock(a1, Decimal(5), "counted", tenant.warehouse)
    sent = fulfil(tenant, created["DocumentNumber"])
    warehouse_actions.do_register_return(sent.rows.get(), Decimal(1), "wrong size", tenant.warehouse)
    staff = client_for(tenant.warehouse)
    assert "On its way to Fortnox" in staff.get(reverse("warehouse:article", args=[a1.pk])).content.decode()
    push()
    assert "Sent to Fortnox" in staff.get(reverse("warehouse:article", args=[a1.pk])).content.decode()
    order_page = staff.get(reverse("warehouse:order", args=[sent.pk])).content.decode()
    assert order_page.count("Sent to Fortnox") == 2  # the fulfilment and the return
