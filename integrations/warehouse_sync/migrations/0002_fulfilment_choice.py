from django.db import migrations, models


def keep_todays_orders(apps, schema_editor):
    """Every organization so far had the warehouse fulfil orders without an invoice: it keeps that
    choice, and one that has pulled orders is marked as having pulled them for it, so its next
    pull goes on from its cursor instead of reading every open order again."""
    Settings = apps.get_model("warehouse_sync", "WarehouseSyncSettings")
    for settings in Settings.objects.all():
        settings.fulfil_orders = "not_invoiced"
        if (settings.cursors or {}).get("orders"):
            settings.orders_pulled_for = f"not_invoiced/{settings.order_selection}"
        settings.save(update_fields=["fulfil_orders", "orders_pulled_for"])


class Migration(migrations.Migration):
    """"When should an order be fulfilled by the warehouse" becomes its own setting (issue 23),
    apart from the status an order must have to be pulled."""

    dependencies = [
        ('warehouse_sync', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='warehousesyncsettings',
            name='fulfil_orders',
            field=models.CharField(choices=[('not_invoiced', 'Placed non-invoiced orders (orders without an invoice)'), ('all', 'All placed orders, invoiced or not (prepaid orders too)'), ('invoiced', 'Only invoiced orders (prepaid or invoiced in advance)')], default='not_invoiced', help_text='Which orders the warehouse picks, by whether Fortnox has invoiced them. When an invoiced order is reported fulfilled, Brygga creates no second invoice. Invoiced orders are read when they changed in Fortnox since the last synchronisation (the first time, and after a change here: those changed in the last 30 days). A change takes effect at the next synchronisation; an order already in picking is never taken away.', max_length=20, verbose_name='When the warehouse fulfils an order'),
        ),
        migrations.AddField(
            model_name='warehousesyncsettings',
            name='orders_pulled_for',
            field=models.CharField(blank=True, max_length=40, verbose_name='orders last pulled for'),
        ),
        migrations.AlterField(
            model_name='warehousesyncsettings',
            name='order_selection',
            field=models.CharField(choices=[('confirmed', 'Confirmed: marked ready in Fortnox, not cancelled'), ('open', 'All orders that are not cancelled')], default='confirmed', max_length=20, verbose_name='Which status sales orders must have to be pulled'),
        ),
        migrations.RunPython(keep_todays_orders, migrations.RunPython.noop),
    ]
