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
