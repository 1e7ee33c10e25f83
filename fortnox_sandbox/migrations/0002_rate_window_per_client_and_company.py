import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Rate events are counted per client and company instead of per token. They only live for
    one window, so the old ones are dropped rather than converted."""

    dependencies = [
        ("fortnox_sandbox", "0001_initial"),
    ]

    operations = [
        migrations.DeleteModel(name="RateEvent"),
        migrations.CreateModel(
            name="RateEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField()),
                ("client", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="fortnox_sandbox.oauthclient")),
                ("company", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="fortnox_sandbox.company")),
            ],
            options={"indexes": [models.Index(fields=["client", "company", "at"], name="fortnox_san_client__e7c9a4_idx")]},
        ),
    ]
