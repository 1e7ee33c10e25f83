"""Organizations set up before "when the warehouse fulfils an order" was its own setting keep what
they had (orders without an invoice), and one that has pulled orders goes on from its cursor
instead of reading every open order again. Runs the real migration backwards and forwards."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from integrations.warehouse_sync.models import WarehouseSyncSettings

BEFORE = [("warehouse_sync", "0001_initial")]


def migrate(targets):
    """Migrate to `targets`; the models as they were then (every other app at its newest)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    moved = {app for app, _name in targets}
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in moved]
    return executor.loader.project_state(others + targets).apps


@pytest.fixture
def database_before_the_setting(transactional_db):
    old = migrate(BEFORE)
    yield old
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # the next test gets the newest database


def test_existing_organizations_keep_fulfilling_non_invoiced_orders_and_their_pull_goes_on_from_its_cursor(
        database_before_the_setting):
    old = database_before_the_setting
    Organization = old.get_model("organizations", "Organization")
    Settings = old.get_model("warehouse_sync", "WarehouseSyncSettings")
    pulled = Organization.objects.create(name="Hämtat AB", organisation_number="556000-0001")
    never = Organization.objects.create(name="Nytt AB", organisation_number="556000-0002")
    Settings.objects.create(organization=pulled, order_selection="open",
                            cursors={"orders": "2026-11-01T10:00:00+01:00", "articles": "2026-11-01T10:00:00+01:00"})
    Settings.objects.create(organization=never)

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    pulled_settings = WarehouseSyncSettings.objects.get(organization_id=pulled.pk)
    assert pulled_settings.fulfil_orders == WarehouseSyncSettings.Fulfilment.NOT_INVOICED
    assert pulled_settings.orders_pulled_for == "not_invoiced/open" and not pulled_settings.order_choice_pending
    never_settings = WarehouseSyncSettings.objects.get(organization_id=never.pk)
    assert (never_settings.fulfil_orders, never_settings.orders_pulled_for) == ("not_invoiced", "")
