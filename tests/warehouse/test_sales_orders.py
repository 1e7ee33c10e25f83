from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from warehouse import signals
from warehouse.actions import (
    ShortDeliveryNeedsConfirmation,
    do_adjust_stock,
    do_cancel_order,
    do_pack,
    do_pick_row,
    do_report_fulfilled,
    do_start_picking,
)
from warehouse.models import IllegalTransition, SalesOrder, StockBalance, StockMovement

State = SalesOrder.State


@pytest.fixture
def stocked(build, tenant):
    """An article with 10 in stock."""
    article = build.article()
    do_adjust_stock(article, Decimal(10), "opening balance", tenant.owner)
    return article


def picked_order(build, tenant, article, ordered, picked):
    order = build.order((article, ordered))
    if picked:
        do_pick_row(order.rows.get(), Decimal(picked), tenant.warehouse)
    else:
        do_start_picking(order, tenant.warehouse)
    return do_pack(order, tenant.warehouse) if picked else SalesOrder.objects.get(pk=order.pk)


@pytest.mark.parametrize(
    "start, target, allowed",
    [
        (State.OPEN, State.PICKING, True), (State.OPEN, State.PACKED, False), (State.OPEN, State.SENT, False),
        (State.OPEN, State.CANCELLED, True), (State.PICKING, State.PACKED, True), (State.PICKING, State.SENT, False),
        (State.PICKING, State.OPEN, False), (State.PACKED, State.SENT, True), (State.PACKED, State.OPEN, False),
        (State.PACKED, State.CANCELLED, True), (State.SENT, State.CANCELLED, False), (State.SENT, State.PICKING, False),
        (State.CANCELLED, State.OPEN, False), (State.CANCELLED, State.PICKING, False),
    ],
)
def test_the_sales_order_state_machine_allows_only_the_forward_moves(build, start, target, allowed):
    order = build.order(state=start)
    assert order.can_move_to(target) is allowed
    if allowed:
        order.move_to(target)
        assert order.state == target
    else:
        with pytest.raises(IllegalTransition, match=f"is {State(start).label.lower()} and cannot become"):
            order.move_to(target)
        assert order.state == start


def test_warehouse_work_has_started_once_picking_begins_and_stays_so(build, tenant, stocked):
    order = build.order((stocked, 2))
    assert not order.warehouse_work_started
    order = do_start_picking(order, tenant.warehouse)
    assert order.warehouse_work_started
    assert order.picking_started_by == tenant.warehouse
    assert do_cancel_order(order).warehouse_work_started


def test_a_cancelled_open_order_never_had_warehouse_work(build):
    assert not do_cancel_order(build.order()).warehouse_work_started


def test_the_first_pick_on_an_open_order_starts_picking(build, tenant, stocked):
    order = build.order((stocked, 3))
    do_pick_row(order.rows.get(), Decimal(1), tenant.warehouse)
    order.refresh_from_db()
    assert order.state == State.PICKING
    assert order.warehouse_work_started


def test_partial_picks_add_up_and_cannot_exceed_the_ordered_quantity(build, tenant, stocked):
    row = build.order((stocked, 5)).rows.get()
    do_pick_row(row, Decimal(2), tenant.warehouse)
    row = do_pick_row(row, Decimal("1.5"), tenant.warehouse)
    assert row.picked_quantity == Decimal("3.5")
    with pytest.raises(ValidationError, match="Only 1.5 left to pick"):
        do_pick_row(row, Decimal(2), tenant.warehouse)
    with pytest.raises(ValidationError, match="above zero"):
        do_pick_row(row, Decimal(0), tenant.warehouse)
    row.refresh_from_db()
    assert row.picked_quantity == Decimal("3.5")
    do_pick_row(row, Decimal("1.5"), tenant.warehouse)
    with pytest.raises(ValidationError, match="is picked already"):
        do_pick_row(row, Decimal(1), tenant.warehouse)


def test_a_non_stock_article_is_never_picked(build, tenant):
    freight = build.article(is_stock_article=False, description="Freight")
    row = build.order((freight, 1)).rows.get()
    with pytest.raises(ValidationError, match="not a stock article"):
        do_pick_row(row, Decimal(1), tenant.warehouse)
    assert not row.is_pickable and row.left_to_pick == 0


def test_a_packed_order_cannot_be_picked_further(build, tenant, stocked):
    order = picked_order(build, tenant, stocked, 3, 1)
    with pytest.raises(ValidationError, match="is packed"):
        do_pick_row(order.rows.get(), Decimal(1), tenant.warehouse)


def test_an_order_with_nothing_picked_cannot_be_packed(build, tenant, stocked):
    order = do_start_picking(build.order((stocked, 3)), tenant.warehouse)
    with pytest.raises(ValidationError, match="Nothing has been picked"):
        do_pack(order, tenant.warehouse)


@pytest.mark.parametrize("code_of", [lambda a: a.ean, lambda a: a.article_number, lambda a: f"  {a.ean} "])
def test_a_scan_finds_the_row_by_ean_or_article_number(build, stocked, code_of):
    other = build.article()
    order = build.order((other, 1), (stocked, 2))
    assert order.row_for_scan(code_of(stocked)).article == stocked


def test_a_scan_prefers_a_row_still_to_pick_when_an_article_repeats(build, tenant, stocked):
    order = build.order((stocked, 1), (stocked, 1))
    first, second = order.rows.all()
    do_pick_row(first, Decimal(1), tenant.warehouse)
    assert order.row_for_scan(stocked.ean) == second


def test_a_scan_that_matches_nothing_says_so(build, stocked):
    order = build.order((stocked, 1))
    with pytest.raises(ValidationError, match="Nothing on Order .* matches “999”"):
        order.row_for_scan("999")


def test_report_fulfilled_on_a_short_order_asks_for_confirmation_and_changes_nothing(build, tenant, stocked):
    order = picked_order(build, tenant, stocked, 5, 3)
    with pytest.raises(ShortDeliveryNeedsConfirmation) as raised:
        do_report_fulfilled(order, tenant.warehouse)
    assert [row.pk for row in raised.value.short_rows] == [order.rows.get().pk]
    order.refresh_from_db()
    assert order.state == State.PACKED
    assert not StockMovement.objects.filter(kind=StockMovement.Kind.DELIVERY).exists()


def test_report_fulfilled_delivers_the_picked_quantities_and_records_who_and_when(build, tenant, stocked, caught):
    fulfilled = caught(signals.order_fulfilled)
    freight = build.article(is_stock_article=False)
    order = build.order((stocked, 5), (freight, 1))
    do_pick_row(order.rows.get(article=stocked), Decimal(3), tenant.warehouse)
    do_pack(order, tenant.warehouse)
    order = do_report_fulfilled(order, tenant.warehouse, allow_short=True)
    assert order.state == State.SENT
    assert order.fulfilled_by == tenant.warehouse and order.fulfilled_at is not None
    delivered = {row.article_id: row.delivered_quantity for row in order.rows.all()}
    assert delivered == {stocked.pk: 3, freight.pk: 1}
    assert StockBalance.objects.get(article=stocked).quantity == 7
    assert [m.quantity for m in StockMovement.objects.filter(kind="delivery", sales_order=order)] == [-3]
    [event] = fulfilled
    assert event["order"] == order and event["short"] is True and event["by"] == tenant.warehouse
    assert {row.article_id: row.delivered_quantity for row in event["rows"]} == delivered


def test_report_fulfilled_on_a_fully_picked_order_needs_no_confirmation(build, tenant, stocked, caught):
    fulfilled = caught(signals.order_fulfilled)
    order = do_report_fulfilled(picked_order(build, tenant, stocked, 4, 4), tenant.warehouse)
    assert order.state == State.SENT
    assert fulfilled[0]["short"] is False


def test_report_fulfilled_before_packing_is_refused(build, tenant, stocked):
    order = build.order((stocked, 1))
    do_pick_row(order.rows.get(), Decimal(1), tenant.warehouse)
    with pytest.raises(IllegalTransition, match="is picking and cannot become sent"):
        do_report_fulfilled(order, tenant.warehouse)


def test_a_sent_order_cannot_be_cancelled(build, tenant, stocked):
    order = do_report_fulfilled(picked_order(build, tenant, stocked, 1, 1), tenant.warehouse)
    with pytest.raises(IllegalTransition):
        do_cancel_order(order)


def test_cancelling_a_packed_order_leaves_stock_alone(build, tenant, stocked):
    order = do_cancel_order(picked_order(build, tenant, stocked, 2, 2))
    assert order.state == State.CANCELLED and order.cancelled_at is not None
    assert StockBalance.objects.get(article=stocked).quantity == 10
