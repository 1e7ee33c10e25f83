from django.db import migrations

# The job functions the schedules name moved with the shared modules into integrations.core.
MOVED_FUNCS = {
    "integrations.outbox.sweep": "integrations.core.outbox.sweep",
    "integrations.personal_data.purge_expired": "integrations.core.personal_data.purge_expired",
}


def rename_schedule_funcs(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for old, new in MOVED_FUNCS.items():
        Schedule.objects.filter(func=old).update(func=new)


def restore_schedule_funcs(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for old, new in MOVED_FUNCS.items():
        Schedule.objects.filter(func=new).update(func=old)


class Migration(migrations.Migration):
    """The HR and warehouse settings now belong to their features (`hr_sync`, `warehouse_sync`),
    which took them over with their tables; here they only leave this app's state."""

    dependencies = [
        ("integrations", "0011_one_organization_per_fortnox_company"),
        ("hr_sync", "0001_initial"),
        ("warehouse_sync", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(name="AbsenceTypeMapping"),
            migrations.DeleteModel(name="HrIntegrationSettings"),
            migrations.DeleteModel(name="WarehouseSyncSettings"),
        ], database_operations=[]),
        migrations.RunPython(rename_schedule_funcs, restore_schedule_funcs),
    ]
