"""Shipping an order that came from Fortnox (issue 23), against the sandbox over real HTTP: the
order's language and email come with it, the customer's notice goes out in that language once,
and reporting to Fortnox is not held up by it. Mail goes to Django's test outbox (no mail server
here)."""

from decimal import Decimal

import pytest
from django.core import mail

from integrations.core.models import ExternalLink
from tests.support.warehouse_sync import article, as_if_later, customer, order, push, sync
from warehouse import actions as warehouse_actions, notices
from warehouse.models import SalesOrder
from warehouse.shipping import ShippingSettings

pytestmark = pytest.mark.slow


def imported(tenant, number) -> SalesOrder:
    return SalesOrder.objects.get(organization=tenant.organization, order_number=str(number))


def test_an_order_in_english_from_fortnox_is_announced_in_english_at_the_orders_email_once(
        fortnox, tenant, sandbox, company):
    settings = ShippingSettings.get_or_create_for(tenant.organization)
    settings.notify_by_email = True
    settings.save()
    customer(fortnox, Email="inköp@example.se")
    article(fortnox, "MUG", Description="Mug")
    number = order(fortnox, [("MUG", 2)], Language="EN",
                   EmailInformation={"EmailAddressTo": "goods-in@example.co.uk"})["DocumentNumber"]
    sync(tenant)
    sales_order = imported(tenant, number)
    assert sales_order.language == "en"

    warehouse_actions.do_pick_row(sales_order.rows.get(), Decimal(2), tenant.warehouse)
    warehouse_actions.do_pack(sales_order, tenant.warehouse, parcels=1, weight_kg=Decimal("0.7"))
    warehouse_actions.do_report_fulfilled(sales_order, tenant.warehouse)
    push()
    notices.send_due()
    notices.queue_notices(imported(tenant, number))  # a repeat changes nothing
    notices.send_due()

    [email] = mail.outbox
    assert email.to == ["goods-in@example.co.uk"] and email.subject == f"Your order {number} is on its way"
    assert f"Your order {number} has left our warehouse." in email.body and "- 2 st Mug (MUG)" in email.body
    assert fortnox.get(f"/3/orders/{number}")["OrderRows"][0]["DeliveredQuantity"] == "2"


def test_orders_remembered_before_the_language_was_read_are_not_changed_at_the_source(fortnox, tenant):
    customer(fortnox)
    article(fortnox, "A1")
    number = order(fortnox, [("A1", 1)], YourReference="Anna")["DocumentNumber"]
    sync(tenant)
    warehouse_actions.do_start_picking(imported(tenant, number), tenant.warehouse)
    link = ExternalLink.objects.get(organization=tenant.organization, external_id=str(number), kind="wms_order")
    link.last_synced_values.pop("language")  # as stored before this version
    link.save(update_fields=["last_synced_values"])
    fortnox.put(f"/3/orders/{number}", {"Order": {"YourReference": "Anna"}})  # modified, nothing changed
    as_if_later(tenant, minutes=-10)

    run = sync(tenant)

    assert not imported(tenant, number).changed_at_source, run.log
