"""Companies with the warehouse switches the rules depend on (the sandbox's company, sandbox user,
`unlimited` and `connect` come from tests/fortnox_sandbox/conftest.py)."""

import pytest

from tests.support.sandbox_api import ALL_SCOPES, Api


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
