from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.urls import reverse

from warehouse import signals
from warehouse.actions import (
    do_adjust_stock,
    do_move_stock,
    do_pack,
    do_pick_row,
    do_receive_purchase_order,
    do_register_return,
    do_report_fulfilled,
)
from warehouse.models import StockBalance, StockLocation, StockMovement


def balance(article, location=None):
    return StockBalance.objects.get(article=article, location=location).quantity


def test_a_positive_and_a_negative_adjustment_move_the_balance_with_their_reasons(build, tenant, caught):
    adjusted = caught(signals.stock_adjusted)
    changed = caught(signals.stock_changed)
    article = build.article()
    do_adjust_stock(article, Decimal(7), "Found on the wrong shelf", tenant.warehouse)
    adjustment = do_adjust_stock(article, Decimal(-2), "Damaged", tenant.warehouse)
    assert balance(article) == 5
    assert list(StockMovement.objects.values_list("quantity", "reason", "kind")) == [
        (Decimal(-2), "Damaged", "adjustment"), (Decimal(7), "Found on the wrong shelf", "adjustment"),
    ]
    assert adjusted[-1]["adjustment"] == adjustment and adjusted[-1]["by"] == tenant.warehouse
    assert [event["balance"].quantity for event in changed] == [7, 5]
    assert changed[-1]["movement"].adjustment == adjustment


def test_a_negative_adjustment_cannot_take_stock_below_zero(build, tenant):
    article = build.article()
    do_adjust_stock(article, Decimal(2), "count", tenant.warehouse)
    with pytest.raises(ValidationError, match="Only 2 of .* in stock there; cannot take out 3"):
        do_adjust_stock(article, Decimal(-3), "Lost", tenant.warehouse)
    assert balance(article) == 2 and StockMovement.objects.count() == 1


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_adjustment_needs_a_reason(build, tenant, reason):
    with pytest.raises(ValidationError, match="Give a reason"):
        do_adjust_stock(build.article(), Decimal(1), reason, tenant.warehouse)


def test_a_non_stock_article_has_no_stock_to_adjust(build, tenant):
    with pytest.raises(ValidationError, match="not a stock article"):
        do_adjust_stock(build.article(is_stock_article=False), Decimal(1), "count", tenant.warehouse)
    assert not StockMovement.objects.exists()


def test_a_zero_movement_is_refused(build, tenant):
    with pytest.raises(ValidationError, match="other than zero"):
        do_move_stock(article=build.article(), kind="adjustment", quantity=Decimal(0), by=tenant.warehouse)


def test_the_ledger_adds_up_to_the_balance_after_every_kind_of_movement(build, tenant, caught):
    returned = caught(signals.goods_returned)
    article = build.article()
    shelf = StockLocation.objects.create(organization=tenant.organization, code="A-1")
    purchase_order = build.purchase_order((article, 10))
    do_receive_purchase_order(purchase_order, {purchase_order.rows.get().pk: Decimal(10)}, tenant.warehouse, location=shelf)
    do_adjust_stock(article, Decimal(3), "count", tenant.warehouse)
    order = build.order((article, 4))
    do_pick_row(order.rows.get(), Decimal(4), tenant.warehouse)
    do_pack(order, tenant.warehouse)
    do_report_fulfilled(order, tenant.warehouse)
    goods_return = do_register_return(order.rows.get(), Decimal(1), "Wrong colour", tenant.warehouse, location=shelf)

    kinds = set(StockMovement.objects.values_list("kind", flat=True))
    assert kinds == {"receipt", "adjustment", "delivery", "return"}
    for stock in StockBalance.objects.all():
        ledger = StockMovement.objects.filter(article=article, location=stock.location).aggregate(total=Sum("quantity"))
        assert ledger["total"] == stock.quantity
    # Delivery takes from the unlocated balance first (3), then the shelf (1).
    assert balance(article) == 0 and balance(article, shelf) == 10
    assert returned[0]["goods_return"] == goods_return and returned[0]["order"] == order
    assert order.rows.get().returned_quantity == 1


def test_a_delivery_beyond_the_recorded_stock_shows_as_a_negative_balance(build, tenant):
    article = build.article()
    order = build.order((article, 2))
    do_pick_row(order.rows.get(), Decimal(2), tenant.warehouse)
    do_pack(order, tenant.warehouse)
    do_report_fulfilled(order, tenant.warehouse)
    assert balance(article) == -2


def test_the_article_page_shows_the_ledger_with_a_running_balance(build, tenant, client_for):
    article = build.article()
    do_adjust_stock(article, Decimal(5), "Opening count", tenant.warehouse)
    do_adjust_stock(article, Decimal(-1), "Broken", tenant.warehouse)
    response = client_for(tenant.warehouse).get(reverse("warehouse:article", args=[article.pk]))
    ledger = list(response.context["page"])
    assert [(m.quantity, m.running_total) for m in ledger] == [(-1, 4), (5, 5)]
    assert response.context["total"] == 4


def test_the_stock_page_opens_an_article_from_a_scanned_ean(build, tenant, client_for):
    article = build.article()
    response = client_for(tenant.warehouse).get(reverse("warehouse:stock"), {"code": article.ean})
    assert response["Location"] == reverse("warehouse:article", args=[article.pk])


def test_the_stock_page_lists_articles_with_their_total_balance(build, tenant, client_for):
    article = build.article()
    shelf = StockLocation.objects.create(organization=tenant.organization, code="A-1")
    do_adjust_stock(article, Decimal(2), "count", tenant.warehouse)
    do_adjust_stock(article, Decimal(3), "count", tenant.warehouse, location=shelf)
    response = client_for(tenant.warehouse).get(reverse("warehouse:stock"), {"code": "nothing-like-this"})
    assert "No article has the EAN or article number" in response.content.decode()
    assert [a.in_stock for a in response.context["page"]] == [5]


def test_adjusting_through_the_form_by_article_number(build, tenant, client_for):
    article = build.article()
    staff = client_for(tenant.warehouse)
    response = staff.post(reverse("warehouse:adjustment_new"), {"code": article.article_number, "quantity": "4", "reason": "Count"})
    assert response["Location"] == reverse("warehouse:article", args=[article.pk])
    assert balance(article) == 4


@pytest.mark.parametrize("data, message", [
    ({"code": "A-none", "quantity": "1", "reason": "x"}, "No article has the EAN or article number"),
    ({"code": "ART", "quantity": "0", "reason": "x"}, "Enter a change other than zero"),
    ({"code": "ART", "quantity": "-9", "reason": "x"}, "cannot take out 9"),
    ({"code": "ART", "quantity": "1", "reason": ""}, "This field is required"),
])
def test_the_adjustment_form_explains_what_is_wrong(build, tenant, client_for, data, message):
    build.article(article_number="ART")
    response = client_for(tenant.warehouse).post(reverse("warehouse:adjustment_new"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not StockMovement.objects.exists()


def test_the_adjustment_form_offers_locations_only_when_the_organization_uses_them(tenant, client_for):
    staff = client_for(tenant.warehouse)
    assert "location" not in staff.get(reverse("warehouse:adjustment_new")).context["form"].fields
    StockLocation.objects.create(organization=tenant.organization, code="A-1")
    assert "location" in staff.get(reverse("warehouse:adjustment_new")).context["form"].fields


def test_another_organizations_location_cannot_be_chosen(build, tenant, other_tenant, client_for):
    StockLocation.objects.create(organization=tenant.organization, code="MINE")
    theirs = StockLocation.objects.create(organization=other_tenant.organization, code="THEIRS")
    article = build.article()
    response = client_for(tenant.warehouse).post(
        reverse("warehouse:adjustment_new"), {"code": article.ean, "quantity": "1", "reason": "x", "location": theirs.pk}
    )
    assert "Select a valid choice" in response.content.decode()
    assert not StockMovement.objects.exists()


def test_a_failing_listener_rolls_the_whole_adjustment_back_because_events_are_sent_inside_the_transaction(build, tenant):
    article = build.article()

    def refuse(sender, **kwargs):
        raise RuntimeError("listener failed")

    signals.stock_adjusted.connect(refuse, weak=False)
    try:
        with pytest.raises(RuntimeError):
            do_adjust_stock(article, Decimal(3), "count", tenant.warehouse)
    finally:
        signals.stock_adjusted.disconnect(refuse)
    assert not StockMovement.objects.exists() and not StockBalance.objects.filter(quantity__gt=0).exists()
