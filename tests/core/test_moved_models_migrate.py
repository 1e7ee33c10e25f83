"""A database made before `integrations/` was split into rooms migrates without moving data: the
HR and warehouse settings, now models of `hr_sync` and `warehouse_sync`, are read from the tables
the `integrations` app made, their content types come along, and the schedules name the jobs'
new paths. Runs the real migrations backwards to the old layout and forwards again."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_q.models import Schedule

from integrations.hr_sync.models import AbsenceTypeMapping, HrIntegrationSettings
from integrations.warehouse_sync.models import WarehouseSyncSettings

# The last migrations of the old layout: everything was the `integrations` app's.
OLD_LAYOUT = [("integrations", "0011_one_organization_per_fortnox_company"), ("hr_sync", None), ("warehouse_sync", None)]


def migrate(targets):
    """Migrate to `targets`; returns the models as they were then (every other app at its newest)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    moved = {app for app, _name in targets}
    state = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in moved]
    return executor.loader.project_state(state + [node for node in targets if node[1]]).apps


def newest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def old_layout_database(transactional_db):
    old = migrate(OLD_LAYOUT)
    yield old
    migrate(newest())  # the next test gets the database as it was


def test_settings_written_in_the_old_layout_are_read_through_the_moved_models(old_layout_database):
    old = old_layout_database
    organization = old.get_model("organizations", "Organization").objects.create(
        name="Gammal AB", organisation_number="556000-0001")
    sick = old.get_model("hr", "AbsenceType").objects.create(
        organization=organization, code="sick_leave", name_sv="Sjuk", name_en="Sick", position=1)
    old.get_model("integrations", "HrIntegrationSettings").objects.create(
        organization=organization, create_absences=True, create_employees=True)
    old.get_model("integrations", "AbsenceTypeMapping").objects.create(
        organization=organization, absence_type=sick, cause_code="SJK")
    old.get_model("integrations", "WarehouseSyncSettings").objects.create(
        organization=organization, active=True, interval_minutes=30, use_warehouse_module=True)

    migrate(newest())

    hr_settings = HrIntegrationSettings.objects.get(organization_id=organization.pk)
    assert (hr_settings.create_absences, hr_settings.create_employees) == (True, True)
    assert AbsenceTypeMapping.objects.get(absence_type_id=sick.pk).cause_code == "SJK"
    warehouse = WarehouseSyncSettings.get_or_create_for(organization.pk)
    assert (warehouse.active, warehouse.interval_minutes, warehouse.use_warehouse_module) == (True, 30, True)
    assert WarehouseSyncSettings.objects.count() == 1  # read, not made again


def test_content_types_and_schedules_of_the_old_layout_follow_the_move(old_layout_database):
    old = old_layout_database
    old_type = old.get_model("contenttypes", "ContentType")
    moved = old_type.objects.get_or_create(app_label="integrations", model="warehousesyncsettings")[0]
    old_type.objects.filter(app_label="warehouse_sync").delete()
    schedules = old.get_model("django_q", "Schedule").objects
    schedules.create(name="Outbox sweep (old)", func="integrations.outbox.sweep")
    schedules.create(name="Personal-data purge (old)", func="integrations.personal_data.purge_expired")

    migrate(newest())

    assert ContentType.objects.get_for_model(WarehouseSyncSettings).pk == moved.pk  # its permissions stay its own
    assert Schedule.objects.get(name="Outbox sweep (old)").func == "integrations.core.outbox.sweep"
    assert Schedule.objects.get(name="Personal-data purge (old)").func == "integrations.core.personal_data.purge_expired"
