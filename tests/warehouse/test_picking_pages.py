from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from warehouse.actions import do_adjust_stock, do_pack, do_pick_row
from warehouse.models import OrderType, SalesOrder, StockBalance


@pytest.fixture
def staff(tenant, client_for):
    return client_for(tenant.warehouse)


def order_url(order, name="warehouse:order"):
    return reverse(name, args=[order.pk])


def test_the_pick_queue_lists_orders_still_to_do_by_default(build, staff):
    waiting = build.order(order_number="W-1")
    build.order(order_number="C-1", state=SalesOrder.State.CANCELLED)
    response = staff.get(reverse("warehouse:pick_queue"))
    assert list(response.context["page"]) == [waiting]


def test_the_pick_queue_filters_by_state_order_type_and_delivery_date(build, staff, tenant):
    b2c = OrderType.for_kind(tenant.organization, OrderType.Kind.B2C)
    soon = build.order(order_type=b2c, delivery_date=date(2026, 5, 1))
    build.order(order_type=b2c, delivery_date=date(2026, 6, 1))
    build.order(delivery_date=date(2026, 4, 1))
    build.order(order_type=b2c, delivery_date=date(2026, 4, 1), state=SalesOrder.State.PACKED)
    response = staff.get(reverse("warehouse:pick_queue"), {"state": "open", "order_type": b2c.pk, "delivery_by": "2026-05-15"})
    assert list(response.context["page"]) == [soon]


def test_a_bad_filter_value_is_reported_and_the_rest_still_applies(build, staff):
    build.order(state=SalesOrder.State.SENT)
    waiting = build.order()
    response = staff.get(reverse("warehouse:pick_queue"), {"delivery_by": "tomorrow-ish", "order_type": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"delivery_by", "order_type"}
    assert list(response.context["page"]) == [waiting]
    assert "Enter a valid date" in response.content.decode()


def test_scanning_an_order_number_in_the_queue_opens_that_order(build, staff):
    order = build.order(order_number="7001")
    response = staff.get(reverse("warehouse:pick_queue"), {"q": "7001"})
    assert response.status_code == 302 and response["Location"] == order_url(order)


def test_the_pick_queue_pages_through_many_orders(build, staff):
    for _ in range(55):
        build.order()
    response = staff.get(reverse("warehouse:pick_queue"), {"page": "2"})
    assert len(response.context["page"]) == 5
    assert staff.get(reverse("warehouse:pick_queue"), {"page": "nonsense"}).status_code == 200


def test_scanning_an_ean_on_the_order_page_picks_one(build, staff):
    article = build.article()
    order = build.order((article, 3))
    response = staff.post(order_url(order, "warehouse:order_scan"), {"code": article.ean, "quantity": "1"}, follow=True)
    assert "Picked 1 ×" in response.content.decode()
    assert order.rows.get().picked_quantity == 1
    order.refresh_from_db()
    assert order.state == SalesOrder.State.PICKING and order.picking_started_by is not None


def test_scanning_an_article_number_with_a_quantity_picks_that_many(build, staff):
    article = build.article()
    order = build.order((article, 3))
    staff.post(order_url(order, "warehouse:order_scan"), {"code": article.article_number, "quantity": "2"})
    assert order.rows.get().picked_quantity == 2


def test_a_scan_that_matches_nothing_on_the_order_is_explained(build, staff):
    order = build.order((build.article(), 3))
    response = staff.post(order_url(order, "warehouse:order_scan"), {"code": "0000", "quantity": "1"}, follow=True)
    assert "matches “0000”" in response.content.decode()
    assert order.rows.get().picked_quantity == 0


def test_an_empty_scan_shows_the_order_again_with_the_error(build, staff):
    order = build.order((build.article(), 3))
    response = staff.post(order_url(order, "warehouse:order_scan"), {"code": "", "quantity": "abc"})
    assert response.status_code == 200
    assert response.context["scan_form"].errors.keys() == {"code", "quantity"}


def test_a_row_can_be_picked_partially_from_its_own_button(build, staff):
    order = build.order((build.article(), 5))
    row = order.rows.get()
    staff.post(reverse("warehouse:order_pick_row", args=[order.pk, row.pk]), {"quantity": "2"})
    response = staff.post(reverse("warehouse:order_pick_row", args=[order.pk, row.pk]), {"quantity": "9"}, follow=True)
    row.refresh_from_db()
    assert row.picked_quantity == 2
    assert "Only 3 left to pick" in response.content.decode()


def test_picking_a_row_the_source_replaced_while_the_order_was_open_says_so_instead_of_not_found(build, staff):
    article = build.article()
    order = build.order((article, 5))
    shown = order.rows.get()
    order.rows.all().delete()  # as the order import does when the source changed the rows before picking began
    order.rows.create(position=0, article=article, ordered_quantity=Decimal(8))

    response = staff.post(reverse("warehouse:order_pick_row", args=[order.pk, shown.pk]), {"quantity": "2"}, follow=True)

    assert response.status_code == 200
    assert "changed while you had it open" in response.content.decode()
    assert order.rows.get().picked_quantity == 0


def test_a_pick_whose_row_went_while_it_waited_for_the_order_is_refused_with_a_message(build, tenant):
    order = build.order((build.article(), 5))
    row = order.rows.get()
    order.rows.all().delete()
    with pytest.raises(ValidationError, match="changed while you had it open"):
        do_pick_row(row, Decimal(1), tenant.warehouse)


def test_a_bad_pick_quantity_is_explained(build, staff):
    order = build.order((build.article(), 5))
    row = order.rows.get()
    response = staff.post(reverse("warehouse:order_pick_row", args=[order.pk, row.pk]), {"quantity": "-1"}, follow=True)
    assert "Enter a quantity above zero" in response.content.decode()


def test_packing_an_order_with_nothing_picked_is_explained(build, staff):
    order = build.order((build.article(), 1))
    staff.post(order_url(order, "warehouse:order_start_picking"))
    response = staff.post(order_url(order, "warehouse:order_pack"), {"parcels": 1, "weight_kg": "1"}, follow=True)
    assert "Nothing has been picked" in response.content.decode()


def test_report_fulfilled_short_asks_for_confirmation_then_delivers(build, staff, tenant):
    article = build.article()
    do_adjust_stock(article, Decimal(10), "count", tenant.owner)
    order = build.order((article, 4))
    do_pick_row(order.rows.get(), Decimal(3), tenant.warehouse)
    do_pack(order, tenant.warehouse)

    asked = staff.post(order_url(order, "warehouse:order_report_fulfilled"))
    assert asked.status_code == 200
    assert "Report fulfilled anyway" in asked.content.decode()
    order.refresh_from_db()
    assert order.state == SalesOrder.State.PACKED

    staff.post(order_url(order, "warehouse:order_report_fulfilled"), {"confirm_short": "1"})
    order.refresh_from_db()
    assert order.state == SalesOrder.State.SENT and order.fulfilled_by == tenant.warehouse
    assert order.rows.get().delivered_quantity == 3
    assert StockBalance.objects.get(article=article).quantity == 7


def test_report_fulfilled_on_an_open_order_is_refused_with_a_message(build, staff):
    order = build.order((build.article(), 1))
    response = staff.post(order_url(order, "warehouse:order_report_fulfilled"), follow=True)
    assert "is open and cannot become sent" in response.content.decode()


def test_cancelling_from_the_order_page(build, staff):
    order = build.order((build.article(), 1))
    staff.post(order_url(order, "warehouse:order_cancel"))
    order.refresh_from_db()
    assert order.state == SalesOrder.State.CANCELLED


def test_the_order_page_shows_the_buttons_for_the_next_step_only(build, staff):
    order = build.order((build.article(), 1), delivery_date=date.today() + timedelta(days=1))
    page = staff.get(order_url(order)).content.decode()
    assert "Start picking" in page and "Report fulfilled" not in page and 'class="scan-input"' in page


def test_a_return_puts_goods_back_in_stock_with_a_reason(build, staff, tenant):
    article = build.article()
    do_adjust_stock(article, Decimal(5), "count", tenant.owner)
    order = build.order((article, 2))
    do_pick_row(order.rows.get(), Decimal(2), tenant.warehouse)
    do_pack(order, tenant.warehouse)
    staff.post(order_url(order, "warehouse:order_report_fulfilled"))
    row = order.rows.get()
    response = staff.post(order_url(order, "warehouse:order_return"), {"row": row.pk, "quantity": "1", "reason": "Wrong size"})
    assert response.status_code == 302
    assert StockBalance.objects.get(article=article).quantity == 4
    too_many = staff.post(order_url(order, "warehouse:order_return"), {"row": row.pk, "quantity": "2", "reason": "Again"})
    assert "At most 1 of" in too_many.content.decode()
    assert "Wrong size" in staff.get(order_url(order)).content.decode()


def test_a_return_on_an_order_not_yet_sent_is_refused(build, staff):
    order = build.order((build.article(), 2))
    response = staff.post(order_url(order, "warehouse:order_return"), {"row": order.rows.get().pk, "quantity": "1", "reason": "x"})
    assert "Only sent orders can take returns" in response.content.decode()


def test_a_return_form_without_a_reason_is_not_accepted(build, staff):
    order = build.order((build.article(), 2))
    response = staff.post(order_url(order, "warehouse:order_return"), {"row": order.rows.get().pk, "quantity": "1"})
    assert response.context["form"].errors.keys() == {"reason"}
