import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def adopt_content_types(apps, schema_editor):
    """The models' content types (and so their permissions) come along instead of new ones."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ['absencetypemapping', 'hrintegrationsettings']:
        if not ContentType.objects.filter(app_label="hr_sync", model=model).exists():
            ContentType.objects.filter(app_label="integrations", model=model).update(app_label="hr_sync")


def leave_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="hr_sync", model__in=['absencetypemapping', 'hrintegrationsettings']).update(app_label="integrations")


class Migration(migrations.Migration):
    """The HR settings and the absence-type mapping move here from `integrations`, keeping their tables."""

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('integrations', '0011_one_organization_per_fortnox_company'),
        ('hr', '0003_dates_within_1900_to_2100'),
        ('organizations', '0004_invitation_one_pending_revocable'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist (made by the `integrations` app): only Django's idea of whose they are changes.
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='AbsenceTypeMapping',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('cause_code', models.CharField(blank=True, help_text='Empty: absences of this type are not transferred.', max_length=3, verbose_name='Fortnox cause code')),
                    ('absence_type', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='fortnox_mapping', to='hr.absencetype', verbose_name='absence type')),
                    ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organizations.organization', verbose_name='organization')),
                ],
                options={
                    'verbose_name': 'absence type mapping',
                    'verbose_name_plural': 'absence type mappings',
                    'db_table': 'integrations_absencetypemapping',
                    'ordering': ['absence_type__position'],
                },
            ),
            migrations.CreateModel(
                name='HrIntegrationSettings',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('create_absences', models.BooleanField(default=False, verbose_name='Create absence in Fortnox when added in Brygga')),
                    ('create_employees', models.BooleanField(default=False, help_text='A person added in Brygga is created in Fortnox at once (with a 0-hour working-time schedule until one is set there).', verbose_name='Create new employees in Fortnox automatically')),
                    ('terms_accepted_at', models.DateTimeField(blank=True, null=True, verbose_name='terms accepted at')),
                    ('settings_saved_at', models.DateTimeField(blank=True, null=True, verbose_name='settings saved at')),
                    ('mapping_saved_at', models.DateTimeField(blank=True, null=True, verbose_name='mapping saved at')),
                    ('activated_at', models.DateTimeField(blank=True, null=True, verbose_name='activated at')),
                    ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organizations.organization', verbose_name='organization')),
                    ('terms_accepted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='terms accepted by')),
                ],
                options={
                    'verbose_name': 'HR integration settings',
                    'verbose_name_plural': 'HR integration settings',
                    'db_table': 'integrations_hrintegrationsettings',
                    'constraints': [models.UniqueConstraint(fields=('organization',), name='hr_integration_settings_one_per_org')],
                },
            ),
        ], database_operations=[]),
        migrations.RunPython(adopt_content_types, leave_content_types),
    ]
