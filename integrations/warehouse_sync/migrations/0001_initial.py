import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def adopt_content_types(apps, schema_editor):
    """The models' content types (and so their permissions) come along instead of new ones."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ['warehousesyncsettings']:
        if not ContentType.objects.filter(app_label="warehouse_sync", model=model).exists():
            ContentType.objects.filter(app_label="integrations", model=model).update(app_label="warehouse_sync")


def leave_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="warehouse_sync", model__in=['warehousesyncsettings']).update(app_label="integrations")


class Migration(migrations.Migration):
    """The warehouse settings move here from `integrations`, keeping their table."""

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('integrations', '0011_one_organization_per_fortnox_company'),
        ('organizations', '0004_invitation_one_pending_revocable'),
    ]

    operations = [
        # The tables exist (made by the `integrations` app): only Django's idea of whose they are changes.
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='WarehouseSyncSettings',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('active', models.BooleanField(default=False, verbose_name='Synchronise on a schedule')),
                    ('interval_minutes', models.PositiveSmallIntegerField(default=15, verbose_name='Synchronisation interval (minutes)')),
                    ('pull_articles', models.BooleanField(default=True, verbose_name='Pull articles')),
                    ('pull_suppliers', models.BooleanField(default=True, verbose_name='Pull suppliers')),
                    ('pull_customers', models.BooleanField(default=True, verbose_name='Pull customers')),
                    ('pull_orders', models.BooleanField(default=True, verbose_name='Pull sales orders')),
                    ('pull_purchase_orders', models.BooleanField(default=True, help_text="Purchase orders in state Sent with purchase type Warehouse. Needs Fortnox's Lager+ module.", verbose_name='Pull purchase orders (Lager+)')),
                    ('order_selection', models.CharField(choices=[('confirmed', 'Confirmed: marked ready in Fortnox, not cancelled, not invoiced'), ('open', 'All orders that are not cancelled and not invoiced')], default='confirmed', max_length=20, verbose_name='Which sales orders to pull')),
                    ('set_order_type', models.BooleanField(default=True, verbose_name="Set order type B2B/B2C from the Fortnox customer's type")),
                    ('report_fulfilled', models.BooleanField(default=True, help_text='When “Report fulfilled” is pressed: delivered quantities on the Fortnox order, then an invoice.', verbose_name='Report fulfilled orders to Fortnox')),
                    ('write_stock', models.BooleanField(default=False, help_text="Writes the article's quantity in stock. Not possible with Fortnox's warehouse module.", verbose_name='Write stock levels to Fortnox at the end of each synchronisation (classic mode)')),
                    ('use_warehouse_module', models.BooleanField(default=False, help_text='Must match Fortnox. Fulfilment marks orders warehouse-ready; adjustments, returns and receipts become Fortnox warehouse documents.', verbose_name='Use the Fortnox warehouse module (Lager)')),
                    ('back_orders_in_fortnox', models.BooleanField(default=True, help_text='As set in Fortnox under Inställningar → Fakturering → Lager. Staff are warned when a short delivery will leave a back order.', verbose_name='Fortnox creates back orders for short deliveries')),
                    ('fortnox_warehouse_module', models.BooleanField(blank=True, null=True, verbose_name='Fortnox has the warehouse module (Lager)')),
                    ('fortnox_mode_read_at', models.DateTimeField(blank=True, null=True, verbose_name='warehouse mode read from Fortnox')),
                    ('cursors', models.JSONField(blank=True, default=dict, verbose_name='cursors')),
                    ('access_problems', models.JSONField(blank=True, default=dict, verbose_name='access problems')),
                    ('updated_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='updated')),
                    ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organizations.organization', verbose_name='organization')),
                ],
                options={
                    'verbose_name': 'warehouse integration settings',
                    'verbose_name_plural': 'warehouse integration settings',
                    'db_table': 'integrations_warehousesyncsettings',
                    'constraints': [models.UniqueConstraint(fields=('organization',), name='warehouse_sync_settings_one_per_org')],
                },
            ),
        ], database_operations=[]),
        migrations.RunPython(adopt_content_types, leave_content_types),
    ]
