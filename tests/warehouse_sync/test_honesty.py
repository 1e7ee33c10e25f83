"""Warehouse honesty (issue 24, item 8): a run's failures name their records and repeat failures
fold into one error-log entry, against the sandbox over real HTTP."""

from decimal import Decimal

import pytest

from integrations.models import IntegrationError, SyncRun
from warehouse import actions as warehouse_actions
from warehouse.models import Article

from .conftest import article, as_if_later, configure, sync

pytestmark = pytest.mark.slow


def test_a_classic_run_names_the_brygga_only_article_it_cannot_write_and_its_repeats_fold_into_one_entry(fortnox, tenant):
    article(fortnox, "A1", QuantityInStock="3")
    configure(tenant, write_stock=True)
    sync(tenant)
    only_here = Article.objects.create(organization=tenant.organization, article_number="B-ONLY", description="Brygga only",
                                       is_stock_article=True)
    warehouse_actions.do_adjust_stock(only_here, Decimal("5"), "counted", tenant.warehouse)
    warehouse_actions.do_adjust_stock(Article.objects.get(article_number="A1"), Decimal("7"), "counted", tenant.warehouse)
    as_if_later(tenant)
    first = sync(tenant)
    as_if_later(tenant)
    second = sync(tenant)

    assert first.status == second.status == SyncRun.Status.PARTIAL
    assert "B-ONLY" in first.log and "not in Fortnox" in first.log
    entry = IntegrationError.objects.get()
    assert "B-ONLY" in entry.about and entry.occurrences == 2 and "not in Fortnox" in entry.message
    assert Decimal(str(fortnox.get("/3/articles/A1")["QuantityInStock"])) == 7  # the others are still written


def test_with_lager_each_run_lists_the_articles_whose_stock_differs_between_brygga_and_fortnox(
        lager_fortnox, tenant, client_for):
    from django.urls import reverse

    from .conftest import push

    article(lager_fortnox, "A1")
    article(lager_fortnox, "A2")
    sync(tenant)
    warehouse_actions.do_adjust_stock(Article.objects.get(article_number="A1"), Decimal("20"), "counted", tenant.warehouse)
    as_if_later(tenant)
    drifted = sync(tenant)  # the adjustment's document is not in Fortnox yet

    assert drifted.data["stock_differences"] == [{"article": "A1", "brygga": "20", "fortnox": "0"}]
    assert "Article A1: 20 in stock in Brygga, 0 in Fortnox." in drifted.log
    page = client_for(tenant.owner).get(reverse("warehouse_sync_run", args=[drifted.pk])).content.decode()
    assert "Stock that differs between Brygga and Fortnox" in page and "<td>A1</td>" in page

    push()
    as_if_later(tenant)
    agreed = sync(tenant)
    assert agreed.data["stock_differences"] == [] and "Stock that differs" not in client_for(tenant.owner).get(
        reverse("warehouse_sync_run", args=[agreed.pk])).content.decode()
