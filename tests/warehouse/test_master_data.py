import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from tests.support.warehouse import valid_ean
from warehouse import demo
from warehouse.models import Article, Customer, OrderType, PurchaseOrder, SalesOrder, StockBalance, StockMovement


def test_the_oldest_order_type_of_a_kind_is_used(tenant):
    organization = tenant.organization
    newer = OrderType.objects.create(organization=organization, kind="b2b", name="B2B new")
    older = OrderType.objects.create(
        organization=organization, kind="b2b", name="B2B old", created_at=timezone.now() - timezone.timedelta(days=9)
    )
    assert OrderType.for_kind(organization, "b2b") == older != newer


def test_a_missing_order_type_is_created_once(tenant):
    first = OrderType.for_kind(tenant.organization, OrderType.Kind.B2C)
    assert OrderType.for_kind(tenant.organization, OrderType.Kind.B2C) == first
    assert OrderType.objects.count() == 1


def test_the_customer_type_chooses_b2b_or_b2c(build):
    assert OrderType.for_customer(build.customer(customer_type=Customer.Type.PRIVATE)).kind == "b2c"
    assert OrderType.for_customer(build.customer(customer_type=Customer.Type.COMPANY)).kind == "b2b"


def test_notifications_are_off_on_a_new_order(build):
    order = build.order()
    assert not order.notify_by_sms and not order.notify_by_email


@pytest.mark.parametrize("code", ["7350000000019", "12345678", "73500000001", "ABCDEFGH"])
def test_an_article_rejects_an_invalid_ean(build, code):
    article = build.article(ean=code)
    with pytest.raises(ValidationError, match="not a valid EAN"):
        article.full_clean()


def test_a_valid_ean_passes(build):
    article = build.article(ean=valid_ean(42))
    article.full_clean()  # raises ValidationError for an invalid EAN
    assert article.ean == valid_ean(42)


def test_an_ean_is_unique_within_an_organization_but_may_repeat_elsewhere(build, build_other):
    build.article(ean=valid_ean(7))
    build_other.article(ean=valid_ean(7))
    build.article(ean="")
    build.article(ean="")
    with pytest.raises(IntegrityError):
        build.article(ean=valid_ean(7))


def test_an_article_number_is_unique_within_an_organization(build, build_other):
    build.article(article_number="X1")
    build_other.article(article_number="X1")
    with pytest.raises(IntegrityError):
        build.article(article_number="X1", ean="")


def test_the_demo_warehouse_has_every_state_and_loads_twice_without_duplicates(tenant):
    demo.load(tenant.organization)
    counts = (Article.objects.count(), SalesOrder.objects.count(), StockMovement.objects.count())
    demo.load(tenant.organization)
    assert (Article.objects.count(), SalesOrder.objects.count(), StockMovement.objects.count()) == counts
    assert set(SalesOrder.objects.values_list("state", flat=True)) == set(SalesOrder.State)
    assert set(PurchaseOrder.objects.values_list("state", flat=True)) == set(PurchaseOrder.State)
    assert set(Customer.objects.values_list("customer_type", flat=True)) == set(Customer.Type)
    assert Article.objects.count() >= 50
    for article in Article.objects.exclude(ean=""):
        article.full_clean()
    assert all(b.quantity == sum(m.quantity for m in StockMovement.objects.filter(article=b.article, location=b.location))
               for b in StockBalance.objects.select_related("article"))


def test_the_overview_card_counts_the_work_waiting(build, tenant, client_for):
    build.order()
    build.order(state=SalesOrder.State.PACKED)
    build.purchase_order()
    page = client_for(tenant.warehouse).get(reverse("dashboard")).content.decode()
    assert "1 order to pick" in page and "1 packed order to send" in page and "1 purchase order expected" in page
    assert "Pick queue" in page


def test_the_overview_card_and_menu_are_hidden_from_other_roles(build, tenant, client_for):
    build.order()
    page = client_for(tenant.employee).get(reverse("dashboard")).content.decode()
    assert "order to pick" not in page and "Pick queue" not in page


def test_an_order_changed_at_the_source_says_so_on_its_page_and_in_the_queue(build, tenant, client_for):
    order = build.order(changed_at_source=True, source_change_note="Row 2 quantity 3 → 5 in the ERP.")
    staff = client_for(tenant.warehouse)
    assert "Row 2 quantity 3 → 5 in the ERP." in staff.get(reverse("warehouse:order", args=[order.pk])).content.decode()
    assert "changed at source" in staff.get(reverse("warehouse:pick_queue")).content.decode()
