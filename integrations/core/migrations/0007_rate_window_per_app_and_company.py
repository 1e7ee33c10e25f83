from django.db import migrations, models


class Migration(migrations.Migration):
    """Rate windows are kept per app and Fortnox company instead of per connection. A window only
    holds the last few seconds, so the old rows are dropped rather than converted."""

    dependencies = [
        ("integrations", "0006_mask_personal_data_in_stored_copies"),
    ]

    operations = [
        migrations.DeleteModel(name="FortnoxRateWindow"),
        migrations.CreateModel(
            name="FortnoxRateWindow",
            fields=[
                ("key", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("sent_at", models.JSONField(default=list)),
            ],
            options={"verbose_name": "Fortnox rate window", "verbose_name_plural": "Fortnox rate windows"},
        ),
    ]
