"""Companies with the warehouse switches the rules depend on (the sandbox's company, sandbox user
and `connect` come from tests/fortnox_sandbox/conftest.py)."""

import pytest

from tests.support.sandbox_api import Api

ALL_SCOPES = "article customer supplier order invoice warehouse companyinformation"


@pytest.fixture
def unlimited(company):
    """These tests are about business rules, not the rate limit (tested in tests/fortnox_sandbox)."""
    company.rate_limit_requests = 100_000
    company.save(update_fields=["rate_limit_requests"])
    return company


@pytest.fixture
def classic(unlimited, connect) -> Api:
    """A company without the warehouse module: the item register owns stock."""
    return connect(ALL_SCOPES)


@pytest.fixture
def lager(unlimited, connect) -> Api:
    """A company with Lager (and Lager+ purchase orders), negative stock not allowed."""
    unlimited.warehouse_licence = unlimited.purchase_orders_licence = True
    unlimited.save(update_fields=["warehouse_licence", "purchase_orders_licence"])
    return connect(ALL_SCOPES)
