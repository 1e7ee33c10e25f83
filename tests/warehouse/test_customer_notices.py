"""The customer hears that their order was sent (issue 23): off by default, switched per
organization, per order type and on each order; an email and a text in the customer's language
with the service and the delivered rows; once per order, also under double clicks and retries;
failures bounded and shown on the order, where staff send again once the cause is fixed.

Sending runs in this process (`notices.send_due`, what the job cluster runs); the mail goes to
Django's test outbox and texts to the in-memory SMS backend: no mail server or SMS gateway exists
here."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.support.tenants import settings_with
from warehouse import notices
from warehouse.actions import do_adjust_stock, do_pack, do_pick_row, do_report_fulfilled
from warehouse.models import OrderType, SalesOrder
from warehouse.notices import CustomerNotice, MemorySMSBackend
from warehouse.shipping import ShippingSettings, Transporter, TransporterService


@pytest.fixture(autouse=True)
def texts(settings):
    settings.SMS_BACKEND = "warehouse.notices.MemorySMSBackend"
    MemorySMSBackend.outbox = []
    return MemorySMSBackend.outbox


def switch(tenant, **values) -> ShippingSettings:
    return settings_with(ShippingSettings, tenant, **values)


def ready_to_send(tenant, build, *, kind=None, email="kund@example.se", phone="070-123 45 67", **fields):
    article = build.article(description="Kaffekopp", weight=300)
    do_adjust_stock(article, Decimal(10), "count", tenant.owner)
    customer = build.customer(email=email, phone=phone)
    order_type = OrderType.for_kind(tenant.organization, kind) if kind else None
    service = TransporterService.objects.get_or_create(
        organization=tenant.organization, name="MyPack Collect",
        transporter=Transporter.objects.get_or_create(organization=tenant.organization, name="PostNord")[0])[0]
    order = build.order((article, 3), customer=customer, order_type=order_type, transporter_service=service, **fields)
    do_pick_row(order.rows.get(), Decimal(2), tenant.warehouse)
    return do_pack(order, tenant.warehouse, parcels=1, weight_kg=Decimal("0.9"))


def fulfil(tenant, order) -> SalesOrder:
    return do_report_fulfilled(order, tenant.warehouse, allow_short=True)


def test_no_customer_is_told_by_default(tenant, build, texts):
    fulfil(tenant, ready_to_send(tenant, build))
    notices.send_due()
    assert not CustomerNotice.objects.exists() and not mail.outbox and not texts


def test_an_organization_that_switches_notices_on_emails_and_texts_the_customer_once(tenant, build, texts):
    switch(tenant, notify_by_email=True, notify_by_sms=True)
    order = fulfil(tenant, ready_to_send(tenant, build))

    assert notices.send_due() == 2
    assert notices.send_due() == 0

    [email] = mail.outbox
    assert email.to == ["kund@example.se"] and email.subject == f"Din order {order.order_number} är på väg"
    assert "PostNord MyPack Collect" in email.body and "2 st Kaffekopp" in email.body
    assert "1 kommer senare" in email.body  # one of three was short
    [(number, text)] = texts
    assert number == "+46701234567" and order.order_number in text and "PostNord MyPack Collect" in text
    assert set(CustomerNotice.objects.values_list("status", "recipient")) == {
        ("sent", "kund@example.se"), ("sent", "+46701234567")}


def test_the_notice_is_in_the_orders_language(tenant, build):
    switch(tenant, notify_by_email=True)
    order = fulfil(tenant, ready_to_send(tenant, build, language="en"))
    notices.send_due()
    assert mail.outbox[0].subject == f"Your order {order.order_number} is on its way"
    assert "It travels with PostNord MyPack Collect." in mail.outbox[0].body


def test_the_orders_own_email_address_comes_before_the_customers(tenant, build):
    switch(tenant, notify_by_email=True)
    fulfil(tenant, ready_to_send(tenant, build, delivery_email="mottagare@example.se"))
    notices.send_due()
    assert mail.outbox[0].to == ["mottagare@example.se"]


@pytest.mark.parametrize("kind, told", [("b2b", False), ("b2c", True), (None, True)])
def test_notices_can_be_off_for_one_order_type(tenant, build, kind, told):
    switch(tenant, notify_by_email=True, notify_b2b=False)
    fulfil(tenant, ready_to_send(tenant, build, kind=kind))
    notices.send_due()
    assert len(mail.outbox) == int(told)


@pytest.mark.parametrize("organization_on, order_choice, told", [
    (False, True, True), (True, False, False), (True, None, True), (False, None, False)])
def test_an_orders_own_choice_wins_over_the_settings(tenant, build, organization_on, order_choice, told):
    switch(tenant, notify_by_email=organization_on)
    fulfil(tenant, ready_to_send(tenant, build, notify_by_email=order_choice))
    notices.send_due()
    assert len(mail.outbox) == int(told)


def test_a_double_click_on_report_fulfilled_tells_the_customer_once(tenant, build, client_for):
    switch(tenant, notify_by_email=True)
    order = ready_to_send(tenant, build)
    picker = client_for(tenant.warehouse)
    url = reverse("warehouse:order_report_fulfilled", args=[order.pk])
    for _click in range(2):
        picker.post(url, {"confirm_short": "1"})
    notices.send_due()
    notices.send_due()
    assert len(mail.outbox) == 1 and CustomerNotice.objects.count() == 1


def test_queueing_again_for_a_sent_order_sends_nothing_more(tenant, build):
    switch(tenant, notify_by_email=True)
    order = fulfil(tenant, ready_to_send(tenant, build))
    notices.send_due()
    notices.queue_notices(order)  # a redelivered signal or job
    notices.send_due()
    assert len(mail.outbox) == 1


def test_a_missing_customer_email_is_a_clear_failure_on_the_order_and_nothing_is_lost(tenant, build, client_for):
    switch(tenant, notify_by_email=True)
    order = fulfil(tenant, ready_to_send(tenant, build, email=""))
    notices.send_due()
    notice = CustomerNotice.objects.get()
    assert (notice.status, notice.problem) == ("failed", "no_email") and not mail.outbox
    picker = client_for(tenant.warehouse)
    page = picker.get(reverse("warehouse:order", args=[order.pk])).content.decode()
    assert "Neither the order nor its customer has an email address" in page and "Send again" in page

    order.customer.email = "ny@example.se"  # the next synchronisation brings the customer's address
    order.customer.save()
    picker.post(reverse("warehouse:order_notice_send_again", args=[order.pk, notice.pk]))
    notices.send_due()

    notice.refresh_from_db()
    assert notice.status == "sent" and mail.outbox[0].to == ["ny@example.se"]


def test_a_phone_number_no_text_can_go_to_is_a_clear_failure(tenant, build, texts):
    switch(tenant, notify_by_sms=True)
    fulfil(tenant, ready_to_send(tenant, build, phone="ring receptionen"))
    notices.send_due()
    notice = CustomerNotice.objects.get()
    assert (notice.status, notice.problem, notice.detail) == ("failed", "bad_phone", "ring receptionen") and not texts


class BrokenGateway:
    def send(self, to, text):
        raise ConnectionError("gateway down")


def test_a_failing_sender_is_tried_a_bounded_number_of_times_and_the_error_is_shown(tenant, build, settings,
                                                                                    client_for):
    settings.SMS_BACKEND = f"{__name__}.BrokenGateway"
    switch(tenant, notify_by_sms=True)
    order = fulfil(tenant, ready_to_send(tenant, build))
    for _attempt in range(notices.MAX_ATTEMPTS + 2):
        notices.send_due()
        CustomerNotice.objects.filter(status="pending").update(next_attempt_at=timezone.now())
    notice = CustomerNotice.objects.get()
    assert (notice.status, notice.attempts, notice.problem) == ("failed", notices.MAX_ATTEMPTS, "send_failed")
    page = client_for(tenant.warehouse).get(reverse("warehouse:order", args=[order.pk])).content.decode()
    assert "ConnectionError: gateway down" in page


def test_a_failed_attempt_waits_before_the_next(tenant, build, settings):
    settings.SMS_BACKEND = f"{__name__}.BrokenGateway"
    switch(tenant, notify_by_sms=True)
    fulfil(tenant, ready_to_send(tenant, build))
    assert notices.send_due() == 1 and notices.send_due() == 0
    notice = CustomerNotice.objects.get()
    assert notice.status == "pending" and notice.next_attempt_at > timezone.now()


def test_a_notice_whose_worker_died_is_failed_not_sent_again(tenant, build):
    switch(tenant, notify_by_email=True)
    fulfil(tenant, ready_to_send(tenant, build))
    CustomerNotice.objects.update(status="sending", claimed_at=timezone.now() - timedelta(minutes=11))
    notices.sweep()
    notice = CustomerNotice.objects.get()
    assert (notice.status, notice.problem) == ("failed", "interrupted") and not mail.outbox


def test_two_workers_never_claim_the_same_notice(tenant, build):
    switch(tenant, notify_by_email=True)
    fulfil(tenant, ready_to_send(tenant, build))
    assert notices.claim_next() is not None and notices.claim_next() is None


def test_a_sent_notice_cannot_be_sent_again(tenant, build, client_for):
    switch(tenant, notify_by_email=True)
    order = fulfil(tenant, ready_to_send(tenant, build))
    notices.send_due()
    notice = CustomerNotice.objects.get()
    response = client_for(tenant.warehouse).post(
        reverse("warehouse:order_notice_send_again", args=[order.pk, notice.pk]), follow=True)
    assert "Only a notice that failed can be sent again" in response.content.decode()
    notices.send_due()
    assert len(mail.outbox) == 1


def test_staff_send_again_only_their_own_organizations_notices(tenant, other_tenant, build, client_for):
    switch(tenant, notify_by_email=True)
    order = fulfil(tenant, ready_to_send(tenant, build, email=""))
    notices.send_due()
    notice = CustomerNotice.objects.get()
    url = reverse("warehouse:order_notice_send_again", args=[order.pk, notice.pk])
    assert client_for(other_tenant.warehouse).post(url).status_code == 404
    assert client_for(tenant.hr_admin).post(url).status_code == 403
    notice.refresh_from_db()
    assert notice.status == "failed"


def test_staff_choose_notices_on_an_order_until_it_is_sent(tenant, build, client_for):
    order = ready_to_send(tenant, build)
    picker = client_for(tenant.warehouse)
    url = reverse("warehouse:order_service", args=[order.pk])
    picker.post(url, {"notices": "1", "notify_by_email": "yes", "notify_by_sms": ""})
    order.refresh_from_db()
    assert (order.notify_by_email, order.notify_by_sms) == (True, None)

    fulfil(tenant, order)
    response = picker.post(url, {"notices": "1", "notify_by_email": "no", "notify_by_sms": "no"}, follow=True)
    assert "whether the customer is told was decided then" in response.content.decode()
    order.refresh_from_db()
    assert order.notify_by_email is True


def test_an_admin_switches_notices_on_the_shipping_page(tenant, client_for):
    response = client_for(tenant.owner).post(reverse("warehouse:shipping"), {
        "form": "settings", "settings-notify_by_email": "on", "settings-notify_b2c": "on",
        "settings-sender": "Lagret AB\nHamngatan 3"})
    assert response.status_code == 302
    settings = ShippingSettings.get_or_create_for(tenant.organization)
    assert (settings.notify_by_email, settings.notify_by_sms, settings.notify_b2b, settings.notify_b2c) == (
        True, False, False, True)
    assert settings.sender_lines() == ["Lagret AB", "Hamngatan 3"]
