from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.support.tenants import form_data
from warehouse import signals
from warehouse.actions import OverReceiptNeedsConfirmation, do_close_purchase_order_short, do_receive_purchase_order
from warehouse.models import IllegalTransition, PurchaseOrder, StockBalance, StockLocation, StockMovement

State = PurchaseOrder.State


@pytest.fixture
def two_rows(build):
    first, second = build.article(), build.article()
    purchase_order = build.purchase_order((first, 10), (second, 4))
    return purchase_order, *purchase_order.rows.order_by("position")


def test_partial_receipts_on_different_days_add_up_to_received(two_rows, tenant, caught):
    received = caught(signals.goods_received)
    purchase_order, first, second = two_rows
    two_days_ago = timezone.now() - timedelta(days=2)
    receipt = do_receive_purchase_order(purchase_order, {first.pk: Decimal(6)}, tenant.warehouse, received_at=two_days_ago)
    purchase_order.refresh_from_db()
    assert purchase_order.state == State.PARTLY_RECEIVED
    assert receipt.received_at == two_days_ago and receipt.received_by == tenant.warehouse

    do_receive_purchase_order(purchase_order, {first.pk: Decimal(4), second.pk: Decimal(4)}, tenant.owner)
    purchase_order.refresh_from_db()
    assert purchase_order.state == State.RECEIVED
    assert [r.received_quantity for r in purchase_order.rows.order_by("position")] == [10, 4]
    assert StockBalance.objects.get(article=first.article).quantity == 10
    assert purchase_order.receipts.count() == 2
    assert [e["purchase_order"].state for e in received] == [State.PARTLY_RECEIVED, State.RECEIVED]
    assert [(r.purchase_order_row, r.quantity) for r in received[0]["rows"]] == [(first, 6)]
    assert received[1]["by"] == tenant.owner


def test_receiving_more_than_still_expected_needs_a_confirmation_and_is_then_an_over_receipt(two_rows, tenant):
    purchase_order, first, _ = two_rows
    do_receive_purchase_order(purchase_order, {first.pk: Decimal(8)}, tenant.warehouse)
    with pytest.raises(OverReceiptNeedsConfirmation) as over:
        do_receive_purchase_order(purchase_order, {first.pk: Decimal(3)}, tenant.warehouse)
    assert [(row, quantity) for row, quantity in over.value.over] == [(first, 3)]
    assert StockBalance.objects.get(article=first.article).quantity == 8 and purchase_order.receipts.count() == 1
    receipt = do_receive_purchase_order(purchase_order, {first.pk: Decimal(3)}, tenant.warehouse, allow_over_receipt=True)
    assert receipt.over_receipt and not purchase_order.receipts.exclude(pk=receipt.pk).get().over_receipt
    assert StockBalance.objects.get(article=first.article).quantity == 11
    first.refresh_from_db()
    assert first.received_quantity == 11 and first.outstanding_quantity == 0


@pytest.mark.parametrize("quantities, message", [("none", "at least one row"), ("zero", "at least one row"), ("negative", "cannot be negative"), ("foreign", "is not on this purchase order")])
def test_a_receipt_with_bad_quantities_is_refused(two_rows, tenant, quantities, message):
    purchase_order, first, _ = two_rows
    quantities = {"none": {}, "zero": {first.pk: Decimal(0)}, "negative": {first.pk: Decimal(-1)}, "foreign": {first.pk + 999: Decimal(1)}}[quantities]
    with pytest.raises(ValidationError, match=message):
        do_receive_purchase_order(purchase_order, quantities, tenant.warehouse)
    assert not purchase_order.receipts.exists()


def test_closing_short_ends_the_purchase_order_and_nothing_more_is_received(two_rows, tenant, caught):
    closed = caught(signals.purchase_order_closed)
    purchase_order, first, _ = two_rows
    do_receive_purchase_order(purchase_order, {first.pk: Decimal(5)}, tenant.warehouse)
    purchase_order = do_close_purchase_order_short(purchase_order, tenant.warehouse)
    assert purchase_order.state == State.CLOSED_SHORT and purchase_order.closed_by == tenant.warehouse
    assert closed[0]["purchase_order"] == purchase_order
    with pytest.raises(ValidationError, match="is closed short; nothing more can be received"):
        do_receive_purchase_order(purchase_order, {first.pk: Decimal(1)}, tenant.warehouse)


def test_a_received_purchase_order_cannot_be_closed_short(two_rows, tenant):
    purchase_order, first, second = two_rows
    do_receive_purchase_order(purchase_order, {first.pk: Decimal(10), second.pk: Decimal(4)}, tenant.warehouse)
    with pytest.raises(IllegalTransition, match="is received and cannot become closed short"):
        do_close_purchase_order_short(purchase_order, tenant.warehouse)


def test_receiving_into_a_location_keeps_a_balance_there(two_rows, tenant):
    purchase_order, first, _ = two_rows
    shelf = StockLocation.objects.create(organization=tenant.organization, code="A-1")
    do_receive_purchase_order(purchase_order, {first.pk: Decimal(3)}, tenant.warehouse, location=shelf)
    assert StockBalance.objects.get(article=first.article, location=shelf).quantity == 3
    assert StockMovement.objects.get(article=first.article).receipt.purchase_order == purchase_order


def test_a_non_stock_article_is_received_without_stock(build, tenant):
    service = build.article(is_stock_article=False)
    purchase_order = build.purchase_order((service, 1))
    do_receive_purchase_order(purchase_order, {purchase_order.rows.get().pk: Decimal(1)}, tenant.warehouse)
    purchase_order.refresh_from_db()
    assert purchase_order.state == State.RECEIVED
    assert not StockMovement.objects.exists()


def test_receiving_in_two_parts_through_the_page(two_rows, tenant, client_for):
    purchase_order, first, second = two_rows
    staff = client_for(tenant.warehouse)
    url = reverse("warehouse:purchase_order", args=[purchase_order.pk])
    staff.post(url, {f"row_{first.pk}": "5", f"row_{second.pk}": "", "note": "Delivery note 1"})
    staff.post(url, {f"row_{first.pk}": "5", f"row_{second.pk}": "4"})
    purchase_order.refresh_from_db()
    assert purchase_order.state == State.RECEIVED
    page = staff.get(url).content.decode()
    assert "Delivery note 1" in page and "Record receipt" not in page


def test_the_receiving_page_explains_a_bad_quantity(two_rows, tenant, client_for):
    purchase_order, first, _ = two_rows
    url = reverse("warehouse:purchase_order", args=[purchase_order.pk])
    response = client_for(tenant.warehouse).post(url, {f"row_{first.pk}": "-1"})
    assert response.status_code == 200
    assert "greater than or equal to 0" in response.content.decode()
    empty = client_for(tenant.warehouse).post(url, {}, follow=True)
    assert "Enter a received quantity on at least one row" in empty.content.decode()
    assert not purchase_order.receipts.exists()


def test_an_over_receipt_through_the_page_asks_first_and_keeps_what_was_entered(two_rows, tenant, client_for):
    purchase_order, first, second = two_rows
    staff = client_for(tenant.warehouse)
    url = reverse("warehouse:purchase_order", args=[purchase_order.pk])
    asked = staff.post(url, {f"row_{first.pk}": "12", f"row_{second.pk}": "1", "note": "FS-9"})
    page = asked.content.decode()
    assert asked.status_code == 200 and "More than expected arrived?" in page and "Yes, record the over-receipt" in page
    assert not purchase_order.receipts.exists()
    staff.post(url, {f"row_{first.pk}": "12", f"row_{second.pk}": "1", "note": "FS-9", "confirm_over_receipt": "1"})
    receipt = purchase_order.receipts.get()
    assert receipt.over_receipt and receipt.note == "FS-9"
    assert sorted(row.quantity for row in receipt.rows.all()) == [1, 12]
    assert "over-receipt" in staff.get(url).content.decode()


def test_closing_short_through_the_page(two_rows, tenant, client_for):
    purchase_order, _, _ = two_rows
    client_for(tenant.warehouse).post(reverse("warehouse:purchase_order_close_short", args=[purchase_order.pk]))
    purchase_order.refresh_from_db()
    assert purchase_order.state == State.CLOSED_SHORT


def test_the_purchase_order_list_shows_what_is_still_coming_by_default(build, client_for, tenant):
    coming = build.purchase_order()
    build.purchase_order(state=State.RECEIVED)
    staff = client_for(tenant.warehouse)
    assert list(staff.get(reverse("warehouse:purchase_orders")).context["page"]) == [coming]
    assert len(staff.get(reverse("warehouse:purchase_orders"), {"state": "received"}).context["page"]) == 1
    bad = staff.get(reverse("warehouse:purchase_orders"), {"state": "lost"})
    assert bad.status_code == 200 and "state" in bad.context["form"].errors


def test_two_people_receiving_the_same_delivery_do_not_count_it_twice(two_rows, tenant, client_for):
    purchase_order, first, second = two_rows
    url = reverse("warehouse:purchase_order", args=[purchase_order.pk])
    one, other = client_for(tenant.warehouse), client_for(tenant.owner)
    one_form, other_form = one.get(url), other.get(url)
    assert one.post(url, form_data(one_form, **{f"row_{first.pk}": "5"})).status_code == 302

    refused = other.post(url, form_data(other_form, **{f"row_{first.pk}": "5"}))

    assert refused.status_code == 200
    assert "nothing was recorded" in refused.content.decode()
    assert [(c.label, c.theirs, c.yours) for c in refused.context["form"].edit_conflicts] == [
        (str(first.article), "5 of 10 received", "0 of 10 received when you opened it; 5 arriving now"),
    ]
    assert purchase_order.receipts.count() == 1
    assert refused.context["form"][f"row_{first.pk}"].value() == "5"  # the quantity typed stays
    assert other.post(url, form_data(refused)).status_code == 302  # checked: it really was a second delivery
    first.refresh_from_db()
    assert first.received_quantity == 10
