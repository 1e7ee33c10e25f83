"""Part A's sandbox fixtures (company, sandbox user, `connect`), plus companies with the
warehouse switches the rules depend on."""

import pytest

from tests.sandbox.conftest import API, Api, company, connect, oauth_client, sandbox_user  # noqa: F401

ALL_SCOPES = "article customer supplier order invoice warehouse companyinformation"


@pytest.fixture
def classic(company, connect) -> Api:
    """A company without the warehouse module: the item register owns stock."""
    return connect(ALL_SCOPES)


@pytest.fixture
def lager(company, connect) -> Api:
    """A company with Lager (and Lager+ purchase orders), negative stock not allowed."""
    company.warehouse_licence = company.purchase_orders_licence = True
    company.save(update_fields=["warehouse_licence", "purchase_orders_licence"])
    return connect(ALL_SCOPES)
